/**
 * `BaseHTTPRequestHandler`: Python's HTTP/1.x request handler.
 *
 * @module
 */

import type { RFile } from "../_protocol/rfile.ts";
import { format_date, now_date, now_log_date } from "../_protocol/date.ts";
import { HTTPMessage } from "../_protocol/message.ts";
import { escape_control, percent_format, repr } from "../_common/pyformat.ts";
import { encode_latin1 } from "../_common/latin1.ts";
import { RESPONSES, status_has_no_body } from "../_protocol/status.ts";
import type { WFile } from "../_protocol/wfile.ts";
import type { HTTPServer } from "../_server/server.ts";
import {
  DEFAULT_ERROR_CONTENT_TYPE,
  DEFAULT_ERROR_MESSAGE,
  fill_error_page,
} from "./error_page.ts";
import { Exchange } from "./exchange.ts";
import { header_line, status_line } from "./response_line.ts";
import { parse_request, read_request } from "./request_reader.ts";
import { check_complete, fail } from "./request_outcome.ts";
import { within } from "./handler_timeout.ts";

export { DEFAULT_ERROR_CONTENT_TYPE, DEFAULT_ERROR_MESSAGE };

const encoder = new TextEncoder();

/** A handler's class, whose static attributes are its defaults. */
function class_of(
  handler: BaseHTTPRequestHandler,
): typeof BaseHTTPRequestHandler {
  return handler.constructor as typeof BaseHTTPRequestHandler;
}

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
  // Python's class attributes: a script sets them on the class
  // (`Handler.protocol_version = "HTTP/1.1"`), and each handler reads its
  // class's value when it is made; a subclass may also override the
  // instance property. Static and instance properties share the name.

  /** The class-level default of `server_version` (Python's class attribute). */
  static server_version = "BaseHTTP/0.6";
  /** The class-level default of `sys_version`. */
  static sys_version = `Deno/${Deno.version.deno}`;
  /** The class-level default of `protocol_version`. */
  static protocol_version = "HTTP/1.0";
  /** The class-level default of `default_request_version`. */
  static default_request_version = "HTTP/0.9";
  /** The class-level default of `error_message_format`. */
  static error_message_format: string = DEFAULT_ERROR_MESSAGE;
  /** The class-level default of `error_content_type`. */
  static error_content_type: string = DEFAULT_ERROR_CONTENT_TYPE;
  /** The class-level default of `responses`. */
  static responses: Readonly<Record<number, readonly [string, string]>> =
    RESPONSES;
  /** The class-level default of `MessageClass`. */
  static MessageClass: typeof HTTPMessage = HTTPMessage;
  /** The class-level default of `timeout`. */
  static timeout: number | null = null;

  /** The server software: the first word of the `Server` header. */
  server_version: string = class_of(this).server_version;
  /** The runtime, the second word of the `Server` header. */
  sys_version: string = class_of(this).sys_version;
  /**
   * The HTTP version of responses. `"HTTP/1.0"` (the default, as in Python)
   * closes the connection after each response; `"HTTP/1.1"` keeps it open
   * unless the client or the response says otherwise.
   */
  protocol_version: string = class_of(this).protocol_version;
  /** The version assumed for a request line without one (HTTP/0.9). */
  default_request_version: string = class_of(this).default_request_version;
  /** The HTML page of error responses (see {@linkcode DEFAULT_ERROR_MESSAGE}). */
  error_message_format: string = class_of(this).error_message_format;
  /** The `Content-Type` of error responses. */
  error_content_type: string = class_of(this).error_content_type;
  /** Status code -> `[phrase, explanation]`, as Python's `responses`. */
  responses: Readonly<Record<number, readonly [string, string]>> =
    class_of(this).responses;
  /** The class the headers are parsed into. */
  MessageClass: typeof HTTPMessage = class_of(this).MessageClass;
  /**
   * Seconds each socket read or write of a request body or response may
   * take (Python's `timeout`); `null` means 60. Python's default, no
   * timeout at all, lets a slow client hold a connection forever.
   */
  timeout: number | null = class_of(this).timeout;
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

  #x: Exchange;

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
    this.#x = new Exchange(request, () => (this.timeout ?? 60) * 1000);
  }

  /** The request body of the current request (Python's `rfile`). */
  get rfile(): RFile {
    return this.#x.rfile;
  }

  /** The response being written (Python's `wfile`). */
  get wfile(): WFile {
    return this.#x.wfile;
  }

  /** The request line as received, line ending included. */
  get raw_requestline(): Uint8Array {
    return encode_latin1(this.#x.raw_requestline);
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
    while (!this.close_connection && !this.#x.io.closed) {
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
    const x = this.#x;
    x.start();
    try {
      if (!(await read_request(this, x))) {
        x.head_failed = x.wfile.buffered;
        // A malformed request's error response is buffered: send it.
        await x.wfile.end();
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
        check_complete(this, x, name);
      }
      await x.wfile.end();
      if (!this.close_connection && !x.rfile.done) {
        // Read what the handler left of the body, so that the next request
        // starts where it should; close rather than read a large remainder.
        if (!(await x.rfile.drain(this.max_drain_bytes))) {
          this.close_connection = true;
        }
      }
    } catch (err) {
      this.close_connection = true;
      await fail(this, x, err);
    } finally {
      if (this.close_connection) await x.close();
      // Give back what a large head or pipelined burst grew (issue 16 #13).
      else x.io.shrink();
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
    return parse_request(this, this.#x);
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
    const x = this.#x;
    if (x.res.head_open || x.wfile.sent) {
      // A response is already under way: an error page cannot follow it.
      this.close_connection = true;
      return;
    }
    x.wfile.discard();
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
    if (body) x.wfile.buffer(body);
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
    const reason = message ?? this.responses[code]?.[0] ?? "";
    this.#x.res.status_line(
      status_line(this.protocol_version, code, reason),
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
    const res = this.#x.res;
    if (this.request_version !== "HTTP/0.9") {
      if (!res.head_open) {
        throw new TypeError(
          `Cannot send header ${
            repr(keyword)
          }: call send_response() first, and send no header after end_headers()`,
        );
      }
      res.headers_buffer += header_line(keyword, text);
    }
    const option = res.header(keyword, text);
    if (option !== null) this.close_connection = option === "close";
  }

  /**
   * Ends the headers with a blank line and moves them to `wfile` (still
   * buffered; they are sent with the body or when the handler returns).
   */
  end_headers(): void {
    if (this.request_version === "HTTP/0.9") return;
    const res = this.#x.res;
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
    this.#x.wfile.start_body(no_body);
  }

  /**
   * Moves the buffered headers to `wfile`. Called by a handler itself, it
   * leaves the head open for the handler to finish by writing to `wfile`
   * (as the CGI handler does with a script's output); the response then has
   * no known length, and the connection closes after it.
   */
  flush_headers(): void {
    const { res, wfile } = this.#x;
    const head = res.take_head();
    if (head !== "") wfile.head(head);
    if (res.head_open) {
      res.head_open = false;
      this.close_connection = true;
      wfile.start_body(false);
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
    return now_log_date();
  }

  /** The client address for log lines. @returns The client's host. */
  address_string(): string {
    return this.client_address[0];
  }
}
