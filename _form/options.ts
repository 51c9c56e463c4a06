/**
 * The options of {@linkcode FieldStorage.from}, named as in Python.
 *
 * @module
 */

import type { FormInput } from "./byte_source.ts";
import type { FormHeaders } from "./headers.ts";

/** A CGI environment, such as `Deno.env.toObject()`. */
export type Environ = Record<string, string | undefined>;

/** The options of {@linkcode FieldStorage.from}, named as in Python. */
export interface FieldStorageOptions {
  /**
   * The body. Defaults to `Deno.stdin` when `environ` is omitted too (the CGI
   * way); not read for GET and HEAD.
   */
  fp?: FormInput;
  /**
   * The request headers; when omitted they are taken from `environ`
   * (`CONTENT_TYPE`, `CONTENT_LENGTH`), as per CGI, and `QUERY_STRING` is
   * added to a POST's fields.
   */
  headers?: FormHeaders;
  /**
   * For a part of a multipart body: the enclosing boundary, up to which the
   * body is read. Python uses it internally.
   */
  outerboundary?: Uint8Array;
  /**
   * The CGI environment: `REQUEST_METHOD`, `QUERY_STRING`, `CONTENT_TYPE`,
   * `CONTENT_LENGTH`. Defaults to `Deno.env` when `fp` is omitted too, and to
   * `{ REQUEST_METHOD: "POST" }` when `fp` is given.
   */
  environ?: Environ;
  /**
   * Keep fields with empty values in urlencoded data.
   *
   * @default {false}
   */
  keep_blank_values?: boolean;
  /**
   * Throw a {@linkcode QueryFieldError} on a malformed urlencoded field.
   *
   * @default {false}
   */
  strict_parsing?: boolean;
  /**
   * The most body bytes to read: a larger Content-Length, or a body without
   * one that runs longer, throws a {@linkcode FormLimitError}. A body shorter
   * than its Content-Length throws a {@linkcode TruncatedBodyError}.
   */
  limit?: number;
  /**
   * Encoding of field values, part headers and percent-escapes.
   *
   * @default {"utf-8"}
   */
  encoding?: string;
  /**
   * Python's decoding error handler: `"replace"` or `"strict"`, and also
   * `"ignore"` and `"surrogateescape"` for ASCII.
   *
   * @default {"replace"}
   */
  errors?: string;
  /** The most fields a form may have, counted over nested parts too. */
  max_num_fields?: number;
  /**
   * Separator of urlencoded fields.
   *
   * @default {"&"}
   */
  separator?: string;
}

/** The options of {@linkcode FieldStorage.from} for a `Request`. */
export type RequestOptions = Omit<
  FieldStorageOptions,
  "fp" | "headers" | "environ" | "outerboundary"
>;
