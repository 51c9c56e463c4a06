/**
 * The head of a response a handler wrote, parsed back: status, headers and
 * how its body is framed. Pure: text in, a value or a `SyntaxError` out.
 *
 * @module
 */

/** How the body of a response ends. */
export type BodyFraming =
  | { kind: "none" }
  | { kind: "length"; length: number }
  | { kind: "chunked" }
  | { kind: "close" };

/** A parsed response head. */
export interface ResponseHead {
  /** The status code. */
  status: number;
  /** The reason phrase. */
  reason: string;
  /** The header fields, in order, hop-by-hop ones and `Date` left out. */
  headers: [string, string][];
  /** How the body ends. */
  framing: BodyFraming;
}

/** Fields of one connection (RFC 9110 §7.6.1): not for a `Response`. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
]);
/** The lengths of those names, of `content-length` and of `date`. */
const CHECKED_NAME_LENGTHS = new Set([10, 17, 7, 16, 14, 4]);

/**
 * Parses a response head (status line and header lines, without the blank
 * line that ends it), as written by a handler: lines end with CRLF, or
 * with LF alone where a CGI script wrote them.
 *
 * @example
 * ```ts
 * import { parse_response_head } from "./response_head.ts";
 * import assert from "node:assert/strict";
 *
 * const head = parse_response_head(
 *   "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close",
 *   "GET",
 * );
 * assert.equal(head.status, 200);
 * assert.deepEqual(head.headers, [["Content-Length", "2"]]);
 * assert.deepEqual(head.framing, { kind: "length", length: 2 });
 * ```
 *
 * @param text The head, decoded as ISO-8859-1.
 * @param method The request method (a `HEAD` response has no body).
 * @returns The head.
 * @throws {SyntaxError} When the status line is not one.
 */
export function parse_response_head(
  text: string,
  method: string,
): ResponseHead {
  let eol = line_end(text, 0);
  const status = status_of(text, eol);
  const reason = eol > 13 ? text.slice(13, eol) : "";
  const headers: [string, string][] = [];
  let length: number | null = null;
  let chunked = false;
  let next = text.indexOf("\n", eol);
  while (next !== -1) {
    const start = next + 1;
    eol = line_end(text, start);
    next = text.indexOf("\n", eol);
    const colon = text.indexOf(":", start);
    if (colon <= start || colon > eol) continue;
    const name = text.slice(start, colon);
    const value = text.slice(colon + 1, eol).trim();
    // Only these names matter, and only their lengths need lowercasing.
    if (CHECKED_NAME_LENGTHS.has(name.length)) {
      const lower = name.toLowerCase();
      if (lower === "transfer-encoding") {
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      } else if (lower === "content-length" && /^\d+$/.test(value)) {
        length = Number(value);
      }
      // Deno.serve sends its own Date in place of the handler's.
      if (HOP_BY_HOP.has(lower) || lower === "date") continue;
    }
    headers.push([name, value]);
  }
  let framing: BodyFraming;
  if (
    method === "HEAD" || status < 200 || status === 204 || status === 304
  ) {
    framing = { kind: "none" };
  } else if (chunked) {
    framing = { kind: "chunked" };
  } else if (length !== null) {
    framing = length === 0 ? { kind: "none" } : { kind: "length", length };
  } else {
    framing = { kind: "close" };
  }
  return { status, reason, headers, framing };
}

/** Where the line starting at `start` ends: its CR or LF, or the text's end. */
function line_end(text: string, start: number): number {
  const lf = text.indexOf("\n", start);
  if (lf === -1) return text.length;
  return lf > start && text.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf;
}

/**
 * The code of the status line `text[0..eol)`: `HTTP/d.d ddd`, then the end
 * or a space and the reason.
 */
function status_of(text: string, eol: number): number {
  const digit = (i: number) => {
    const c = text.charCodeAt(i);
    return c >= 0x30 && c <= 0x39;
  };
  if (
    text.startsWith("HTTP/") && digit(5) && text[6] === "." && digit(7) &&
    text[8] === " " && digit(9) && digit(10) && digit(11) &&
    (eol === 12 || text[12] === " ")
  ) return Number(text.slice(9, 12));
  const line = text.slice(0, eol);
  throw new SyntaxError(`Cannot parse status line ${JSON.stringify(line)}`);
}
