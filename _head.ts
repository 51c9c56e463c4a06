/**
 * Reading the head of a request (request line and header lines) from a
 * connection's buffer, within size limits and timeouts.
 *
 * @module
 */

import type { Connection } from "./_conn.ts";

const LF = 10;
const CR = 13;
const utf8 = new TextDecoder();

/** Limits and timeouts for reading one request head. */
export interface HeadLimits {
  /** Longest request line, line ending included (Python: 65536). */
  max_request_line: number;
  /** Longest header line (Python's `http.client._MAXLINE`: 65536). */
  max_header_line: number;
  /** Most header lines (Python's `http.client._MAXHEADERS`: 100). */
  max_headers: number;
  /** Most bytes in the whole head. */
  max_head_bytes: number;
  /** How long to wait for the first byte, in ms. */
  idle_ms: number;
  /** How long the whole head may take once its first byte arrived, in ms. */
  head_ms: number;
}

/** A request head, or why there is none. */
export type Head =
  | { kind: "head"; request_line: string; header_lines: string[] }
  /** The request line was too long: Python answers 414. */
  | { kind: "line_too_long" }
  /** A header line too long, too many headers or too many bytes: 431. */
  | {
    kind: "headers_too_large";
    request_line: string;
    message: string;
    /** The explanation on the error page: Python's exception text. */
    explain: string;
  }
  /** A bare CR in a line: 400. */
  | { kind: "bad_line"; request_line: string }
  /** The client closed the connection (or sent nothing before the idle timeout). */
  | { kind: "eof" }
  /** The head did not arrive in time. */
  | { kind: "timeout" };

/** Decodes bytes as ISO-8859-1, exactly (every byte is one code point). */
export function latin1(bytes: Uint8Array): string {
  // Pure ASCII, the usual case, decodes natively: UTF-8 then gives one code
  // unit per byte and no replacement character.
  const s = utf8.decode(bytes);
  if (s.length === bytes.length && !s.includes("\uFFFD")) return s;
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/**
 * Reads the next request head. Blank lines before the request line are
 * skipped (RFC 9112 §2.2). On success the head's bytes are consumed from the
 * buffer and the body, if any, starts at `io.start`.
 */
export async function read_head(
  io: Connection,
  limits: HeadLimits,
): Promise<Head> {
  if (io.buffered === 0 && !(await wait_for_request(io, limits.idle_ms))) {
    return { kind: "eof" };
  }
  const deadline = Date.now() + limits.head_ms;
  // Offsets below are relative to io.start, which fill() may move.
  let line_start = 0; // start of the line being scanned
  let scan = 0; // where to look for the next LF
  let request_end = -1; // end of the request line, once seen
  let lines = 0; // header lines seen
  for (;;) {
    const lf = io.buf.indexOf(LF, io.start + scan);
    if (lf !== -1 && lf < io.end) {
      const end = lf - io.start;
      const length = end + 1 - line_start;
      const blank = length === 1 ||
        (length === 2 && io.buf[io.start + line_start] === CR);
      if (request_end === -1) {
        if (length > limits.max_request_line) return { kind: "line_too_long" };
        if (blank) {
          // Skip it: the request line has not started yet.
          io.start += length;
          scan = line_start = 0;
          if (
            io.buffered === 0 && !(await wait_for_request(io, limits.idle_ms))
          ) {
            return { kind: "eof" };
          }
          continue;
        }
        request_end = end + 1;
      } else if (blank) {
        return finish(io, end + 1);
      } else if (length > limits.max_header_line) {
        return line_too_long(io, request_end, limits);
      } else if (++lines > limits.max_headers) {
        return too_large(
          io,
          request_end,
          "Too many headers",
          `got more than ${limits.max_headers} headers`,
        );
      }
      line_start = scan = end + 1;
      if (scan > limits.max_head_bytes) {
        return head_too_large(io, request_end, limits);
      }
      continue;
    }
    scan = io.buffered;
    const pending = scan - line_start;
    if (request_end === -1) {
      if (pending > limits.max_request_line) return { kind: "line_too_long" };
    } else if (pending > limits.max_header_line) {
      return line_too_long(io, request_end, limits);
    } else if (scan > limits.max_head_bytes) {
      return head_too_large(io, request_end, limits);
    }
    const left = deadline - Date.now();
    if (left <= 0) return { kind: "timeout" };
    if (!(await io.fill(left))) {
      return { kind: io.closed_by === "timeout" ? "timeout" : "eof" };
    }
  }
}

/**
 * Waits for the first byte of a request; false when the connection ends, the
 * idle timeout passes or the server is shutting down.
 */
async function wait_for_request(
  io: Connection,
  idle_ms: number,
): Promise<boolean> {
  if (io.draining) return false;
  io.idle = true;
  try {
    return await io.fill(idle_ms);
  } finally {
    io.idle = false;
  }
}

function request_line_of(io: Connection, request_end: number): string {
  let end = request_end - 1;
  if (end > 0 && io.buf[io.start + end - 1] === CR) end--;
  return latin1(io.buf.subarray(io.start, io.start + end));
}

function too_large(
  io: Connection,
  request_end: number,
  message: string,
  explain: string,
): Head {
  return {
    kind: "headers_too_large",
    request_line: request_line_of(io, request_end),
    message,
    explain,
  };
}

// Python answers with http.client's exception text as the explanation.
function line_too_long(
  io: Connection,
  request_end: number,
  limits: HeadLimits,
): Head {
  return too_large(
    io,
    request_end,
    "Line too long",
    `got more than ${limits.max_header_line} bytes when reading header line`,
  );
}

function head_too_large(
  io: Connection,
  request_end: number,
  limits: HeadLimits,
): Head {
  return too_large(
    io,
    request_end,
    "Request head too large",
    `got more than ${limits.max_head_bytes} bytes of request head`,
  );
}

function finish(io: Connection, head_end: number): Head {
  const text = latin1(io.buf.subarray(io.start, io.start + head_end));
  io.start += head_end;
  const lines = text.split("\n");
  lines.pop(); // after the final LF
  lines.pop(); // the blank line
  let bad = false;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith("\r")) line = lines[i] = line.slice(0, -1);
    // A CR anywhere else is a bare CR: RFC 9112 §2.2 lets us reject it.
    if (line.includes("\r")) bad = true;
  }
  const request_line = lines.shift()!;
  if (bad) return { kind: "bad_line", request_line };
  return { kind: "head", request_line, header_lines: lines };
}
