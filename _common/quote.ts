/**
 * Percent-encoding with the semantics of Python's `urllib.parse.quote` and
 * `urllib.parse.unquote`.
 *
 * @module
 */

// encodeURIComponent leaves these unescaped; Python's quote escapes them.
const EXTRA_UNSAFE = /[!'()*]/g;

function hex(c: string): string {
  return "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0");
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
 * if (quote("a b/ü&.txt") !== "a%20b/%C3%BC%26.txt") throw new Error();
 * ```
 */
export function quote(string: string, safe = "/"): string {
  let out = encodeURIComponent(string.toWellFormed()).replace(
    EXTRA_UNSAFE,
    hex,
  );
  for (const c of safe) {
    if (c.charCodeAt(0) < 0x80 && /[^A-Za-z0-9_.\-~]/.test(c)) {
      const escaped = hex(c);
      if (out.includes(escaped)) out = out.replaceAll(escaped, c);
    }
  }
  return out;
}

const decoder = new TextDecoder();

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) ||
    (code >= 0x61 && code <= 0x66);
}

function unquoteAscii(run: string): string {
  const bytes = new Uint8Array(run.length);
  let n = 0;
  for (let i = 0; i < run.length; i++) {
    const code = run.charCodeAt(i);
    if (
      code === 0x25 && i + 2 < run.length && isHex(run.charCodeAt(i + 1)) &&
      isHex(run.charCodeAt(i + 2))
    ) {
      bytes[n++] = parseInt(run.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      bytes[n++] = code;
    }
  }
  return decoder.decode(bytes.subarray(0, n));
}

/**
 * Decodes `%XX` escapes like Python's `urllib.parse.unquote`: runs of escaped
 * bytes are decoded as UTF-8, invalid sequences become U+FFFD, and a `%` not
 * followed by two hex digits stays as it is. Characters outside ASCII pass
 * through unchanged. `+` is not a space here (that is `unquote_plus`).
 *
 * @param string The text to decode.
 * @returns The decoded text.
 *
 * @example
 * ```ts
 * import { unquote } from "./quote.ts";
 * if (unquote("/a%20b/%C3%BC%zz") !== "/a b/ü%zz") throw new Error();
 * ```
 */
export function unquote(string: string): string {
  if (!string.includes("%")) return string;
  // Python decodes each maximal ASCII run on its own, so an escape sequence
  // split by a literal non-ASCII character does not join across it.
  return string.replace(
    /[^\u0080-\uffff]+/g,
    (run) => run.includes("%") ? unquoteAscii(run) : run,
  );
}
