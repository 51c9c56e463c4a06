/**
 * `BaseHTTPRequestHandler`: Python's HTTP/1.x request handler.
 *
 * @module
 */

import {
  BodyReader,
  HTTPRequestError,
  type RFile,
} from "../_protocol/rfile.ts";
import { type Connection, connection_of } from "../_protocol/conn.ts";
import { format_date, format_log_date, now_date } from "../_protocol/date.ts";
import { type Head, type HeadLimits, read_head } from "../_protocol/head.ts";
import { HTTPMessage } from "../_protocol/message.ts";
import {
  connection_option,
  is_token,
  parse_fields,
  parse_request_line,
} from "../_protocol/request_head.ts";
import { escape_control, percent_format, repr } from "../_common/pyformat.ts";
import { encode_latin1 } from "../_common/latin1.ts";
import { RESPONSES, status_has_no_body } from "../_protocol/status.ts";
import { ResponseWriter, type WFile } from "../_protocol/wfile.ts";
import type { HTTPServer } from "../_server/server.ts";
import {
  DEFAULT_ERROR_CONTENT_TYPE,
  DEFAULT_ERROR_MESSAGE,
  fill_error_page,
} from "./error_page.ts";
import { ResponseState } from "./response.ts";
import { HandlerTimeout, is_disconnect, within } from "./handler_timeout.ts";

export { DEFAULT_ERROR_CONTENT_TYPE, DEFAULT_ERROR_MESSAGE };

/** `header_timeout` and `body_timeout` on a serial server, in seconds. */
const SERIAL_HEADER_TIMEOUT = 10;
const SERIAL_BODY_TIMEOUT = 60;
/** How long a closing connection keeps reading what the client still sends. */
const LINGER_MS = 2000;

/** Whether a code unit is CR or LF. */
function is_line_end(c: number): boolean {
  return c === 0x0d || c === 0x0a;
}

// CR or LF would split the header; what is not ISO-8859-1 cannot be sent
// (Python raises UnicodeEncodeError in send_header()).
const BAD_VALUE = /[\r\n\0]|[^\0-\xff]/;
const LINE_BREAKING = /[\r\n\0]/;
const encoder = new TextEncoder();

/** `\uXXXX` or `\UXXXXXXXX` for a character, as Python's backslashreplace. */
function backslash_escape(c: string): string {
  const cp = c.codePointAt(0)!;
  return cp > 0xffff
    ? "\\U" + cp.toString(16).padStart(8, "0")
    : "\\u" + cp.toString(16).padStart(4, "0");
}

let log_second = -1;
let log_date = "";

/** The methods a handler can implement: `do_GET`, `do_POST` ... */
type DoMethod = (this: BaseHTTPRequestHandler) => void | Promise<void>;

/**
 * Handles the HTTP requests of one connection, as Python's
 * `http.server.BaseHTTPRequestHandler`. Subclass it and add a method
 * `do_<COMMAND>` for each HTTP method to serve; a request whose method has
 * none gets `501 Unsupported method`.
 *
 * The server makes one handler per connection and calls
 * {@linkcode BaseHTTPRequestHandler.handle}, which reads requests until the
 * connection is to be closed. For each request, the handler parses the
 * request line (`command`, `path`, `request_version`) and the headers
 * (`headers`), then calls `do_<COMMAND>()`, which typically:
 *
 * 1. reads the request body from `rfile` (it ends where the body ends);
 * 2. calls {@linkcode BaseHTTPRequestHandler.send_response}, then
 *    {@linkcode BaseHTTPRequestHandler.send_header} for each header, then
 *    {@linkcode BaseHTTPRequestHandler.end_headers} (these buffer, so they
 *    need no `await`);
 * 3. writes the body with `await this.wfile.write(...)`.
 *
 * Or it calls {@linkcode BaseHTTPRequestHandler.send_error}. What is
 * buffered is sent when the method returns, in one socket write when it is
 * small. Configuration is through properties a subclass overrides:
 * `server_version`, `protocol_version` (set `"HTTP/1.1"` for keep-alive), the
 * limits and the timeouts.
 *
 * @example A handler that answers every GET
 * ```ts
 * import { BaseHTTPRequestHandler, HTTPServer } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * class Handler extends BaseHTTPRequestHandler {
 *   async do_GET() {
 *     this.send_response(200);
 *     this.send_header("Content-Type", "text/plain; charset=utf-8");
 *     this.end_headers();
 *     await this.wfile.write(`You asked for ${this.path}\n`);
 *   }
 *   override log_message() {} // keep the example quiet
 * }
 *
 * await using server = new HTTPServer(["127.0.0.1", 0], Handler);
 * server.serve_forever();
 * const res = await fetch(`http://127.0.0.1:${server.server_port}/hello`);
 * assert.equal(res.status, 200);
 * assert.equal(await res.text(), "You asked for /hello\n");
 * ```
 */
