/**
 * Python's `cgi` form parser for Deno: {@linkcode FieldStorage},
 * {@linkcode MiniFieldStorage}, {@linkcode parse_header},
 * {@linkcode parse_multipart} and {@linkcode parse}, with Python's names and
 * results.
 *
 * Unlike Python's, the parser streams: the body is read once, in chunks,
 * and file parts larger than {@linkcode FieldStorage.spool_threshold} go to
 * temporary files, so memory does not grow with the upload. Bad input
 * throws a {@linkcode FormParseError} and leaves no temporary file behind.
 * Reading is asynchronous, so a form is created with
 * {@linkcode FieldStorage.from} instead of a constructor.
 *
 * @example Parsing an upload
 * ```ts
 * import { FieldStorage } from "./cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const body = new FormData();
 * body.append("name", "alvin");
 * body.append("datafile", new File(["print('hi')\n"], "hello.py"));
 * const request = new Request("http://localhost/", { method: "POST", body });
 *
 * await using form = await FieldStorage.from(request);
 * assert.deepEqual(form.keys(), ["name", "datafile"]);
 * assert.deepEqual(form.getvalue("name"), "alvin");
 * const file = form.get("datafile") as FieldStorage;
 * assert.deepEqual(file.filename, "hello.py");
 * assert.deepEqual(file.file?.size, 12);
 * ```
 *
 * @module
 */

export type { FormInput, PyReader } from "./_form/byte_source.ts";
export { FieldFile, type FieldFileHandle } from "./_form/field_file.ts";
export {
  BoundaryError,
  type FormLimit,
  FormLimitError,
  FormParseError,
  QueryFieldError,
  TruncatedBodyError,
} from "./_form/errors.ts";
export type { FormHeaders, HeadersLike } from "./_form/headers.ts";
export type {
  Environ,
  FieldStorageOptions,
  RequestOptions,
} from "./_form/options.ts";
export { parse_header } from "./_form/parse_header.ts";
export { MiniFieldStorage } from "./_form/mini_field_storage.ts";
export {
  FieldStorage,
  type FieldValue,
  type FormField,
} from "./_form/field_storage.ts";
export {
  parse,
  parse_multipart,
  type ParseMultipartOptions,
  type ParseOptions,
} from "./_form/parse.ts";
