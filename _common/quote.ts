/**
 * Percent-encoding with the semantics of Python's `urllib.parse.quote` and
 * `urllib.parse.unquote`.
 *
 * @module
 */

// encodeURIComponent leaves these unescaped; Python's quote escapes them.
const EXTRA_UNSAFE = /[!'()*]/g;
const HAS_EXTRA_UNSAFE = /[!'()*]/;
/** An ASCII character that `quote()` escapes unless `safe` names it. */
const UNSAFE_ASCII = /[^A-Za-z0-9_.\-~]/;
/** What `quote(s)` returns unchanged: letters, digits, `_.-~` and `/`. */
const ALWAYS_SAFE_OR_SLASH = /^[A-Za-z0-9_.\-~/]*$/;

/**
 * Percent-encodes one byte as `%XX` with upper-case hex digits (RFC 3986
 * §2.1 recommends upper case; Python's `quote` writes it).
 *
 * @param code The byte, 0 to 255.
 * @returns The escape, three characters.
 *
 * @example
 * ```ts
 * import { percent_encode_byte } from "./quote.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(percent_encode_byte(0x0a), "%0A");
 * assert.equal(percent_encode_byte(0xfc), "%FC");
 * ```
 */
export function percent_encode_byte(code: number): string {
  return "%" + code.toString(16).toUpperCase().padStart(2, "0");
}

function hex(c: string): string {
  return percent_encode_byte(c.charCodeAt(0));
}

/**
 * Percent-encodes `string` as UTF-8 like Python's `urllib.parse.quote`: ASCII
 * letters, digits, `_.-~` and the ASCII characters of `safe` stay as they are,
 * everything else becomes `%XX` (upper-case hex). A lone surrogate, which
 * Python would reject, is encoded as U+FFFD.
 *
 * @param string The text to encode.
 * @param safe Extra ASCII characters to leave unencoded.
 * @returns The encoded text.
 *
 * @example
 * ```ts
 * import { quote } from "./quote.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(quote("a b/ü&.txt"), "a%20b/%C3%BC%26.txt");
 * ```
 */
export function quote(string: string, safe = "/"): string {
  // Most names need no escape at all (a listing quotes every entry's).
  if (safe === "/" && ALWAYS_SAFE_OR_SLASH.test(string)) return string;
  let out = encodeURIComponent(string.toWellFormed());
  // Tested first: a replace() with a function costs even with no match.
  if (HAS_EXTRA_UNSAFE.test(out)) out = out.replace(EXTRA_UNSAFE, hex);
  for (const c of safe) {
    if (c.charCodeAt(0) < 0x80 && UNSAFE_ASCII.test(c)) {
      const escaped = hex(c);
      if (out.includes(escaped)) out = out.replaceAll(escaped, c);
    }
  }
  return out;
}

const utf8 = new TextDecoder();

function hex_value(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/**
 * Percent-decodes a run of ASCII characters to bytes, like Python's
 * `urllib.parse.unquote_to_bytes`: each `%XX` becomes one byte, every other
 * character its own code. A `%` not followed by two hex digits stays as it
 * is, after `on_bad_escape` (which may throw) is called.
 *
 * @param run The text, all of it ASCII.
 * @param on_bad_escape Called for each `%` that starts no escape.
 * @returns The bytes.
 *
 * @example
 * ```ts
 * import { unquote_to_bytes } from "./quote.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(unquote_to_bytes("a%20%zz"), new Uint8Array([0x61, 0x20, 0x25, 0x7a, 0x7a]));
 * ```
 */
export function unquote_to_bytes(
  run: string,
  on_bad_escape?: () => void,
): Uint8Array {
  const bytes = new Uint8Array(run.length);
  let n = 0;
  for (let i = 0; i < run.length; i++) {
    const code = run.charCodeAt(i);
    if (code === 0x25) {
      const hi = hex_value(run.charCodeAt(i + 1));
      const lo = hex_value(run.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
      on_bad_escape?.();
    }
    bytes[n++] = code;
  }
  return bytes.subarray(0, n);
}

/**
 * Decodes `%XX` escapes like Python's `urllib.parse.unquote`: runs of escaped
 * bytes are decoded with `decode` (UTF-8 by default, invalid sequences
 * becoming U+FFFD), and a `%` not followed by two hex digits stays as it is.
 * Characters outside ASCII pass through unchanged. `+` is not a space here
 * (that is `unquote_plus`).
 *
 * @param string The text to decode.
 * @param decode Turns the bytes of one ASCII run into text.
 * @param on_bad_escape Called for each `%` that starts no escape (it may
 * throw, as a strict query parser does).
 * @returns The decoded text.
 *
 * @example
 * ```ts
 * import { unquote } from "./quote.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(unquote("/a%20b/%C3%BC%zz"), "/a b/ü%zz");
 * ```
 */
export function unquote(
  string: string,
  decode: (bytes: Uint8Array) => string = (bytes) => utf8.decode(bytes),
  on_bad_escape?: () => void,
): string {
  if (!string.includes("%")) return string;
  // Python decodes each maximal ASCII run on its own, so an escape sequence
  // split by a literal non-ASCII character does not join across it.
  return string.replace(
    /[^\u0080-\uffff]+/g,
    (run) => decode(unquote_to_bytes(run, on_bad_escape)),
  );
}
