/**
 * Where a form comes from: turns the options of `FieldStorage.from()` (or a
 * web `Request`) into the method, the headers, the body with its
 * Content-Length and limit, and the query string to add to a POST's
 * fields, as Python's `FieldStorage.__init__` does. `parse()` goes through
 * the same resolution, so both read a body within the same bounds.
 *
 * @module
 */

import type { FormInput } from "./byte_source.ts";
import { decoder } from "./codec.ts";
import { FormLimitError } from "./errors.ts";
import { type FormHeaders, header_get } from "./headers.ts";
import type { FieldStorageOptions, RequestOptions } from "./options.ts";
import type { QueryOptions } from "./query.ts";

/** The media type of a urlencoded form. */
export const URLENCODED = "application/x-www-form-urlencoded";

/** A resolved request: what the parser reads, and how far. */
export interface RequestInput {
  /** The request method, upper-cased. */
  method: string;
  headers: FormHeaders;
  fp: FormInput;
  /** The query string added to a POST's fields (CGI), else `null`. */
  qs_on_post: string | null;
  /** The enclosing boundary, when the input is one part of a multipart. */
  outerboundary: Uint8Array | null;
  /** The Content-Length, or -1. */
  length: number;
  limit: number;
}

/**
 * The decoding and query-string rules of `options`, shared by a form and
 * all its parts; throws a `TypeError` or `RangeError` on bad ones.
 *
 * @example
 * ```ts
 * import { resolve_rules } from "./request_input.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resolve_rules({ separator: ";" }).separator, ";");
 * assert.throws(() => resolve_rules({ separator: "" }), TypeError);
 * ```
 */
export function resolve_rules(options: FieldStorageOptions): QueryOptions {
  const separator = options.separator ?? "&";
  if (separator === "") {
    throw new TypeError("Cannot split fields on an empty separator");
  }
  return {
    keep_blank_values: options.keep_blank_values ?? false,
    strict_parsing: options.strict_parsing ?? false,
    separator,
    decode: decoder(options.encoding ?? "utf-8", options.errors ?? "replace"),
  };
}

/**
 * Resolves the options of `FieldStorage.from()` as Python does: the
 * environment defaults to `Deno.env` (and the body to `Deno.stdin`) when
 * neither is given; GET and HEAD read the query string as a urlencoded body;
 * without `headers`, they are made from `CONTENT_TYPE` and
 * `CONTENT_LENGTH`, and `QUERY_STRING` joins a POST's fields.
 *
 * @example
 * ```ts
 * import { resolve_input } from "./request_input.ts";
 * import assert from "node:assert/strict";
 *
 * const input = resolve_input({
 *   fp: [],
 *   environ: { REQUEST_METHOD: "post", CONTENT_LENGTH: " 12 ", QUERY_STRING: "a=1" },
 * });
 * assert.deepEqual([input.method, input.length, input.qs_on_post], ["POST", 12, "a=1"]);
 * ```
 */
export function resolve_input(options: FieldStorageOptions): RequestInput {
  const environ = options.environ ??
    (options.fp === undefined
      ? Deno.env.toObject()
      : { REQUEST_METHOD: "POST" });
  const method = (environ.REQUEST_METHOD ?? "GET").toUpperCase();
  let headers = options.headers;
  let qs_on_post: string | null = null;
  let fp: FormInput | undefined = options.fp;
  if (method === "GET" || method === "HEAD") {
    fp = [new TextEncoder().encode(environ.QUERY_STRING ?? "")];
    headers ??= { "content-type": URLENCODED };
  }
  if (headers === undefined) {
    const record: Record<string, string> = {};
    if (method === "POST") record["content-type"] = URLENCODED;
    if (environ.CONTENT_TYPE !== undefined) {
      record["content-type"] = environ.CONTENT_TYPE;
    }
    if (environ.QUERY_STRING !== undefined) qs_on_post = environ.QUERY_STRING;
    if (environ.CONTENT_LENGTH !== undefined) {
      record["content-length"] = environ.CONTENT_LENGTH;
    }
    headers = record;
  } else if (typeof headers !== "object" || headers === null) {
    throw new TypeError(`Cannot use headers of type ${typeof headers}`);
  }
  const outer = options.outerboundary;
  if (outer !== undefined && !(outer instanceof Uint8Array)) {
    throw new TypeError(
      "Cannot use an outerboundary that is not a Uint8Array",
    );
  }
  const clen = header_get(headers, "content-length")?.trim() ?? "";
  const length = /^\d+$/.test(clen) ? Number(clen) : -1;
  const limit = options.limit ?? Infinity;
  if (length > limit) {
    throw new FormLimitError(
      `Content-Length "${clen}" exceeds the limit of ${limit} bytes`,
      "limit",
      limit,
    );
  }
  return {
    method,
    headers,
    fp: fp ?? Deno.stdin.readable,
    qs_on_post,
    outerboundary: outer !== undefined && outer.length > 0 ? outer : null,
    length,
    limit,
  };
}

/**
 * The options for a web `Request`: its query string for GET and HEAD, its
 * body and headers otherwise.
 *
 * @example
 * ```ts
 * import { from_request } from "./request_input.ts";
 * import assert from "node:assert/strict";
 *
 * const options = from_request(new Request("http://localhost/?a=1"), {});
 * assert.deepEqual(options.environ, { REQUEST_METHOD: "GET", QUERY_STRING: "a=1" });
 * ```
 */
export function from_request(
  request: Request,
  options: RequestOptions,
): FieldStorageOptions {
  const environ = {
    REQUEST_METHOD: request.method,
    QUERY_STRING: new URL(request.url).search.slice(1),
  };
  if (request.method === "GET" || request.method === "HEAD") {
    return { ...options, environ };
  }
  return {
    ...options,
    environ,
    headers: request.headers,
    fp: request.body ?? [],
  };
}
