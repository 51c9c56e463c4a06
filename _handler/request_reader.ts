/**
 * Reading one request's head into a handler: the head from the connection,
 * then Python's `parse_request()` (request line, headers, `Connection`,
 * `Expect`) onto the handler's public attributes, with the body reader set
 * up for the framing the headers give.
 *
 * @module
 */

import type { Head } from "../_protocol/head.ts";
import { read_head } from "../_protocol/head.ts";
import {
  connection_option,
  type FieldsSeen,
  parse_fields,
  parse_request_line,
} from "../_protocol/request_head.ts";
import { HTTPMessage } from "../_protocol/message.ts";
import type { BaseHTTPRequestHandler } from "./base_handler.ts";
import type { Exchange } from "./exchange.ts";

/** `header_timeout` and `body_timeout` on a serial server, in seconds. */
const SERIAL_HEADER_TIMEOUT = 10;
const SERIAL_BODY_TIMEOUT = 60;

/**
 * Whether the head just parsed had a Connection or an Expect field, so that
 * the usual request, with neither, needs no lookup by name. Shared: a head
 * is parsed and applied without an await between.
 */
const seen: FieldsSeen = { connection: false, expect: false };
let seen_exact = false;

/** Whether a code unit is CR or LF. */
function is_line_end(c: number): boolean {
  return c === 0x0d || c === 0x0a;
}

/**
 * Reads the next request's head and parses it with the handler's
 * `parse_request()`.
 *
 * @param h The handler.
 * @param x Its connection state.
 * @returns Whether there is a request to serve; when not, an error
 *   response may be buffered.
 */
export async function read_request(
  h: BaseHTTPRequestHandler,
  x: Exchange,
): Promise<boolean> {
  // The limits are read once per connection, not per request.
  x.limits ??= {
    max_request_line: h.max_request_line,
    max_header_line: h.max_header_line,
    max_headers: h.max_headers,
    max_head_bytes: h.max_head_bytes,
    head_ms: (h.header_timeout ??
      (x.io.concurrent ? 60 : SERIAL_HEADER_TIMEOUT)) * 1000,
    buffer_budget: h.max_head_memory,
  };
  const idle_ms = x.seen_request
    ? h.keep_alive_timeout * 1000
    : x.limits.head_ms;
  let head: Head;
  try {
    head = await read_head(x.io, x.limits, idle_ms);
  } catch (err) {
    // The socket failed before a request arrived: a reset, or a TLS
    // handshake that went wrong (a plain-HTTP client on an HTTPS port).
    // The client's problem, worth one line, not a traceback or a 500.
    h.close_connection = true;
    h.log_error(
      "Cannot read a request: %s",
      err instanceof Error ? err.message : String(err),
    );
    return false;
  }
  x.seen_request = true;
  switch (head.kind) {
    case "eof":
      h.close_connection = true;
      return false;
    case "timeout":
      h.close_connection = true;
      h.log_error("Request timed out: %r", "timed out");
      return false;
    case "busy":
      refuse_unread(h, 503, "Too many large request heads in progress");
      return false;
    case "line_too_long":
      refuse_unread(h, 414);
      return false;
    case "bad_line":
      x.raw_requestline = head.request_line + "\r\n";
      x.head_text = "";
      x.head_error = [400, "Bare CR in request head", undefined];
      break;
    case "headers_too_large":
      x.raw_requestline = head.request_line + "\r\n";
      x.head_text = "";
      x.head_error = [431, head.message, head.explain];
      break;
    case "head":
      x.raw_requestline = head.text.slice(0, head.headers_start);
      x.head_text = head.text;
      x.headers_start = head.headers_start;
  }
  try {
    return h.parse_request();
  } finally {
    x.head_error = null;
  }
}

/** Answers a request whose line could not be read at all. */
function refuse_unread(
  h: BaseHTTPRequestHandler,
  code: number,
  message?: string,
): void {
  h.requestline = "";
  h.request_version = "";
  h.command = "";
  h.send_error(code, message);
}

/**
 * Python's `parse_request()`: the request line and the headers into
 * `command`, `path`, `request_version` and `headers`, and the framing of
 * the body. On failure the error response is already buffered.
 *
 * @param h The handler.
 * @param x Its connection state.
 * @returns Whether the request can be served.
 */
