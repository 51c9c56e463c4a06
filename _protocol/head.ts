/**
 * Reading the head of a request (request line and header lines) from a
 * connection's buffer, within size limits and timeouts.
 *
 * @module
 */

import { BufferBudgetError, coarse_now, type Connection } from "./conn.ts";
import { decode_latin1 } from "../_common/latin1.ts";

const LF = 10;
const CR = 13;

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
  /** How long the whole head may take once its first byte arrived, in ms. */
  head_ms: number;
  /**
   * Most bytes that the buffers of all connections may hold beyond their
   * initial size (unfinished large heads): past it, a head is refused.
   */
  buffer_budget: number;
}

/** A request head, or why there is none. */
export type Head =
  /**
   * The head as text (ISO-8859-1): the header lines start at
   * `headers_start` and each ends with LF (CRLF checked: no bare CR
   * anywhere).
   */
  | { kind: "head"; text: string; headers_start: number }
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
  | { kind: "timeout" }
  /** The head needs more buffer than the process-wide budget leaves: 503. */
  | { kind: "busy" };

/** Where {@linkcode scan} got to in a head that is not complete yet. */
interface ScanState {
  /** Start of the line being scanned, relative to `io.start`. */
  line_start: number;
  /** Where to look for the next LF, relative to `io.start`. */
  scan: number;
  /** End of the request line (after its LF), once seen; else -1. */
  request_end: number;
  /** Header lines seen. */
  lines: number;
}

/**
 * Scans the buffered bytes for the end of the head; returns the head, an
 * error, or `null` when more bytes are needed. Blank lines before the
 * request line are consumed (RFC 9112 §2.2).
 */
function scan(io: Connection, limits: HeadLimits, st: ScanState): Head | null {
  const buf = io.buf;
  for (;;) {
    const lf = buf.indexOf(LF, io.start + st.scan);
    if (lf === -1 || lf >= io.end) break;
    const end = lf - io.start;
    const length = end + 1 - st.line_start;
    const blank = length === 1 ||
      (length === 2 && buf[io.start + st.line_start] === CR);
    if (st.request_end === -1) {
      if (length > limits.max_request_line) return { kind: "line_too_long" };
      if (blank) {
        // Skip it: the request line has not started yet.
        io.start += length;
        st.scan = st.line_start = 0;
        continue;
      }
      st.request_end = end + 1;
    } else if (blank) {
      return finish(io, st.request_end, end + 1);
    } else if (length > limits.max_header_line) {
      return line_too_long(io, st.request_end, limits);
    } else if (++st.lines > limits.max_headers) {
      return too_large(
        io,
        st.request_end,
        "Too many headers",
        `got more than ${limits.max_headers} headers`,
      );
    }
    st.line_start = st.scan = end + 1;
    if (st.scan > limits.max_head_bytes) {
      return head_too_large(io, st.request_end, limits);
    }
  }
  st.scan = io.end - io.start;
  const pending = st.scan - st.line_start;
  if (st.request_end === -1) {
    if (pending > limits.max_request_line) return { kind: "line_too_long" };
  } else if (pending > limits.max_header_line) {
    return line_too_long(io, st.request_end, limits);
  } else if (st.scan > limits.max_head_bytes) {
    return head_too_large(io, st.request_end, limits);
  }
  return null;
}

/**
 * Reads the next request head, waiting up to `idle_ms` for its first byte
 * and `limits.head_ms` for the rest. On success the head's bytes are consumed
 * from the buffer and the body, if any, starts at `io.start`.
 */
export async function read_head(
  io: Connection,
  limits: HeadLimits,
  idle_ms: number,
): Promise<Head> {
  const st: ScanState = { line_start: 0, scan: 0, request_end: -1, lines: 0 };
  let deadline = -1;
  for (;;) {
    if (io.buffered > 0) {
      const head = scan(io, limits, st);
      if (head) return head;
    }
    let got: boolean;
    if (io.buffered === 0 && st.request_end === -1) {
      // Between requests: the idle timeout applies.
      if (io.draining) return { kind: "eof" };
      io.idle = true;
      try {
        got = await io.fill(idle_ms);
      } finally {
        io.idle = false;
      }
      if (!got) return { kind: "eof" };
    } else {
      if (deadline === -1) deadline = coarse_now + limits.head_ms;
      const left = deadline - coarse_now;
      if (left <= 0) return { kind: "timeout" };
      try {
        got = await io.fill(left, 1, limits.buffer_budget);
      } catch (err) {
        if (err instanceof BufferBudgetError) return { kind: "busy" };
        throw err;
      }
      if (!got) {
        return { kind: io.closed_by === "timeout" ? "timeout" : "eof" };
      }
    }
  }
}

/** The first line of `text`, without its line ending. */
function request_line_of(text: string): string {
  const lf = text.indexOf("\n");
  const end = lf === -1 ? text.length : lf;
  return text.slice(
    0,
    end > 0 && text.charCodeAt(end - 1) === CR ? end - 1 : end,
  );
}

function too_large(
  io: Connection,
  request_end: number,
  message: string,
  explain: string,
): Head {
  return {
    kind: "headers_too_large",
    request_line: request_line_of(
      decode_latin1(io.buf.subarray(io.start, io.start + request_end)),
    ),
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

function finish(io: Connection, request_end: number, head_end: number): Head {
  const text = decode_latin1(io.buf.subarray(io.start, io.start + head_end));
  io.start += head_end;
  // A CR not followed by LF is a bare CR: RFC 9112 §2.2 lets us reject it.
  for (
    let cr = text.indexOf("\r");
    cr !== -1;
    cr = text.indexOf("\r", cr + 1)
  ) {
    if (text.charCodeAt(cr + 1) !== LF) {
      return { kind: "bad_line", request_line: request_line_of(text) };
    }
  }
  return { kind: "head", text, headers_start: request_end };
}
