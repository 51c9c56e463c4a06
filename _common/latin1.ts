/**
 * ISO-8859-1 (Latin-1), the charset of HTTP/1.x heads on the wire (RFC 9110
 * §5.5): one byte is one code point, both ways.
 *
 * @module
 */

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Decodes bytes as ISO-8859-1, exactly: every byte becomes the code point of
 * the same value.
 *
 * @example
 * ```ts
 * import { decode_latin1 } from "./latin1.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(decode_latin1(new Uint8Array([0x63, 0x61, 0x66, 0xe9])), "caf\u00e9");
 * ```
 *
 * @param bytes The bytes.
 * @returns The text, one code unit per byte.
 */
export function decode_latin1(bytes: Uint8Array): string {
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
 * Encodes text as ISO-8859-1: each code unit becomes one byte.
 *
 * @example
 * ```ts
 * import { encode_latin1 } from "./latin1.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(encode_latin1("caf\u00e9"), new Uint8Array([0x63, 0x61, 0x66, 0xe9]));
 * assert.throws(() => encode_latin1("\u0100"), TypeError);
 * ```
 *
 * @param text The text; every character must be U+00FF or below.
 * @returns The bytes.
 * @throws {TypeError} When a character is above U+00FF.
 */
export function encode_latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  // ASCII, the usual case, encodes natively: UTF-8 then writes one byte per
  // code unit, and only then does it fill the array exactly.
  const { read, written } = encoder.encodeInto(text, out);
  if (read === text.length && written === text.length) return out;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) {
      throw new TypeError(
        `Cannot encode ${JSON.stringify(text)} as ISO-8859-1: U+${
          c.toString(16).toUpperCase().padStart(4, "0")
        } at ${i}`,
      );
    }
    out[i] = c;
  }
  return out;
}
