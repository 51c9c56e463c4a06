/**
 * The lines of a response head as a handler asks for them: the status line
 * and header lines, checked so that nothing a request supplied can split
 * them or fail to encode.
 *
 * @module
 */

import { is_token } from "../_protocol/request_head.ts";
import { backslash_escape, repr } from "../_common/pyformat.ts";

// CR or LF would split the head; what is not ISO-8859-1 cannot be sent
// (Python raises UnicodeEncodeError in send_header()).
const BAD_VALUE = /[\r\n\0]|[^\0-\xff]/;
const LINE_BREAKING = /[\r\n\0]/;

/** The last status line made for each code, with what it was made from. */
interface StatusMemo {
  version: string;
  message: string;
  line: string;
}
const status_memo: (StatusMemo | undefined)[] = [];
/**
 * Header names already found to be tokens: a handler sends the same few
 * names on every response. Bounded, so that names built per request cannot
 * grow it without end.
 */
const token_names = new Set<string>();
const MAX_TOKEN_NAMES = 1024;

/**
 * A status line. A reason phrase with characters beyond ISO-8859-1 (RFC
 * 9110 §5.5) is escaped as Python's `backslashreplace` would: a reason
 * built from a request (a 404 for `/%C4%80`) must not make the answer fail.
 *
 * @param version The response's HTTP version.
 * @param code The status code, 100 to 999.
 * @param message The reason phrase.
 * @returns The line, with its CRLF.
 * @throws {RangeError} For a code out of range.
 * @throws {TypeError} For a reason holding CR, LF or NUL.
 *
 * @example
 * ```ts
 * import { status_line } from "./response_line.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(status_line("HTTP/1.0", 404, "No \u0100"), "HTTP/1.0 404 No \\u0100\r\n");
 * assert.throws(() => status_line("HTTP/1.0", 200, "OK\r\nX: y"), TypeError);
 * ```
 */
export function status_line(
  version: string,
  code: number,
  message: string,
): string {
  if (!Number.isInteger(code) || code < 100 || code > 999) {
    throw new RangeError(`Invalid status code ${code}`);
  }
  // The same status, version and reason on every response: built once.
  const memo = status_memo[code];
  if (
    memo !== undefined && memo.version === version && memo.message === message
  ) return memo.line;
  if (BAD_VALUE.test(message)) {
    if (LINE_BREAKING.test(message)) {
      throw new TypeError(`Invalid reason phrase ${repr(message)}`);
    }
    const escaped = message.replace(/[^\0-\xff]/gu, backslash_escape);
    return `${version} ${code} ${escaped}\r\n`;
  }
  const line = `${version} ${code} ${message}\r\n`;
  status_memo[code] = { version, message, line };
  return line;
}

/**
 * A header line, refused when the name is not a token or the value holds
 * CR, LF, NUL (which would let it inject headers or a response) or a
 * character beyond ISO-8859-1.
 *
 * @param keyword The header name.
 * @param text The value.
 * @returns The line, with its CRLF.
 * @throws {TypeError} For a bad name or value.
 *
 * @example
 * ```ts
 * import { header_line } from "./response_line.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(header_line("X-A", "1"), "X-A: 1\r\n");
 * assert.throws(() => header_line("X-A", "1\r\nSet-Cookie: a=b"), TypeError);
 * assert.throws(() => header_line("X A", "1"), TypeError);
 * ```
 */
export function header_line(keyword: string, text: string): string {
  if (!token_names.has(keyword)) {
    if (!is_token(keyword)) {
      throw new TypeError(`Invalid header name ${repr(keyword)}`);
    }
    if (token_names.size < MAX_TOKEN_NAMES) token_names.add(keyword);
  }
  if (BAD_VALUE.test(text)) {
    throw new TypeError(
      `Invalid value for header ${repr(keyword)}: ${repr(text)}`,
    );
  }
  return `${keyword}: ${text}\r\n`;
}