export class BaseHTTPRequestHandler {
  /** The server software: the first word of the `Server` header. */
  server_version = "BaseHTTP/0.6";
  /** The runtime, the second word of the `Server` header. */
  sys_version = `Deno/${Deno.version.deno}`;
  /**
   * The HTTP version of responses. `"HTTP/1.0"` (the default, as in Python)
   * closes the connection after each response; `"HTTP/1.1"` keeps it open
   * unless the client or the response says otherwise.
   */
  protocol_version = "HTTP/1.0";
  /** The version assumed for a request line without one (HTTP/0.9). */
  default_request_version = "HTTP/0.9";
  /** The HTML page of error responses (see {@linkcode DEFAULT_ERROR_MESSAGE}). */
  error_message_format: string = DEFAULT_ERROR_MESSAGE;
  /** The `Content-Type` of error responses. */
  error_content_type: string = DEFAULT_ERROR_CONTENT_TYPE;
  /** Status code -> `[phrase, explanation]`, as Python's `responses`. */
  responses: Readonly<Record<number, readonly [string, string]>> = RESPONSES;
  /** The class the headers are parsed into. */
  MessageClass: typeof HTTPMessage = HTTPMessage;
  /**
   * Seconds each socket read or write of a request body or response may
   * take (Python's `timeout`); `null` means 60. Python's default, no
   * timeout at all, lets a slow client hold a connection forever.
   */
  timeout: number | null = null;
  /**
   * Seconds a request line and headers may take once they start (and the
   * first request's head from the connection's start); `null` means 60, or
   * 10 when the server serves one connection at a time
   * ({@linkcode HTTPServer}), so that a client sending a request line and
   * then nothing cannot hold such a server for a minute.
   */
  header_timeout: number | null = null;
  /**
   * Seconds a whole request body may take from its first read, however
   * it trickles in (`timeout` bounds each read only); `null` means no such
   * limit on a concurrent server and 60 on {@linkcode HTTPServer}. Past it
   * the connection is closed, as when `timeout` expires.
   */
  body_timeout: number | null = null;
  /** Seconds an idle keep-alive connection waits for its next request. */
  keep_alive_timeout = 5;
  /** Longest request line in bytes, as Python: longer gets 414. */
  max_request_line = 65536;
  /** Longest header line in bytes, as Python: longer gets 431. */
  max_header_line = 65536;
  /** Most header lines, as Python: more gets 431. */
  max_headers = 100;
  /** Most bytes of request line and headers together: more gets 431. */
  max_head_bytes: number = 1024 * 1024;
  /**
   * Most bytes that unfinished large heads may hold in all connections of
   * the process together (beyond 4 KiB each): a head that needs more gets
   * `503`, so that slow clients cannot exhaust memory with heads just
   * under `max_head_bytes`.
   */
  max_head_memory: number = 64 * 1024 * 1024;
  /**
   * Most bytes of an unread request body that are read and discarded to
   * keep the connection open; beyond that it is closed.
   */
  max_drain_bytes: number = 256 * 1024;
  /**
   * Seconds a `do_*` method may run, or `null` (the default) for no limit.
   * When it runs longer, the server logs it once, answers `503` if nothing
   * of the response was sent yet, and closes the connection; the method's
   * promise is abandoned (what it later does to the closed connection
   * fails quietly). With {@linkcode HTTPServer}, which serves one
   * connection at a time, this is what keeps one hung handler from
   * stopping the server.
   */
  request_timeout: number | null = null;

