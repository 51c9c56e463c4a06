/**
 * Python's `urllib.parse.parse_qsl` for query strings and urlencoded bodies,
 * decoding percent-escapes with the form's `encoding` and `errors`.
 *
 * @module
 */

import type { Decoder } from "./codec.ts";
import { QueryFieldError } from "./errors.ts";

/** Options of {@linkcode parseQsl}, named as in Python. */
export interface QueryOptions {
  keep_blank_values: boolean;
  strict_parsing: boolean;
  decode: Decoder;
  separator: string;
}

/** Counts fields as Python's `max_num_fields` check does (empty ones too). */
export function countFields(qs: string, separator: string): number {
  return qs === "" ? 0 : qs.split(separator).length;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** Percent-decodes one run of ASCII characters and decodes the bytes. */
function unquoteAscii(
  run: string,
  options: QueryOptions,
  field: string,
): string {
  const bytes = new Uint8Array(run.length);
  let n = 0;
  for (let i = 0; i < run.length; i++) {
    const code = run.charCodeAt(i);
    if (code === 0x25) {
      const hi = hexValue(run.charCodeAt(i + 1));
      const lo = hexValue(run.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
      if (options.strict_parsing) {
        throw new QueryFieldError(
          `Bad percent-encoding in query field "${field}"`,
          field,
        );
      }
    }
    bytes[n++] = code;
  }
  return options.decode(bytes.subarray(0, n));
}

/**
 * Python's `unquote`: ASCII runs are percent-decoded to bytes and decoded
 * together, other characters are kept as they are.
 */
function unquote(s: string, options: QueryOptions, field: string): string {
  if (!s.includes("%")) return s;
  let out = "";
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j < s.length && s.charCodeAt(j) >= 0x80) j++;
    out += s.slice(i, j);
    i = j;
    while (j < s.length && s.charCodeAt(j) < 0x80) j++;
    if (j > i) out += unquoteAscii(s.slice(i, j), options, field);
    i = j;
  }
  return out;
}

/**
 * Splits a query string into decoded `[name, value]` pairs, like Python's
 * `parse_qsl`. Under `strict_parsing`, a field without `=` (including an
 * empty one) or with a bad `%` escape throws a {@linkcode QueryFieldError}.
 */
export function parseQsl(
  qs: string,
  options: QueryOptions,
): [string, string][] {
  const result: [string, string][] = [];
  if (qs === "") return result;
  for (const field of qs.split(options.separator)) {
    if (field === "" && !options.strict_parsing) continue;
    const eq = field.indexOf("=");
    if (eq < 0) {
      if (options.strict_parsing) {
        throw new QueryFieldError(`Bad query field "${field}"`, field);
      }
      if (!options.keep_blank_values) continue;
    }
    const name = eq < 0 ? field : field.slice(0, eq);
    const value = eq < 0 ? "" : field.slice(eq + 1);
    if (value === "" && !options.keep_blank_values) continue;
    result.push([
      unquote(name.replaceAll("+", " "), options, field),
      unquote(value.replaceAll("+", " "), options, field),
    ]);
  }
  return result;
}
