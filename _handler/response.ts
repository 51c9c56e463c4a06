/**
 * The state of the response being built for one request: what the
 * handler's `send_response()`, `send_header()` and `end_headers()` change,
 * in one object with one reset per request.
 *
 * @module
 */

import { connection_option } from "../_protocol/request_head.ts";

// The lengths of the only header names header() looks at: "Connection" (10),
// "Content-Length" (14), "Transfer-Encoding" (17); other names skip the
// lowercasing.
const CONNECTION_LENGTH = 10;
const CONTENT_LENGTH_LENGTH = 14;
const TRANSFER_ENCODING_LENGTH = 17;

/** Response framing state; {@linkcode ResponseState.reset} before each request. */
export class ResponseState {
  /** The status line and headers not yet moved to `wfile`. */
  headers_buffer = "";
  /** A status line was buffered and its head is not ended yet. */
  head_open = false;
  /** The status of the last status line (interim ones included). */
  status = 0;
  /** The value of the response's Content-Length, when it is a number. */
  declared_length: number | null = null;
  /** The response's Transfer-Encoding ends in `chunked`. */
  chunked = false;
  /** The response has no body (HEAD, 1xx, 204, 205, 304): its length is moot. */
  no_body = false;
  /** The handler sent a `Connection` header itself. */
  connection_header = false;
  /** A final (non-1xx) status line was sent. */
  responded = false;
  /** The request asked for `100 Continue` and it is pending. */
  expect_continue = false;

  /** Forgets the previous request's response. */
  reset(): void {
    this.headers_buffer = "";
    this.head_open = false;
    this.status = 0;
    this.declared_length = null;
    this.chunked = false;
    this.no_body = false;
    this.connection_header = false;
    this.responded = false;
    this.expect_continue = false;
  }

  /** Drops a head that was started and not sent (to answer an error instead). */
  drop_head(): void {
    this.headers_buffer = "";
    this.head_open = false;
  }

  /** Records a buffered status line. */
  status_line(line: string, code: number): void {
    this.headers_buffer += line;
    this.head_open = true;
    this.status = code;
    if (code >= 200) {
      this.responded = true;
      this.connection_header = false;
      this.declared_length = null;
      this.chunked = false;
    }
  }

  /**
   * Notes what a response header means for framing; returns what a
   * `Connection` header says about closing (`null` for other headers, or
   * one that says neither), as Python's `send_header()` sets
   * `close_connection`.
   */
  header(keyword: string, text: string): "close" | "keep-alive" | null {
    const n = keyword.length;
    if (
      n !== CONNECTION_LENGTH && n !== CONTENT_LENGTH_LENGTH &&
      n !== TRANSFER_ENCODING_LENGTH
    ) return null;
    const lower = keyword.toLowerCase();
    if (lower === "connection") {
      this.connection_header = true;
      return connection_option(text);
    } else if (lower === "content-length") {
      this.declared_length = /^\d+$/.test(text.trim()) ? Number(text) : null;
    } else if (lower === "transfer-encoding") {
      this.chunked = /(?:^|,)\s*chunked\s*$/i.test(text);
    }
    return null;
  }

  /**
   * Ends the head with its blank line; returns whether the connection must
   * close after the response (a final response without a length can only
   * end when the connection does), adding `Connection: close` for HTTP/1.1
   * when the handler did not send one (RFC 9112 §9.6).
   */
  end_head(no_body: boolean, close: boolean, http11: boolean): boolean {
    if (this.status >= 200) {
      if (!no_body && this.declared_length === null && !this.chunked) {
        close = true;
      }
      if (close && !this.connection_header && http11) {
        this.headers_buffer += "Connection: close\r\n";
      }
    }
    this.headers_buffer += "\r\n";
    this.head_open = false;
    this.no_body = no_body;
    return close;
  }

  /** The buffered head text, now handed over (empty when none). */
  take_head(): string {
    const head = this.headers_buffer;
    this.headers_buffer = "";
    return head;
  }

  /**
   * What is wrong with the response once the handler returned: no final
   * status, an unended head, or a body that did not match Content-Length.
   */
  incomplete(
    body_bytes: number,
  ): "no_response" | "open_head" | "length" | null {
    if (!this.responded) return "no_response";
    if (this.head_open) return "open_head";
    if (
      this.declared_length !== null && !this.no_body &&
      this.declared_length !== body_bytes
    ) return "length";
    return null;
  }
}