  /** The socket of the connection (Python's `request`). */
  readonly request: Deno.Conn;
  /** The client's `[host, port]`. */
  readonly client_address: [string, number];
  /** The server that accepted the connection. */
  readonly server: HTTPServer;
  /** The request method, such as `"GET"`; `null` before it is parsed. */
  command: string | null = null;
  /** The request target, such as `"/index.html?x=1"`. */
  path = "";
  /** The request's HTTP version, such as `"HTTP/1.1"`. */
  request_version = "";
  /** The request line, without its line ending. */
  requestline = "";
  /** The request headers. */
  headers: HTTPMessage = new HTTPMessage();
  /** Whether the connection closes after this request. */
  close_connection = true;

  #io: Connection;
  #rfile: BodyReader;
  #wfile: ResponseWriter;
  #raw_requestline = "";
  /** The request head as text; header lines from `#headers_start`. */
  #head_text = "";
  #headers_start = 0;
  /** Why the header lines could not be read: answered by parse_request(). */
  #head_error: [number, string, string | undefined] | null = null;
  #res = new ResponseState();
  #seen_request = false;
  #limits: HeadLimits | null = null;
  /** The request was refused before its body: the client may still send. */
  #head_failed = false;
  /** Body length from the headers; `null` for chunked. */
  #body_length: number | null = 0;
  /**
   * The request is HTTP/1.1 or later, by the parsed version numbers (a
   * string comparison would take `HTTP/1.01` for older than `HTTP/1.1`).
   */
  #http11 = false;

  /**
   * Makes the handler of one connection; the server then calls
   * {@linkcode BaseHTTPRequestHandler.handle}.
   *
   * @param request The socket.
   * @param client_address The client's `[host, port]`.
   * @param server The server.
   */
  constructor(
    request: Deno.Conn,
    client_address: [string, number],
    server: HTTPServer,
  ) {
    this.request = request;
    this.client_address = client_address;
    this.server = server;
    this.#io = connection_of(request);
    const io_timeout = () => (this.timeout ?? 60) * 1000;
    this.#rfile = new BodyReader(this.#io, io_timeout);
    this.#wfile = new ResponseWriter(this.#io, io_timeout);
  }

  /** The request body of the current request (Python's `rfile`). */
  get rfile(): RFile {
    return this.#rfile;
  }

  /** The response being written (Python's `wfile`). */
  get wfile(): WFile {
    return this.#wfile;
  }