export function parse_request(
  h: BaseHTTPRequestHandler,
  x: Exchange,
): boolean {
  h.command = null;
  x.http11 = false;
  h.request_version = h.default_request_version;
  h.close_connection = true;
  let cut = x.raw_requestline.length;
  while (cut > 0 && is_line_end(x.raw_requestline.charCodeAt(cut - 1))) {
    cut--;
  }
  const requestline = x.raw_requestline.slice(0, cut);
  h.requestline = requestline;
  const line = parse_request_line(requestline);
  if (line === null) return false;
  if (line.kind === "refused") {
    // Never a headerless (HTTP/0.9) error: a client that sent a broken
    // line is told so with a status line (issue 16 item 12).
    h.request_version = line.version ?? "HTTP/1.0";
    h.send_error(line.code, line.message);
    return false;
  }
  const [major, minor] = line.version_number;
  x.http11 = major > 1 || (major === 1 && minor >= 1);
  if (line.version !== null) {
    h.request_version = line.version;
    h.close_connection = !(x.http11 && h.protocol_version >= "HTTP/1.1");
  }
  h.command = line.command;
  // Collapse leading slashes so that "//host/x" cannot be taken for a
  // scheme-relative URL (gh-87389).
  const path = line.path;
  h.path = path.startsWith("//") ? "/" + path.replace(/^\/+/, "") : path;

  if (x.head_error) {
    // The head could not be read whole: answer where Python parses the
    // headers, before the checks that need them (Host).
    h.send_error(...x.head_error);
    return false;
  }
  if (!parse_headers(h, x)) return false;
  apply_connection(h);
  return expect_100(h, x);
}

/**
 * Parses the header lines into `headers`, rejecting the shapes that smuggle
 * requests, and checks Host and the body's framing (see `parse_fields()`);
 * sets the body length.
 */
function parse_headers(h: BaseHTTPRequestHandler, x: Exchange): boolean {
  const headers = new h.MessageClass();
  const framing = parse_fields(
    x.head_text,
    x.headers_start,
    headers,
    x.http11,
    seen,
  );
  h.headers = headers;
  // A plain HTTPMessage answers as the parse saw; a subclass is asked.
  seen_exact = Object.getPrototypeOf(headers) === HTTPMessage.prototype;
  if (framing.kind === "refused") {
    h.send_error(framing.code, framing.message);
    return false;
  }
  x.body_length = framing.body_length;
  return true;
}

/** `Connection: close` or `keep-alive` from the client (RFC 9112 §9.3). */
function apply_connection(h: BaseHTTPRequestHandler): void {
  if (seen_exact && !seen.connection) return;
  if (h.headers.get("Connection") === undefined) return;
  // Every Connection field counts, each a list (RFC 9110 §7.6.1).
  const values = h.headers.get_all("Connection")!;
  const option = connection_option(values.join(","));
  if (option === "close") {
    h.close_connection = true;
  } else if (option === "keep-alive" && h.protocol_version >= "HTTP/1.1") {
    h.close_connection = false;
  }
}

/**
 * Answers `Expect: 100-continue` and sets up the body reader; false when
 * `handle_expect_100()` refused the request.
 */
function expect_100(h: BaseHTTPRequestHandler, x: Exchange): boolean {
  // Python answers Expect only under protocol_version HTTP/1.1, so its
  // HTTP/1.0 servers make curl wait a second before each large upload.
  // RFC 9110 §10.1.1 allows a 100 to any HTTP/1.1 client, and ours goes
  // out only when the handler starts reading the body.
  const expect = seen_exact && !seen.expect
    ? ""
    : (h.headers.get("Expect") ?? "").toLowerCase();
  if (expect === "100-continue" && x.http11) {
    if (!h.handle_expect_100()) return false;
    x.res.expect_continue = true;
  }
  const body_s = h.body_timeout ??
    (x.io.concurrent ? Infinity : SERIAL_BODY_TIMEOUT);
  x.rfile.reset(
    x.body_length,
    x.res.expect_continue ? () => x.send_continue() : null,
    body_s * 1000,
  );
  return true;
}
