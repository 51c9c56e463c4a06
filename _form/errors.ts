/**
 * Errors thrown by the form parser (`cgi.ts`). They all extend
 * {@linkcode FormParseError}, so a server can answer any of them with 400.
 *
 * @module
 */

/**
 * Base class of every error about bad form input: catch it to answer 400.
 *
 * @example
 * ```ts
 * import { FieldStorage, FormParseError } from "../cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const error = await FieldStorage.from({
 *   fp: [new TextEncoder().encode("--x\r\n")],
 *   environ: { REQUEST_METHOD: "POST", CONTENT_TYPE: "multipart/form-data; boundary=x" },
 * }).catch((e) => e);
 * assert.ok(error instanceof FormParseError);
 * ```
 */
export class FormParseError extends SyntaxError {
  /**
   * Creates the error.
   *
   * @param message One sentence, no trailing period.
   */
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A multipart body whose boundary is missing from its content type or is not
 * valid (RFC 2046 section 5.1.1: 1 to 70 printable ASCII characters; like
 * Python, up to 201 are accepted).
 *
 * @example
 * ```ts
 * import { BoundaryError } from "../cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new BoundaryError('Invalid multipart boundary "a b "', "a b ");
 * assert.deepEqual(error.boundary, "a b ");
 * ```
 */
export class BoundaryError extends FormParseError {
  /** The offending boundary, or `null` when there was none. */
  readonly boundary: string | null;

  /**
   * Creates the error.
   *
   * @param message One sentence, no trailing period.
   * @param boundary The offending boundary, or `null` when there was none.
   */
  constructor(message: string, boundary: string | null) {
    super(message);
    this.boundary = boundary;
  }
}

/**
 * A body that ended too early: before its Content-Length, or before the final
 * boundary of a multipart body (a client that aborted its upload).
 *
 * @example
 * ```ts
 * import { TruncatedBodyError } from "../cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new TruncatedBodyError("Body ended after 3 of 10 bytes", 3, 10);
 * assert.deepEqual([error.bytes_read, error.expected], [3, 10]);
 * ```
 */
export class TruncatedBodyError extends FormParseError {
  /** How many body bytes were read before the body ended. */
  readonly bytes_read: number;
  /** The Content-Length, or -1 when the body had none. */
  readonly expected: number;

  /**
   * Creates the error.
   *
   * @param message One sentence, no trailing period.
   * @param bytes_read How many body bytes were read.
   * @param expected The Content-Length, or -1 when the body had none.
   */
  constructor(message: string, bytes_read: number, expected: number) {
    super(message);
    this.bytes_read = bytes_read;
    this.expected = expected;
  }
}

/** Which limit a {@linkcode FormLimitError} is about. */
export type FormLimit =
  | "max_num_fields"
  | "max_multipart_depth"
  | "max_header_size"
  | "max_urlencoded_size"
  | "limit";

/**
 * A form over one of the parser's limits: more fields than `max_num_fields`,
 * multiparts nested deeper than `max_multipart_depth`, a part's headers over
 * `max_header_size`, a URL-encoded body over
 * `max_urlencoded_size`, or a body over `limit`.
 *
 * @example
 * ```ts
 * import { FormLimitError } from "../cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new FormLimitError("Form has more than 2 fields", "max_num_fields", 2);
 * assert.deepEqual([error.kind, error.limit], ["max_num_fields", 2]);
 * ```
 */
export class FormLimitError extends FormParseError {
  /** The name of the option or attribute that set the limit. */
  readonly kind: FormLimit;
  /** The value of the limit. */
  readonly limit: number;

  /**
   * Creates the error.
   *
   * @param message One sentence, no trailing period.
   * @param kind The name of the option or attribute that set the limit.
   * @param limit The value of the limit.
   */
  constructor(message: string, kind: FormLimit, limit: number) {
    super(message);
    this.kind = kind;
    this.limit = limit;
  }
}

/**
 * A field of a query string or urlencoded body rejected by `strict_parsing`:
 * no `=`, or a `%` not followed by two hex digits.
 *
 * @example
 * ```ts
 * import { parse, QueryFieldError } from "../cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const error = await parse({
 *   environ: { QUERY_STRING: "a=1&b" },
 *   strict_parsing: true,
 * }).catch((e) => e);
 * assert.deepEqual(error instanceof QueryFieldError && error.field, "b");
 * ```
 */
export class QueryFieldError extends FormParseError {
  /** The offending field, as it appeared between separators. */
  readonly field: string;

  /**
   * Creates the error.
   *
   * @param message One sentence, no trailing period.
   * @param field The offending field.
   */
  constructor(message: string, field: string) {
    super(message);
    this.field = field;
  }
}
