/**
 * {@linkcode parse} and {@linkcode parse_multipart}: Python's `cgi.parse`
 * and `cgi.parse_multipart`, which give a record of value lists. Both read
 * through {@linkcode FieldStorage}, so the same bounds apply.
 *
 * @module
 */

import type { FormInput } from "./byte_source.ts";
import { QueryFieldError } from "./errors.ts";
import { FieldStorage, type FieldValue } from "./field_storage.ts";
import { check_boundary } from "./form_reader.ts";
import type { Environ } from "./options.ts";
import { parse_header } from "./parse_header.ts";
import { parse_qsl } from "./query.ts";
import { resolve_rules, URLENCODED } from "./request_input.ts";

/** The options of {@linkcode parse_multipart}, named as in Python. */
export interface ParseMultipartOptions {
  /**
   * Encoding of field values and part headers.
   *
   * @default {"utf-8"}
   */
  encoding?: string;
  /**
   * Python's decoding error handler.
   *
   * @default {"replace"}
   */
  errors?: string;
  /**
   * Separator of urlencoded fields in parts.
   *
   * @default {"&"}
   */
  separator?: string;
}

/**
 * Parses a multipart/form-data body into a record of value lists, like
 * Python's `cgi.parse_multipart`: text for plain fields, bytes for files.
 * Files are read into memory; use {@linkcode FieldStorage.from} for large
 * uploads. Parts without a name are left out.
 *
 * @param fp The body.
 * @param pdict The parameters of the Content-Type (`boundary`), and
 * optionally `CONTENT-LENGTH`.
 * @param options Decoding options.
 * @returns The values of each field name.
 *
 * @example
 * ```ts
 * import { parse_multipart } from "../cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const body = '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n';
 * const result = await parse_multipart([new TextEncoder().encode(body)], { boundary: "x" });
 * assert.deepEqual(result, { a: ["1"] });
 * ```
 */
export async function parse_multipart(
  fp: FormInput,
  pdict: { boundary: string | Uint8Array; "CONTENT-LENGTH"?: string },
  options: ParseMultipartOptions = {},
): Promise<Record<string, FieldValue[]>> {
  const boundary = typeof pdict.boundary === "string"
    ? pdict.boundary
    : String.fromCharCode(...pdict.boundary);
  const headers: Record<string, string> = {
    "content-type": `multipart/form-data; boundary="${boundary}"`,
  };
  if (pdict["CONTENT-LENGTH"] !== undefined) {
    headers["content-length"] = pdict["CONTENT-LENGTH"];
  }
  await using form = await FieldStorage.from({
    ...options,
    fp,
    headers,
    environ: { REQUEST_METHOD: "POST" },
  });
  const result: Record<string, FieldValue[]> = {};
  for (const key of form.keys()) {
    if (key !== null && key !== "__proto__") result[key] = form.getlist(key);
  }
  return result;
}

/** The options of {@linkcode parse}, named as in Python. */
export interface ParseOptions {
  /** The body; defaults to `Deno.stdin`. Read only for POST. */
  fp?: FormInput;
  /** The CGI environment; defaults to `Deno.env`. */
  environ?: Environ;
  /**
   * Keep fields with empty values.
   *
   * @default {false}
   */
  keep_blank_values?: boolean;
  /**
   * Throw a {@linkcode QueryFieldError} on a malformed field.
   *
   * @default {false}
   */
  strict_parsing?: boolean;
  /**
   * Separator of fields.
   *
   * @default {"&"}
   */
  separator?: string;
  /**
   * Encoding of the body and of percent-escapes (Python uses latin-1 for a
   * binary `fp`).
   *
   * @default {"utf-8"}
   */
  encoding?: string;
}

/**
 * Parses the query string, and for a POST the urlencoded or multipart body,
 * into a record of value lists, like Python's `cgi.parse`.
 *
 * @param options Where to read from and how.
 * @returns The values of each field name.
 *
 * @example
 * ```ts
 * import { parse } from "../cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const result = await parse({
 *   fp: [new TextEncoder().encode("a=1&b=2")],
 *   environ: { REQUEST_METHOD: "POST", CONTENT_TYPE: "application/x-www-form-urlencoded", QUERY_STRING: "a=0" },
 * });
 * assert.deepEqual(result, { a: ["1", "0"], b: ["2"] });
 * ```
 */
export async function parse(
  options: ParseOptions = {},
): Promise<Record<string, FieldValue[]>> {
  const environ = options.environ ?? Deno.env.toObject();
  const rules = resolve_rules(options);
  const method = (environ.REQUEST_METHOD ?? "GET").toUpperCase();
  const fields: [string, string][] = [];
  if (method === "POST") {
    const [ctype, pdict] = parse_header(environ.CONTENT_TYPE ?? "");
    if (ctype === "multipart/form-data") {
      // As in Python, the query string is not added to a multipart's fields.
      check_boundary(pdict.boundary ?? null, ctype);
      const multipart: { boundary: string; "CONTENT-LENGTH"?: string } = {
        boundary: pdict.boundary!,
      };
      if (environ.CONTENT_LENGTH !== undefined) {
        multipart["CONTENT-LENGTH"] = environ.CONTENT_LENGTH;
      }
      return await parse_multipart(
        options.fp ?? Deno.stdin.readable,
        multipart,
        { encoding: options.encoding ?? "utf-8", separator: rules.separator },
      );
    }
    if (ctype === URLENCODED) {
      // The body is read as FieldStorage reads it, within Content-Length
      // and max_urlencoded_size; the query string is joined below.
      await using form = await FieldStorage.from({
        ...options,
        fp: options.fp ?? Deno.stdin.readable,
        environ: { ...environ, QUERY_STRING: undefined },
      });
      for (const field of form.list ?? []) {
        fields.push([field.name ?? "", field.value as string]);
      }
      // Python's parse() joins a body and a defined QUERY_STRING with "&",
      // so an empty query string leaves an empty field that strict parsing
      // refuses.
      if (
        rules.strict_parsing && fields.length > 0 && environ.QUERY_STRING === ""
      ) {
        throw new QueryFieldError('Bad query field ""', "");
      }
    }
  }
  fields.push(...parse_qsl(environ.QUERY_STRING ?? "", rules));
  const result: Record<string, string[]> = {};
  for (const [key, value] of fields) {
    if (key === "__proto__") continue;
    (result[key] ??= []).push(value);
  }
  return result;
}
