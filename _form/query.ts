/**
 * Python's `urllib.parse.parse_qsl` for query strings and urlencoded bodies,
 * decoding percent-escapes with the form's `encoding` and `errors`.
 *
 * @module
 */

import { unquote } from "../_common/quote.ts";
import type { Decoder } from "./codec.ts";
import { QueryFieldError } from "./errors.ts";

/** Options of {@linkcode parse_qsl}, named as in Python. */
export interface QueryOptions {
  keep_blank_values: boolean;
  strict_parsing: boolean;
  decode: Decoder;
  separator: string;
}

/**
 * Counts fields as Python's `max_num_fields` check does (empty ones too).
 *
 * @example
 * ```ts
 * import { count_fields } from "./query.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(count_fields("a=1&&b", "&"), 3);
 * assert.equal(count_fields("", "&"), 0);
 * ```
 */
export function count_fields(qs: string, separator: string): number {
  return qs === "" ? 0 : qs.split(separator).length;
}

/**
 * Splits a query string into decoded `[name, value]` pairs, like Python's
 * `parse_qsl`. Under `strict_parsing`, a field without `=` (including an
 * empty one) or with a bad `%` escape throws a {@linkcode QueryFieldError}.
 *
 * @example
 * ```ts
 * import { parse_qsl } from "./query.ts";
 * import { decoder } from "./codec.ts";
 * import assert from "node:assert/strict";
 *
 * const options = {
 *   keep_blank_values: false,
 *   strict_parsing: false,
 *   decode: decoder("utf-8", "replace"),
 *   separator: "&",
 * };
 * assert.deepEqual(parse_qsl("a=%C3%BC+1&b=", options), [["a", "ü 1"]]);
 * ```
 */
export function parse_qsl(
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
    const on_bad_escape = options.strict_parsing
      ? () => {
        throw new QueryFieldError(
          `Bad percent-encoding in query field "${field}"`,
          field,
        );
      }
      : undefined;
    result.push([
      unquote(name.replaceAll("+", " "), options.decode, on_bad_escape),
      unquote(value.replaceAll("+", " "), options.decode, on_bad_escape),
    ]);
  }
  return result;
}
