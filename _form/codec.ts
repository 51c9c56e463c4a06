/**
 * Bytes to text with Python's `encoding` and `errors` arguments.
 *
 * Latin-1 and ASCII are decoded here, exactly: WHATWG's `TextDecoder`
 * treats "latin1" as windows-1252. Other encodings go through
 * `TextDecoder`, which supports the `strict` and `replace` error handlers.
 *
 * @module
 */

import { decode_latin1 } from "../_common/latin1.ts";
import { FormParseError } from "./errors.ts";

/** Turns bytes into text; throws a {@linkcode FormParseError} under `strict`. */
export type Decoder = (bytes: Uint8Array) => string;

const LATIN1 = new Set([
  "latin-1",
  "latin1",
  "iso-8859-1",
  "iso8859-1",
  "8859",
  "cp819",
  "l1",
]);
const ASCII = new Set(["ascii", "us-ascii", "646"]);

function ascii(errors: string): Decoder {
  const bad: Record<string, (b: number) => string> = {
    strict: (b) => {
      throw new FormParseError(
        `Cannot decode byte 0x${b.toString(16)} as "ascii"`,
      );
    },
    replace: () => "\ufffd",
    ignore: () => "",
    surrogateescape: (b) => String.fromCharCode(0xdc00 + b),
  };
  const on_error = bad[errors];
  if (on_error === undefined) throw unsupported(errors, "ascii");
  return (bytes) => {
    if (bytes.every((b) => b < 0x80)) return decode_latin1(bytes);
    let out = "";
    for (const b of bytes) {
      out += b < 0x80 ? String.fromCharCode(b) : on_error(b);
    }
    return out;
  };
}

function unsupported(errors: string, encoding: string): TypeError {
  return new TypeError(
    `Cannot use error handler "${errors}" with encoding "${encoding}"`,
  );
}

/**
 * Returns a decoder for Python's `encoding` and `errors`, or throws a
 * `TypeError` (unknown error handler) or `RangeError` (unknown encoding).
 */
export function decoder(encoding: string, errors: string): Decoder {
  const name = encoding.trim().toLowerCase().replaceAll("_", "-");
  if (LATIN1.has(name)) return decode_latin1;
  if (ASCII.has(name)) return ascii(errors);
  if (errors !== "strict" && errors !== "replace") {
    throw unsupported(errors, encoding);
  }
  const text = new TextDecoder(name, {
    fatal: errors === "strict",
    ignoreBOM: true, // Python keeps a BOM as U+FEFF
  });
  return (bytes) => {
    try {
      return text.decode(bytes);
    } catch {
      throw new FormParseError(`Cannot decode bytes as "${encoding}"`);
    }
  };
}
