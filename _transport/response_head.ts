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
  /** The header fields, in order, hop-by-hop ones left out. */
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

/**
 * Parses a response head (status line and header lines, without the blank
 * line that ends it), as written by a handler.
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
  const lines = text.split("\r\n");
  const status_line = lines[0]!;
  const match = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(status_line);
  if (!match) {
    throw new SyntaxError(
      `Cannot parse status line ${JSON.stringify(status_line)}`,
    );
  }
  const status = Number(match[1]);
  const headers: [string, string][] = [];
  let length: number | null = null;
  let chunked = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    if (lower === "transfer-encoding") {
      chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
    } else if (lower === "content-length" && /^\d+$/.test(value)) {
      length = Number(value);
    }
    if (!HOP_BY_HOP.has(lower)) headers.push([name, value]);
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
  return { status, reason: match[2] ?? "", headers, framing };
}
