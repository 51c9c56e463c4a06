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
import { escape_control, percent_format, repr } from "../_common/pyformat.ts";
import { RESPONSES } from "../_protocol/status.ts";
import { ResponseWriter, type WFile } from "../_protocol/wfile.ts";
import type { HTTPServer } from "../_server/server.ts";

/**
 * The HTML page of an error response; `%(code)d`, `%(message)s` and
 * `%(explain)s` are filled in. This is the page the spec's Python 3.5 sends
 * (CPython 3.12 shortened the DOCTYPE).
 */
export const DEFAULT_ERROR_MESSAGE: string = `\
<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN"
        "http://www.w3.org/TR/html4/strict.dtd">
<html>
    <head>
        <meta http-equiv="Content-Type" content="text/html;charset=utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: %(code)d</p>
        <p>Message: %(message)s.</p>
        <p>Error code explanation: %(code)s - %(explain)s.</p>
    </body>
</html>
`;

/** The `Content-Type` of error pages. */
export const DEFAULT_ERROR_CONTENT_TYPE = "text/html;charset=utf-8";

const CR = 13;
/** How long a closing connection keeps reading what the client still sends. */
const LINGER_MS = 2000;

/** Whether a code unit is SP or HTAB (RFC 9110 OWS). */
function is_ows(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Whether a code unit is CR or LF. */
function is_line_end(c: number): boolean {
  return c === 0x0d || c === 0x0a;
}

/**
 * `[major, minor]` of an HTTP-version such as `HTTP/1.1`, or `[-1, -1]`
 * when it is not one (Python accepts up to 10 digits each).
 */
function parse_version(version: string): [number, number] {
  if (version === "HTTP/1.1") return [1, 1];
  if (version === "HTTP/1.0") return [1, 0];
  const m = /^HTTP\/(\d{1,10})\.(\d{1,10})$/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : [-1, -1];
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// CR or LF would split the header; what is not ISO-8859-1 cannot be sent
// (Python raises UnicodeEncodeError in send_header()).
const BAD_VALUE = /[\r\n\0]|[^\0-\xff]/;
const encoder = new TextEncoder();

let log_second = -1;
let log_date = "";

function html_escape(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(
    ">",
    "&gt;",
  );
}

function fill_error_page(
  format: string,
  code: number,
  message: string,
  explain: string,
): string {
  return format.replace(
    /%\((code|message|explain)\)([sd])/g,
    (_, key) =>
      key === "code" ? String(code) : key === "message" ? message : explain,
  );
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
  /** Seconds a request line and headers may take once they start. */
  header_timeout = 60;
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
  /** The status line and headers not yet moved to `wfile`. */
  #headers_buffer = "";
  #head_open = false;
  #status = 0;
  #declared_length: number | null = null;
  #chunked = false;
  /** The response has no body (HEAD, 1xx, 204, 304): its length is moot. */
  #no_body = false;
  #connection_header = false;
  #responded = false;
  #expect_continue = false;
  #seen_request = false;
  #limits: HeadLimits | null = null;
  /** The request was refused before its body: the client may still send. */
  #head_failed = false;
  /** Body length from the headers; `null` for chunked. */
  #body_length: number | null = 0;

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
    const s = this.#raw_requestline;
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
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
    this.#headers_buffer = "";
    this.#head_open = false;
    this.#responded = false;
    this.#declared_length = null;
    this.#chunked = false;
    this.#no_body = false;
    this.#expect_continue = false;
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
          : this.#run(method as DoMethod, name, this.request_timeout);
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

  /** Runs a `do_*` method within `request_timeout`. */
  async #run(method: DoMethod, name: string, seconds: number): Promise<void> {
    const running = Promise.resolve(method.call(this));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HandlerTimeout(name, seconds)),
        seconds * 1000,
      );
    });
    try {
      await Promise.race([running, expired]);
    } catch (err) {
      // The abandoned method fails once the connection is closed under it.
      if (err instanceof HandlerTimeout) running.catch(() => {});
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads and parses the head; false when there is no request to serve. */
  async #read_request(): Promise<boolean> {
    // The limits are read once per connection, not per request.
    this.#limits ??= {
      max_request_line: this.max_request_line,
      max_header_line: this.max_header_line,
      max_headers: this.max_headers,
      max_head_bytes: this.max_head_bytes,
      head_ms: this.header_timeout * 1000,
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
    let version = this.default_request_version;
    this.request_version = version;
    this.close_connection = true;
    let cut = this.#raw_requestline.length;
    while (cut > 0 && is_line_end(this.#raw_requestline.charCodeAt(cut - 1))) {
      cut--;
    }
    const requestline = this.#raw_requestline.slice(0, cut);
    this.requestline = requestline;
    const words = requestline.split(/[ \t\v\f]+/).filter((w) => w !== "");
    if (words.length === 0) return false;

    if (words.length >= 3) {
      version = words[words.length - 1]!;
      const [major, minor] = parse_version(version);
      if (major < 0) {
        this.send_error(400, `Bad request version (${repr(version)})`);
        return false;
      }
      if (
        (major > 1 || (major === 1 && minor >= 1)) &&
        this.protocol_version >= "HTTP/1.1"
      ) {
        this.close_connection = false;
      }
      if (major >= 2) {
        this.send_error(505, `Invalid HTTP version (${major}.${minor})`);
        return false;
      }
      this.request_version = version;
    }
    if (words.length < 2 || words.length > 3) {
      this.send_error(400, `Bad request syntax (${repr(requestline)})`);
      return false;
    }
    const [command, path] = words as [string, string];
    if (words.length === 2) {
      this.close_connection = true;
      if (command !== "GET") {
        this.send_error(400, `Bad HTTP/0.9 request type (${repr(command)})`);
        return false;
      }
    }
    this.command = command;
    // Collapse leading slashes so that "//host/x" cannot be taken for a
    // scheme-relative URL (gh-87389).
    this.path = path.startsWith("//") ? "/" + path.replace(/^\/+/, "") : path;

    if (this.#head_error) {
      // The head could not be read whole: answer where Python parses the
      // headers, before the checks that need them (Host).
      this.send_error(...this.#head_error);
      return false;
    }
    if (!this.#parse_headers()) return false;
    const headers = this.headers;
    const conntype = (headers.get("Connection") ?? "").toLowerCase();
    if (conntype === "close") {
      this.close_connection = true;
    } else if (
      conntype === "keep-alive" && this.protocol_version >= "HTTP/1.1"
    ) {
      this.close_connection = false;
    }
    // Python answers Expect only under protocol_version HTTP/1.1, so its
    // HTTP/1.0 servers make curl wait a second before each large upload.
    // RFC 9110 §10.1.1 allows a 100 to any HTTP/1.1 client, and ours goes
    // out only when the handler starts reading the body.
    const expect = (headers.get("Expect") ?? "").toLowerCase();
    if (expect === "100-continue" && this.request_version >= "HTTP/1.1") {
      if (!this.handle_expect_100()) return false;
      this.#expect_continue = true;
    }
    this.#rfile.reset(
      this.#body_length,
      this.#expect_continue ? () => this.#send_continue() : null,
    );
    return true;
  }

  /**
   * Sends the buffered `100 Continue` (before the first body read). When no
   * final response was started yet, the writer starts afresh, so that an
   * error response can still follow the interim one.
   */
  async #send_continue(): Promise<void> {
    const interim_only = !this.#responded && !this.#head_open;
    await this.#wfile.flush();
    if (interim_only) this.#wfile.start();
  }

  /**
   * Parses the header lines into `headers`, rejecting the shapes that smuggle
   * requests, and checks Host and the body's framing (RFC 9112 §3.2, §5,
   * §6); sets the body length. One pass over the head text, no line array.
   */
  #parse_headers(): boolean {
    const text = this.#head_text;
    const headers = new this.MessageClass();
    let hosts = 0;
    const cl: string[] = [];
    const te: string[] = [];
    for (let pos = this.#headers_start; pos < text.length;) {
      const lf = text.indexOf("\n", pos);
      const end = text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
      if (end === pos) break; // the blank line
      const colon = text.indexOf(":", pos);
      const name = colon !== -1 && colon < end ? text.slice(pos, colon) : "";
      // obs-fold, whitespace before the colon, no colon: RFC 9112 §5.1-5.2
      // say reject; accepting them is how requests get smuggled.
      if (!TOKEN.test(name)) {
        this.send_error(400, `Bad header line (${repr(text.slice(pos, end))})`);
        return false;
      }
      let v0 = colon + 1, v1 = end;
      while (v0 < v1 && is_ows(text.charCodeAt(v0))) v0++;
      while (v1 > v0 && is_ows(text.charCodeAt(v1 - 1))) v1--;
      const value = text.slice(v0, v1);
      if (value.includes("\0")) {
        this.send_error(
          400,
          `Bad header value (${repr(text.slice(pos, end))})`,
        );
        return false;
      }
      headers.append(name, value);
      // Only Host, Content-Length and Transfer-Encoding matter for framing.
      const c0 = name.charCodeAt(0) | 0x20;
      if (c0 === 0x68 || c0 === 0x63 || c0 === 0x74) {
        const lower = name.toLowerCase();
        if (lower === "host") hosts++;
        else if (lower === "content-length") cl.push(value);
        else if (lower === "transfer-encoding") te.push(value);
      }
      pos = lf + 1;
    }
    this.headers = headers;
    const http11 = this.request_version >= "HTTP/1.1";
    if ((http11 && hosts === 0) || hosts > 1) {
      this.send_error(
        400,
        hosts ? "Multiple Host headers" : "Missing Host header",
      );
      return false;
    }
    this.#body_length = 0;
    if (te.length > 0) {
      if (cl.length > 0) {
        this.send_error(400, "Both Content-Length and Transfer-Encoding");
        return false;
      }
      if (!http11) {
        this.send_error(400, "Transfer-Encoding in an HTTP/1.0 request");
        return false;
      }
      if (te.length !== 1 || te[0]!.toLowerCase() !== "chunked") {
        this.send_error(
          501,
          `Unsupported Transfer-Encoding (${repr(te.join(", "))})`,
        );
        return false;
      }
      this.#body_length = null;
    } else if (cl.length > 0) {
      const values = cl.length === 1 && !cl[0]!.includes(",")
        ? cl
        : cl.flatMap((v) => v.split(",")).map((v) => v.trim());
      const first = values[0]!;
      if (!/^\d{1,15}$/.test(first) || values.some((v) => v !== first)) {
        this.send_error(400, `Bad Content-Length (${repr(cl.join(", "))})`);
        return false;
      }
      this.#body_length = Number(first);
    }
    return true;
  }

  /** After do_X: a response that was not started or not finished. */
  #check_complete(name: string): void {
    if (this.request_version === "HTTP/0.9") return;
    if (!this.#responded) {
      this.log_error("%s() sent no response", name);
      this.close_connection = true;
    } else if (this.#head_open) {
      this.log_error("%s() did not call end_headers()", name);
      this.#wfile.discard();
      this.#headers_buffer = "";
      this.#head_open = false;
      this.send_error(500, "Incomplete response");
    } else if (
      this.#declared_length !== null && !this.#no_body &&
      this.#declared_length !== this.#wfile.body_bytes
    ) {
      this.log_error(
        "%s() wrote %d body bytes, Content-Length said %d",
        name,
        this.#wfile.body_bytes,
        this.#declared_length,
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
    this.#headers_buffer = "";
    this.#head_open = false;
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
    if (this.#head_open || this.#wfile.sent) {
      // A response is already under way: an error page cannot follow it.
      this.close_connection = true;
      return;
    }
    this.#wfile.discard();
    this.send_response(code, message);
    // Message body is omitted for 1xx, 204, 205 and 304 (RFC 9110 §15).
    let body: Uint8Array | null = null;
    if (code >= 200 && code !== 204 && code !== 205 && code !== 304) {
      body = encoder.encode(fill_error_page(
        this.error_message_format,
        code,
        html_escape(message),
        html_escape(explain),
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
      throw new TypeError(`Invalid reason phrase ${repr(message)}`);
    }
    this.#headers_buffer += `${this.protocol_version} ${code} ${message}\r\n`;
    this.#head_open = true;
    this.#status = code;
    if (code >= 200) {
      this.#responded = true;
      this.#connection_header = false;
      this.#declared_length = null;
      this.#chunked = false;
    }
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
      if (!this.#head_open) {
        throw new TypeError(
          `Cannot send header ${
            repr(keyword)
          }: call send_response() first, and send no header after end_headers()`,
        );
      }
      if (!TOKEN.test(keyword)) {
        throw new TypeError(`Invalid header name ${repr(keyword)}`);
      }
      // CR or LF in a value would let it inject headers or a response.
      if (BAD_VALUE.test(text)) {
        throw new TypeError(
          `Invalid value for header ${repr(keyword)}: ${repr(text)}`,
        );
      }
      this.#headers_buffer += `${keyword}: ${text}\r\n`;
    }
    // Only three names matter here; most headers skip the lowercasing.
    const n = keyword.length;
    if (n !== 10 && n !== 14 && n !== 17) return;
    const lower = keyword.toLowerCase();
    if (lower === "connection") {
      this.#connection_header = true;
      const v = text.toLowerCase();
      if (v === "close") this.close_connection = true;
      else if (v === "keep-alive") this.close_connection = false;
    } else if (lower === "content-length") {
      this.#declared_length = /^\d+$/.test(text.trim()) ? Number(text) : null;
    } else if (lower === "transfer-encoding") {
      this.#chunked = /(?:^|,)\s*chunked\s*$/i.test(text);
    }
  }

  /**
   * Ends the headers with a blank line and moves them to `wfile` (still
   * buffered; they are sent with the body or when the handler returns).
   */
  end_headers(): void {
    if (this.request_version === "HTTP/0.9") return;
    if (!this.#head_open) {
      throw new TypeError("Cannot end headers: call send_response() first");
    }
    const code = this.#status;
    const no_body = code < 200 || code === 204 || code === 304 ||
      this.command === "HEAD";
    if (code >= 200) {
      if (!no_body && this.#declared_length === null && !this.#chunked) {
        // Without a length the body can only end when the connection does.
        this.close_connection = true;
      }
      // RFC 9112 §9.6: say so when an HTTP/1.1 connection closes.
      if (
        this.close_connection && !this.#connection_header &&
        this.protocol_version >= "HTTP/1.1"
      ) {
        this.#headers_buffer += "Connection: close\r\n";
      }
    }
    this.#headers_buffer += "\r\n";
    this.#head_open = false;
    this.flush_headers();
    this.#no_body = no_body;
    this.#wfile.start_body(no_body);
  }

  /**
   * Moves the buffered headers to `wfile`. Called by a handler itself, it
   * leaves the head open for the handler to finish by writing to `wfile`
   * (as the CGI handler does with a script's output); the response then has
   * no known length, and the connection closes after it.
   */
  flush_headers(): void {
    if (this.#headers_buffer !== "") {
      this.#wfile.head(this.#headers_buffer);
      this.#headers_buffer = "";
    }
    if (this.#head_open) {
      this.#head_open = false;
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

/** A `do_*` method that ran past `request_timeout`. */
class HandlerTimeout extends Error {
  constructor(name: string, seconds: number) {
    super(`${name}() did not finish within ${seconds} seconds`);
    this.name = "HandlerTimeout";
  }
}

/** Whether an error means the client went away. */
function is_disconnect(err: unknown): boolean {
  return err instanceof Deno.errors.BrokenPipe ||
    err instanceof Deno.errors.ConnectionReset ||
    err instanceof Deno.errors.ConnectionAborted ||
    err instanceof Deno.errors.NotConnected ||
    err instanceof Deno.errors.BadResource ||
    err instanceof Deno.errors.Interrupted ||
    err instanceof Deno.errors.UnexpectedEof ||
    // TLS: the peer broke the session.
    err instanceof Deno.errors.InvalidData;
}