  /** The request line as received, line ending included. */
  get raw_requestline(): Uint8Array {
    return encode_latin1(this.#raw_requestline);
  }

  /** Called before {@linkcode BaseHTTPRequestHandler.handle}; does nothing here. */
  setup(): void {}

  /** Called after {@linkcode BaseHTTPRequestHandler.handle}; does nothing here. */
  finish(): void {}

  /**
   * Handles requests until the connection is to be closed.
   *
   * @returns When the connection's last request is done.
   */
  async handle(): Promise<void> {
    this.close_connection = true;
    await this.handle_one_request();
    while (!this.close_connection && !this.#io.closed) {
      await this.handle_one_request();
    }
  }

  /**
   * Reads one request, calls its `do_<COMMAND>` method and sends what it
   * buffered. Errors in the request get an error response; errors in the
   * handler a 500 when nothing was sent yet.
   *
   * @returns When the response is sent.
   */
  async handle_one_request(): Promise<void> {
    this.#wfile.start();
    this.#res.reset();
    this.#rfile.reset(0, null);
    try {
      this.#head_failed = false;
      if (!(await this.#read_request())) {
        this.#head_failed = this.#wfile.buffered;
        // A malformed request's error response is buffered: send it.
        await this.#wfile.flush();
        return;
      }
      const name = "do_" + this.command;
      const method = (this as unknown as Record<string, unknown>)[name];
      if (typeof method !== "function") {
        this.send_error(501, `Unsupported method (${repr(this.command!)})`);
      } else {
        const running = this.request_timeout === null
          ? (method as DoMethod).call(this)
          : within(
            Promise.resolve((method as DoMethod).call(this)),
            name,
            this.request_timeout,
          );
        if (running) await running;
        this.#check_complete(name);
      }
      await this.#wfile.flush();
      if (!this.close_connection && !this.#rfile.done) {
        // Read what the handler left of the body, so that the next request
        // starts where it should; close rather than read a large remainder.
        if (!(await this.#rfile.drain(this.max_drain_bytes))) {
          this.close_connection = true;
        }
      }
    } catch (err) {
      this.close_connection = true;
      await this.#fail(err);
    } finally {
      if (this.close_connection) await this.#close();
      // Give back what a large head or pipelined burst grew (issue 16 #13).
      else this.#io.shrink();
    }
  }

  /**
   * Closes the connection. When the client may still be sending (a body or
   * a head we did not read), it first half-closes and reads what comes for
   * up to `LINGER_MS`: closing with unread input makes the kernel send a
   * reset, which can destroy the response before the client reads it.
   */
  async #close(): Promise<void> {
    const io = this.#io;
    if (
      io.closed || (this.#rfile.done && io.buffered === 0 && !this.#head_failed)
    ) {
      io.close();
      return;
    }
    await io.linger(LINGER_MS);
  }

  /** Reads and parses the head; false when there is no request to serve. */
  async #read_request(): Promise<boolean> {
    // The limits are read once per connection, not per request.
    this.#limits ??= {
      max_request_line: this.max_request_line,
      max_header_line: this.max_header_line,
      max_headers: this.max_headers,
      max_head_bytes: this.max_head_bytes,
      head_ms: (this.header_timeout ??
        (this.#io.concurrent ? 60 : SERIAL_HEADER_TIMEOUT)) * 1000,
      buffer_budget: this.max_head_memory,
    };
    const idle_ms = this.#seen_request
      ? this.keep_alive_timeout * 1000
      : this.#limits.head_ms;
    let head: Head;
    try {
      head = await read_head(this.#io, this.#limits, idle_ms);
    } catch (err) {
      // The socket failed before a request arrived: a reset, or a TLS
      // handshake that went wrong (a plain-HTTP client on an HTTPS port).
      // The client's problem, worth one line, not a traceback or a 500.
      this.close_connection = true;
      this.log_error(
        "Cannot read a request: %s",
        err instanceof Error ? err.message : String(err),
      );
      return false;
    }
    this.#seen_request = true;
    switch (head.kind) {
      case "eof":
        this.close_connection = true;
        return false;
      case "timeout":
        this.close_connection = true;
        this.log_error("Request timed out: %r", "timed out");
        return false;
      case "busy":
        this.requestline = "";
        this.request_version = "";
        this.command = "";
        this.send_error(503, "Too many large request heads in progress");
        return false;
      case "line_too_long":
        this.requestline = "";
        this.request_version = "";
        this.command = "";
        this.send_error(414);
        return false;
      case "bad_line":
        this.#raw_requestline = head.request_line + "\r\n";
        this.#head_text = "";
        this.#head_error = [400, "Bare CR in request head", undefined];
        break;
      case "headers_too_large":
        this.#raw_requestline = head.request_line + "\r\n";
        this.#head_text = "";
        this.#head_error = [431, head.message, head.explain];
        break;
      case "head":
        this.#raw_requestline = head.text.slice(0, head.headers_start);
        this.#head_text = head.text;
        this.#headers_start = head.headers_start;
    }
    try {
      return this.parse_request();
    } finally {
      this.#head_error = null;
    }
  }

  /**
   * Parses the request line and the headers into `command`, `path`,
   * `request_version` and `headers`, and checks the framing of the body.
   * On failure the error response is already buffered.
   *
   * @returns Whether the request can be served.
   */
  parse_request(): boolean {
    this.command = null;
    this.#http11 = false;
    this.request_version = this.default_request_version;
    this.close_connection = true;
    let cut = this.#raw_requestline.length;
    while (cut > 0 && is_line_end(this.#raw_requestline.charCodeAt(cut - 1))) {
      cut--;
    }
    const requestline = this.#raw_requestline.slice(0, cut);
    this.requestline = requestline;
    const line = parse_request_line(requestline);
    if (line === null) return false;
    if (line.kind === "refused") {
      // Never a headerless (HTTP/0.9) error: a client that sent a broken
      // line is told so with a status line (issue 16 item 12).
      this.request_version = line.version ?? "HTTP/1.0";
      this.send_error(line.code, line.message);
      return false;
    }
    const [major, minor] = line.version_number;
    this.#http11 = major > 1 || (major === 1 && minor >= 1);
    if (line.version !== null) {
      this.request_version = line.version;
      this.close_connection = !(this.#http11 &&
        this.protocol_version >= "HTTP/1.1");
    }
    this.command = line.command;
    // Collapse leading slashes so that "//host/x" cannot be taken for a
    // scheme-relative URL (gh-87389).
    const path = line.path;
    this.path = path.startsWith("//") ? "/" + path.replace(/^\/+/, "") : path;

    if (this.#head_error) {
      // The head could not be read whole: answer where Python parses the
      // headers, before the checks that need them (Host).
      this.send_error(...this.#head_error);
      return false;
    }
    if (!this.#parse_headers()) return false;
    this.#apply_connection();
    return this.#expect_100();
  }

  /** `Connection: close` or `keep-alive` from the client (RFC 9112 §9.3). */
  #apply_connection(): void {
    if (this.headers.get("Connection") === undefined) return;
    // Every Connection field counts, each a list (RFC 9110 §7.6.1).
    const values = this.headers.get_all("Connection")!;
    const option = connection_option(values.join(","));
    if (option === "close") {
      this.close_connection = true;
    } else if (
      option === "keep-alive" && this.protocol_version >= "HTTP/1.1"
    ) {
      this.close_connection = false;
    }
  }

  /**
   * Answers `Expect: 100-continue` and sets up the body reader; false when
   * `handle_expect_100()` refused the request.
   */
  #expect_100(): boolean {
    // Python answers Expect only under protocol_version HTTP/1.1, so its
    // HTTP/1.0 servers make curl wait a second before each large upload.
    // RFC 9110 §10.1.1 allows a 100 to any HTTP/1.1 client, and ours goes
    // out only when the handler starts reading the body.
    const expect = (this.headers.get("Expect") ?? "").toLowerCase();
    if (expect === "100-continue" && this.#http11) {
      if (!this.handle_expect_100()) return false;
      this.#res.expect_continue = true;
    }
    const body_s = this.body_timeout ??
      (this.#io.concurrent ? Infinity : SERIAL_BODY_TIMEOUT);
    this.#rfile.reset(
      this.#body_length,
      this.#res.expect_continue ? () => this.#send_continue() : null,
      body_s * 1000,
    );
    return true;
  }

  /**
   * Sends the buffered `100 Continue` (before the first body read). When no
   * final response was started yet, the writer starts afresh, so that an
   * error response can still follow the interim one.
   */
  async #send_continue(): Promise<void> {
    const interim_only = !this.#res.responded && !this.#res.head_open;
    await this.#wfile.flush();
    if (interim_only) this.#wfile.start();
  }

  /**
   * Parses the header lines into `headers`, rejecting the shapes that smuggle
   * requests, and checks Host and the body's framing (see `parse_fields()`);
   * sets the body length.
   */
  #parse_headers(): boolean {
    const headers = new this.MessageClass();
    const framing = parse_fields(
      this.#head_text,
      this.#headers_start,
      headers,
      this.#http11,
    );
    this.headers = headers;
    if (framing.kind === "refused") {
      this.send_error(framing.code, framing.message);
      return false;
    }
    this.#body_length = framing.body_length;
    return true;
  }

  /** After do_X: a response that was not started or not finished. */
  #check_complete(name: string): void {
    if (this.request_version === "HTTP/0.9") return;
    const wrong = this.#res.incomplete(this.#wfile.body_bytes);
    if (wrong === "no_response") {
      this.log_error("%s() sent no response", name);
      this.close_connection = true;
    } else if (wrong === "open_head") {
      this.log_error("%s() did not call end_headers()", name);
      this.#wfile.discard();
      this.#res.drop_head();
      this.send_error(500, "Incomplete response");
    } else if (wrong === "length") {
      this.log_error(
        "%s() wrote %d body bytes, Content-Length said %d",
        name,
        this.#wfile.body_bytes,
        this.#res.declared_length,
      );
      this.close_connection = true;
    }
  }

  /** Answers or logs an error thrown while serving a request. */
  async #fail(err: unknown): Promise<void> {
    const io = this.#io;
    if (err instanceof HTTPRequestError || err instanceof HandlerTimeout) {
      this.log_error("%s", err.message);
    } else if (is_disconnect(err) || io.closed) {
      this.log_error(
        "Client disconnected: %s",
        err instanceof Error ? err.message : String(err),
      );
      return;
    } else {
      this.server.handle_error(this.request, this.client_address, err);
    }
    if (io.closed || this.#wfile.sent) return;
    this.#wfile.discard();
    this.#res.drop_head();
    const code = err instanceof HTTPRequestError
      ? err.code
      : err instanceof HandlerTimeout
      ? 503
      : 500;
    try {
      this.send_error(
        code,
        err instanceof HTTPRequestError ? err.message : undefined,
      );
      await this.#wfile.flush();
    } catch (second) {
      if (!is_disconnect(second)) throw second;
    }
  }

  /**
   * Answers `Expect: 100-continue`: sends `100 Continue` before the body is
   * read (it goes out when the handler first reads `rfile`). Override it to
   * refuse a request first: send an error and return `false`.
   *
   * @returns Whether to go on with the request.
   */
  handle_expect_100(): boolean {
    this.send_response_only(100);
    this.end_headers();
    return true;
  }

  /**
   * Sends an error response with an HTML page, and closes the connection
   * after it.
   *
   * @param code The status code.
   * @param message The reason phrase; by default the one for `code`.
   * @param explain The explanation on the page; by default the one for `code`.
   */
  send_error(code: number, message?: string, explain?: string): void {
    const [short, long] = this.responses[code] ?? ["???", "???"];
    message ??= short;
    explain ??= long;
    this.log_error("code %d, message %s", code, message);
    if (this.#res.head_open || this.#wfile.sent) {
      // A response is already under way: an error page cannot follow it.
      this.close_connection = true;
      return;
    }
    this.#wfile.discard();
    this.send_response(code, message);
    let body: Uint8Array | null = null;
    if (!status_has_no_body(code)) {
      body = encoder.encode(fill_error_page(
        this.error_message_format,
        code,
        message,
        explain,
      ));
      this.send_header("Content-Type", this.error_content_type);
    }
    this.send_header("Connection", "close");
    if (body) this.send_header("Content-Length", String(body.length));
    this.end_headers();
    if (body) this.#wfile.buffer(body);
  }

  /**
   * Buffers the status line and the `Server` and `Date` headers, and logs
   * the request.
   *
   * @param code The status code.
   * @param message The reason phrase; by default the one for `code`.
   */
  send_response(code: number, message?: string): void {
    this.log_request(code);
    this.send_response_only(code, message);
    this.send_header("Server", this.version_string());
    this.send_header("Date", this.date_time_string());
  }

  /**
   * Buffers the status line only.
   *
   * @param code The status code.
   * @param message The reason phrase; by default the one for `code`.
   */
  send_response_only(code: number, message?: string): void {
    if (this.request_version === "HTTP/0.9") return;
    if (!Number.isInteger(code) || code < 100 || code > 999) {
      throw new RangeError(`Invalid status code ${code}`);
    }
    message ??= this.responses[code]?.[0] ?? "";
    if (BAD_VALUE.test(message)) {
      if (LINE_BREAKING.test(message)) {
        throw new TypeError(`Invalid reason phrase ${repr(message)}`);
      }
      // The status line is ISO-8859-1 (RFC 9110 §5.5); a reason built from
      // a request (a 404 for /%C4%80) must not make the answer fail, as
      // Python's UnicodeEncodeError does: escape as backslashreplace.
      message = message.replace(/[^\0-\xff]/gu, backslash_escape);
    }
    this.#res.status_line(
      `${this.protocol_version} ${code} ${message}\r\n`,
      code,
    );
  }

  /**
   * Buffers a header line. A `Connection: close` or `keep-alive` header also
   * sets `close_connection`, as in Python.
   *
   * @param keyword The header name.
   * @param value The header value.
   */
  send_header(keyword: string, value: string | number): void {
    const text = String(value);
    if (this.request_version !== "HTTP/0.9") {
      if (!this.#res.head_open) {
        throw new TypeError(
          `Cannot send header ${
            repr(keyword)
          }: call send_response() first, and send no header after end_headers()`,
        );
      }
      if (!is_token(keyword)) {
        throw new TypeError(`Invalid header name ${repr(keyword)}`);
      }
      // CR or LF in a value would let it inject headers or a response.
      if (BAD_VALUE.test(text)) {
        throw new TypeError(
          `Invalid value for header ${repr(keyword)}: ${repr(text)}`,
        );
      }
      this.#res.headers_buffer += `${keyword}: ${text}\r\n`;
    }
    const option = this.#res.header(keyword, text);
    if (option !== null) this.close_connection = option === "close";
  }

  /**
   * Ends the headers with a blank line and moves them to `wfile` (still
   * buffered; they are sent with the body or when the handler returns).
   */
  end_headers(): void {
    if (this.request_version === "HTTP/0.9") return;
    const res = this.#res;
    if (!res.head_open) {
      throw new TypeError("Cannot end headers: call send_response() first");
    }
    const no_body = status_has_no_body(res.status) || this.command === "HEAD";
    this.close_connection = res.end_head(
      no_body,
      this.close_connection,
      this.protocol_version >= "HTTP/1.1",
    );
    this.flush_headers();
    this.#wfile.start_body(no_body);
  }

  /**
   * Moves the buffered headers to `wfile`. Called by a handler itself, it
   * leaves the head open for the handler to finish by writing to `wfile`
   * (as the CGI handler does with a script's output); the response then has
   * no known length, and the connection closes after it.
   */
  flush_headers(): void {
    const head = this.#res.take_head();
    if (head !== "") this.#wfile.head(head);
    if (this.#res.head_open) {
      this.#res.head_open = false;
      this.close_connection = true;
      this.#wfile.start_body(false);
    }
  }

  /**
   * Logs an accepted request: called by {@linkcode BaseHTTPRequestHandler.send_response}.
   *
   * @param code The status code.
   * @param size The size of the response, when known.
   */
  log_request(code: number | string = "-", size: number | string = "-"): void {
    this.log_message(
      '"%s" %s %s',
      this.requestline,
      String(code),
      String(size),
    );
  }

  /**
   * Logs an error; goes to {@linkcode BaseHTTPRequestHandler.log_message}.
   *
   * @param format A Python `%` format string.
   * @param args The values for the format.
   */
  log_error(format: string, ...args: unknown[]): void {
    this.log_message(format, ...args);
  }

  /**
   * Writes a line to stderr: the client address, the time and the message,
   * with control characters escaped. Override it to log elsewhere.
   *
   * @param format A Python `%` format string (`%s`, `%d`, `%r`).
   * @param args The values for the format.
   */
  log_message(format: string, ...args: unknown[]): void {
    const message = escape_control(percent_format(format, args));
    Deno.stderr.writeSync(encoder.encode(
      `${this.address_string()} - - [${this.log_date_time_string()}] ${message}\n`,
    ));
  }

  /** The `Server` header value. @returns `server_version sys_version`. */
  version_string(): string {
    return this.server_version + " " + this.sys_version;
  }

  /**
   * A time formatted for a header, such as `Date` or `Last-Modified`.
   *
   * @param timestamp Seconds since the epoch, as in Python; now by default.
   * @returns An IMF-fixdate, such as `Wed, 17 May 2017 04:49:18 GMT`.
   */
  date_time_string(timestamp?: number): string {
    return timestamp === undefined ? now_date() : format_date(timestamp * 1000);
  }

  /** The current local time for log lines. @returns Such as `17/May/2017 04:49:18`. */
  log_date_time_string(): string {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (second !== log_second) {
      log_second = second;
      log_date = format_log_date(now);
    }
    return log_date;
  }

  /** The client address for log lines. @returns The client's host. */
  address_string(): string {
    return this.client_address[0];
  }
}
