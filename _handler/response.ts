/**
 * The state of the response being built for one request: what the
 * handler's `send_response()`, `send_header()` and `end_headers()` change,
 * in one object with one reset per request.
 *
 * @module
 */

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
}
