/**
 * The value of `-H/--header "Name: value"` (Python 3.15's `--header`).
 *
 * @module
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// field-value: visible ISO-8859-1 characters, spaces and tabs; no CR, LF,
// NUL or other controls (RFC 9110 §5.5), which would split the response.
// deno-lint-ignore no-control-regex
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]|[^\x00-\xff]/;

/**
 * Parses one `--header` value into a name and a value, the value's
 * surrounding whitespace dropped.
 *
 * @param text `Name: value`.
 * @returns The `[name, value]` pair.
 * @throws {SyntaxError} When there is no colon, the name is not a token, or
 *   the value holds a control character or a character beyond ISO-8859-1.
 *
 * @example
 * ```ts
 * import { parse_header_option } from "./header_option.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   parse_header_option("Cross-Origin-Opener-Policy:  same-origin "),
 *   ["Cross-Origin-Opener-Policy", "same-origin"],
 * );
 * assert.throws(() => parse_header_option("X-A: b\r\nX-B: c"), SyntaxError);
 * ```
 */
export function parse_header_option(text: string): [string, string] {
  const colon = text.indexOf(":");
  if (colon < 0) {
    throw new SyntaxError(
      `expected "Name: value", got ${JSON.stringify(text)}`,
    );
  }
  const name = text.slice(0, colon);
  const value = text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
  if (!TOKEN.test(name)) {
    throw new SyntaxError(`invalid header name ${JSON.stringify(name)}`);
  }
  if (BAD_VALUE.test(value)) {
    throw new SyntaxError(`invalid header value ${JSON.stringify(value)}`);
  }
  return [name, value];
}
