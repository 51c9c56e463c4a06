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

import {
  ByteSource,
  type ChunkProducer,
  concat,
  type FormInput,
  toProducer,
} from "./_form/byte_source.ts";
import { type Decoder, decoder } from "./_form/codec.ts";
import { FieldFile } from "./_form/field_file.ts";
import { BoundaryError, FormLimitError } from "./_form/errors.ts";
import { MultipartReader, parsePartHeaders } from "./_form/multipart.ts";
import { countFields, parseQsl } from "./_form/query.ts";

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

/**
 * Anything with a `get(name)` for header lookups: a web `Headers`, the HTTP
 * server's `HTTPMessage`, or your own.
 */
export interface HeadersLike {
  /**
   * Returns the value of header `name` (case-insensitive).
   *
   * @param name The header name.
   * @returns The value, or `null`/`undefined` when absent.
   */
  get(name: string): string | null | undefined;
}

/**
 * Request or part headers: a {@linkcode HeadersLike}, or a record of strings
 * looked up case-insensitively (parts get a record keyed in lower case).
 */
export type FormHeaders = HeadersLike | Record<string, string>;

/** A CGI environment, such as `Deno.env.toObject()`. */
export type Environ = Record<string, string | undefined>;

/** One entry of a form's {@linkcode FieldStorage.list}. */
export type FormField = FieldStorage | MiniFieldStorage;

/**
 * The `value` of a field: text for a plain field, bytes for a file (a part
 * with a filename), the list of parts for a multipart, or `null`.
 */
export type FieldValue = string | Uint8Array | FormField[] | null;

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

const URLENCODED = "application/x-www-form-urlencoded";

/** Per-parse state shared by a form and its parts. */
interface Context {
  files: FieldFile[];
  fields: number;
  max_num_fields: number;
}

function headerGet(headers: FormHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as HeadersLike).get(name) ?? undefined;
  }
  const record = headers as Record<string, string>;
  if (Object.hasOwn(record, name)) return record[name];
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === name) return record[key];
  }
  return undefined;
}

function quotedCount(s: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    if (s[i] === '"' && s[i - 1] !== "\\") n++;
  }
  return n;
}

/**
 * Parses a Content-Type-like header into its main value and its parameters,
 * like Python's `cgi.parse_header`: parameter names are lower-cased, quoted
 * values unquoted, and `;` inside quotes kept.
 *
 * @param line The header value.
 * @returns The main value and a record of the parameters.
 *
 * @example
 * ```ts
 * import { parse_header } from "./cgi.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   parse_header('form-data; name="files"; filename="fo\\"o;bar"'),
 *   ["form-data", { name: "files", filename: 'fo"o;bar' }],
 * );
 * ```
 */
export function parse_header(
  line: string,
): [key: string, pdict: Record<string, string>] {
  const parts: string[] = [];
  let s = ";" + line;
  while (s.startsWith(";")) {
    s = s.slice(1);
    let end = s.indexOf(";");
    while (end > 0 && quotedCount(s, end) % 2) end = s.indexOf(";", end + 1);
    if (end < 0) end = s.length;
    parts.push(s.slice(0, end).trim());
    s = s.slice(end);
  }
  const pdict: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const i = p.indexOf("=");
    if (i < 0) continue;
    const name = p.slice(0, i).trim().toLowerCase();
    let value = p.slice(i + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replaceAll("\\\\", "\\").replaceAll(
        '\\"',
        '"',
      );
    }
    if (name !== "__proto__") pdict[name] = value;
  }
  return [parts[0]!, pdict];
}

/** Python's `valid_boundary`: printable ASCII, 1 to 201 characters. */
function validBoundary(boundary: string): boolean {
  return /^[ -~]{0,200}[!-~]$/.test(boundary);
}

/**
 * A field of a urlencoded form or query string: Python's `MiniFieldStorage`.
 * The other attributes exist so that code can treat it like a
 * {@linkcode FieldStorage}.
 *
 * @example
 * ```ts
 * import { MiniFieldStorage } from "./cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const field = new MiniFieldStorage("a", "1");
 * assert.deepEqual([field.name, field.value, field.filename], ["a", "1", null]);
 * ```
 */
export class MiniFieldStorage {
  /** The field name. */
  name: string;
  /** The field value. */
  value: string;
  /** Always `null`. */
  readonly filename: null = null;
  /** Always `null`. */
  readonly list: null = null;
  /** Always `null`. */
  readonly type: null = null;
  /** Always `null`. */
  readonly file: null = null;
  /** Always empty. */
  readonly type_options: Record<string, string> = {};
  /** Always `null`. */
  readonly disposition: null = null;
  /** Always empty. */
  readonly disposition_options: Record<string, string> = {};
  /** Always empty. */
  readonly headers: Record<string, string> = {};

  /**
   * Creates a field.
   *
   * @param name The field name.
   * @param value The field value.
   */
  constructor(name: string, value: string) {
    this.name = name;
    this.value = value;
  }
}

/**
 * A parsed form or form part: Python's `cgi.FieldStorage`.
 *
 * A form (or a multipart part) has a `list` of fields and is read like a
 * dictionary: {@linkcode FieldStorage.keys}, {@linkcode FieldStorage.get}
 * (Python's `form[key]`), {@linkcode FieldStorage.has} (Python's `in`),
 * {@linkcode FieldStorage.getvalue}, {@linkcode FieldStorage.getfirst},
 * {@linkcode FieldStorage.getlist}, {@linkcode FieldStorage.size} (Python's
 * `len(form)`) and iteration over the keys. A single part has a `file`
 * instead, a {@linkcode FieldFile} whose `size` is its exact byte length and
 * whose `stream()` and `read()` give its bytes; `value` reads it all (text
 * when the part has no filename, bytes when it has one).
 *
 * Create one with {@linkcode FieldStorage.from}; the constructor only makes
 * an empty, unread storage (it exists for subclasses). Subclasses may
 * override {@linkcode FieldStorage.make_file} and the limits
 * {@linkcode FieldStorage.spool_threshold} and
 * {@linkcode FieldStorage.max_header_size}; parts are created with the same
 * class. Close the form (or use `await using`) to delete its temporary files.
 *
 * @example A POST handler of the HTTP server
 * ```ts ignore
 * await using form = await FieldStorage.from({
 *   fp: this.rfile,
 *   headers: this.headers,
 *   environ: { REQUEST_METHOD: "POST", CONTENT_TYPE: this.headers.get("Content-Type") ?? "" },
 * });
 * for (const key of form.keys()) {
 *   const field = form.get(key);
 *   if (field instanceof FieldStorage && field.filename !== null) {
 *     console.log(`Uploaded ${key} as '${field.filename}' (${field.file?.size} bytes)`);
 *   }
 * }
 * ```
 *
 * @example Query string
 * ```ts
 * import { FieldStorage } from "./cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const form = await FieldStorage.from({
 *   environ: { REQUEST_METHOD: "GET", QUERY_STRING: "a=1&b=2&a=3" },
 * });
 * assert.deepEqual(form.getvalue("a"), ["1", "3"]);
 * assert.deepEqual(form.getfirst("b"), "2");
 * assert.deepEqual([...form], ["a", "b"]);
 * ```
 */
export class FieldStorage {
  /** The field name (`name` of Content-Disposition), or `null`. */
  name: string | null = null;
  /** The client's file name (`filename` of Content-Disposition), or `null`. */
  filename: string | null = null;
  /** The bytes of a single part, or `null` for a form or multipart part. */
  file: FieldFile | null = null;
  /**
   * The content type: from Content-Type, else `text/plain` for a part or a
   * non-POST request, else `application/x-www-form-urlencoded`.
   */
  type: string = "";
  /** The parameters of Content-Type. */
  type_options: Record<string, string> = {};
  /** The Content-Disposition value (such as `form-data`), or `""`. */
  disposition: string = "";
  /** The parameters of Content-Disposition. */
  disposition_options: Record<string, string> = {};
  /** The headers this storage was read with. */
  headers: FormHeaders = {};
  /** The fields of a form or multipart part, else `null`. */
  list: FormField[] | null = null;
  /** The Content-Length of the request, or -1 (always -1 for parts). */
  length: number = -1;
  /**
   * Bytes of a part kept in memory; a larger part is written to
   * {@linkcode FieldStorage.make_file} (Python spools above 1000 bytes).
   */
  spool_threshold: number = 16 * 1024;
  /** The most bytes the headers of one part may take (Python has no limit). */
  max_header_size: number = 16 * 1024;
  /**
   * The most bytes of a URL-encoded body, which is parsed in memory, as in
   * Python (which has no limit).
   */
  max_urlencoded_size: number = 16 * 1024 * 1024;

  #keep_blank_values = false;
  #strict_parsing = false;
  #separator = "&";
  #decode: Decoder = decoder("utf-8", "replace");
  #innerboundary: string | null = null;

  /**
   * Parses a form from a web `Request`, or from Python's options (with no
   * options, from the CGI environment: `Deno.env` and `Deno.stdin`).
   * A `Request` is read as `{ fp: request.body, headers: request.headers,
   * environ: { REQUEST_METHOD, QUERY_STRING } }` (its query string for GET
   * and HEAD, its body otherwise).
   *
   * @param input A `Request`, or the options.
   * @param options More options when `input` is a `Request`.
   * @returns The parsed form, of the class `from` was called on.
   * @throws {FormParseError} On bad input; no temporary file is left.
   * @throws {TypeError} On an `fp` or `headers` of the wrong type.
   *
   * @example
   * ```ts
   * import { FieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const form = await FieldStorage.from(
   *   new Request("http://localhost/", { method: "POST", body: new URLSearchParams("a=1&b=") }),
   *   { keep_blank_values: true },
   * );
   * assert.deepEqual(form.getvalue("b"), "");
   * ```
   */
  static async from<T extends FieldStorage>(
    this: new () => T,
    input: Request | FieldStorageOptions = {},
    options: RequestOptions = {},
  ): Promise<T> {
    const form = new this();
    const ctx: Context = {
      files: [],
      fields: 0,
      max_num_fields: Infinity,
    };
    try {
      await form.#readRequest(
        input instanceof Request ? fromRequest(input, options) : input,
        ctx,
      );
    } catch (e) {
      for (const file of ctx.files) file.close();
      throw e;
    }
    return form;
  }

  async #readRequest(
    options: FieldStorageOptions,
    ctx: Context,
  ): Promise<void> {
    this.#keep_blank_values = options.keep_blank_values ?? false;
    this.#strict_parsing = options.strict_parsing ?? false;
    this.#separator = options.separator ?? "&";
    if (this.#separator === "") {
      throw new TypeError("Cannot split fields on an empty separator");
    }
    this.#decode = decoder(
      options.encoding ?? "utf-8",
      options.errors ?? "replace",
    );
    ctx.max_num_fields = options.max_num_fields ?? Infinity;

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
    this.#readHeaders(headers, outer !== undefined && outer.length > 0, method);

    const clen = headerGet(headers, "content-length")?.trim() ?? "";
    this.length = /^\d+$/.test(clen) ? Number(clen) : -1;
    const limit = options.limit ?? Infinity;
    if (this.length > limit) {
      throw new FormLimitError(
        `Content-Length "${clen}" exceeds the limit of ${limit} bytes`,
        "limit",
        limit,
      );
    }

    const src = new ByteSource(
      toProducer(fp ?? Deno.stdin.readable),
      this.length,
      limit,
    );
    try {
      if (outer !== undefined && outer.length > 0) {
        const reader = new MultipartReader(src, checkBoundary(outer));
        await this.#readBody(bodySource(reader), ctx, qs_on_post);
      } else {
        await this.#readBody(src, ctx, qs_on_post);
        // Read a multipart epilogue up to Content-Length, to check that the
        // body is complete; without a length, stop at the close delimiter
        // (as Python does) rather than wait for an end that may not come.
        if (this.length >= 0) {
          for await (const _ of src.chunks()) { /* ignored */ }
        }
      }
    } finally {
      src.release();
    }
  }

  /** Sets the attributes that come from the headers. */
  #readHeaders(headers: FormHeaders, inPart: boolean, method: string): void {
    this.headers = headers;
    const cdisp = headerGet(headers, "content-disposition");
    if (cdisp !== undefined) {
      [this.disposition, this.disposition_options] = parse_header(cdisp);
    }
    this.name = this.disposition_options.name ?? null;
    this.filename = this.disposition_options.filename ?? null;
    const ctype = headerGet(headers, "content-type");
    if (ctype !== undefined) {
      [this.type, this.type_options] = parse_header(ctype);
    } else {
      this.type = inPart || method !== "POST" ? "text/plain" : URLENCODED;
    }
    this.#innerboundary = this.type_options.boundary ?? null;
  }

  /** Reads a body according to `type`. */
  async #readBody(
    src: ByteSource,
    ctx: Context,
    qs_on_post: string | null,
  ): Promise<void> {
    if (this.type === URLENCODED) {
      await this.#readUrlencoded(src, ctx, qs_on_post);
    } else if (this.type.startsWith("multipart/")) {
      await this.#readMulti(src, ctx, qs_on_post);
    } else {
      await this.#readSingle(src, ctx);
    }
  }

  #addQuery(qs: string, ctx: Context): void {
    addFields(ctx, countFields(qs, this.#separator));
    for (
      const [key, value] of parseQsl(qs, {
        keep_blank_values: this.#keep_blank_values,
        strict_parsing: this.#strict_parsing,
        decode: this.#decode,
        separator: this.#separator,
      })
    ) {
      this.list!.push(new MiniFieldStorage(key, value));
    }
  }

  async #readUrlencoded(
    src: ByteSource,
    ctx: Context,
    qs_on_post: string | null,
  ): Promise<void> {
    const max = this.max_urlencoded_size;
    let qs = this.#decode(
      await src.readAll(max, () => {
        throw new FormLimitError(
          `URL-encoded body is over max_urlencoded_size (${max} bytes)`,
          "max_urlencoded_size",
          max,
        );
      }),
    );
    if (qs_on_post) qs += "&" + qs_on_post;
    this.list = [];
    this.#addQuery(qs, ctx);
  }

  async #readMulti(
    src: ByteSource,
    ctx: Context,
    qs_on_post: string | null,
  ): Promise<void> {
    const boundary = checkBoundary(this.#innerboundary, this.type);
    this.list = [];
    if (qs_on_post) this.#addQuery(qs_on_post, ctx);
    const reader = new MultipartReader(src, boundary);
    if (!(await reader.start())) return;
    do {
      const raw = await reader.readHeaders(this.max_header_size);
      const part = new (this.constructor as new () => FieldStorage)();
      part.#inherit(this);
      part.#readHeaders(parsePartHeaders(this.#decode(raw)), true, "POST");
      const body = bodySource(reader);
      await part.#readBody(body, ctx, null);
      // A nested multipart may leave an epilogue.
      for await (const _ of body.chunks()) { /* ignored */ }
      this.list.push(part);
    } while (!reader.done);
  }

  #inherit(parent: FieldStorage): void {
    this.#keep_blank_values = parent.#keep_blank_values;
    this.#strict_parsing = parent.#strict_parsing;
    this.#separator = parent.#separator;
    this.#decode = parent.#decode;
  }

  async #readSingle(src: ByteSource, ctx: Context): Promise<void> {
    addFields(ctx, 1);
    const chunks: Uint8Array[] = [];
    let size = 0;
    let file: FieldFile | null = null;
    for await (const chunk of src.chunks()) {
      if (file === null && size + chunk.length > this.spool_threshold) {
        file = await this.make_file();
        ctx.files.push(file);
        for (const c of chunks) await file.write(c);
        chunks.length = 0;
      }
      if (file !== null) {
        await file.write(chunk);
      } else {
        chunks.push(chunk.slice());
        size += chunk.length;
      }
    }
    this.file = file ?? new FieldFile(concat(chunks));
    this.file.seek(0);
  }

  /**
   * Overridable: returns a new file for a part larger than
   * {@linkcode FieldStorage.spool_threshold}. The parser writes the part to
   * it and seeks it to 0. This one creates a temporary file (in `TMPDIR`)
   * that {@linkcode FieldFile.close} deletes; override it to keep uploads,
   * for example with `new FieldFile({ file, path, remove: false })`.
   *
   * @returns An empty file open for reading and writing.
   *
   * @example
   * ```ts
   * import { FieldFile, FieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const dir = await Deno.makeTempDir();
   * class Uploads extends FieldStorage {
   *   override async make_file(): Promise<FieldFile> {
   *     const path = await Deno.makeTempFile({ dir });
   *     const file = await Deno.open(path, { read: true, write: true });
   *     return new FieldFile({ file, path, remove: true });
   *   }
   * }
   * const form = await Uploads.from(
   *   new Request("http://localhost/", { method: "PUT", body: "x".repeat(20000) }),
   * );
   * assert.deepEqual(form.file?.path?.startsWith(dir), true);
   * form.close();
   * await Deno.remove(dir);
   * ```
   */
  async make_file(): Promise<FieldFile> {
    const path = await Deno.makeTempFile({ prefix: "cgi_" });
    try {
      const file = await Deno.open(path, { read: true, write: true });
      return new FieldFile({ file, path, remove: true });
    } catch (e) {
      await Deno.remove(path);
      throw e;
    }
  }

  /**
   * The value: for a single part, all its bytes, read from `file` each time
   * (text decoded with `encoding` when the part has no filename, else
   * bytes); for a form, its `list`; else `null`.
   *
   * @example
   * ```ts
   * import { FieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const form = await FieldStorage.from({ fp: [new Uint8Array([104, 105])], environ: { REQUEST_METHOD: "PUT" } });
   * assert.deepEqual(form.value, "hi");
   * ```
   */
  get value(): FieldValue {
    if (this.file !== null) {
      this.file.seek(0);
      const bytes = this.file.readSync();
      this.file.seek(0);
      return this.filename === null ? this.#decode(bytes) : bytes;
    }
    return this.list;
  }

  #list(): FormField[] {
    if (this.list === null) {
      throw new TypeError(
        `Cannot index a FieldStorage of type "${this.type}": not indexable`,
      );
    }
    return this.list;
  }

  /**
   * Python's `form[key]`: the field named `key`, or an array of them when
   * the name repeats.
   *
   * @param key The field name.
   * @returns The field(s), or `undefined` when there is none (Python raises
   * `KeyError`).
   * @throws {TypeError} If this storage has no `list`.
   *
   * @example
   * ```ts
   * import { FieldStorage, MiniFieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const form = await FieldStorage.from({ environ: { QUERY_STRING: "a=1&b=2&b=3" } });
   * assert.deepEqual(form.get("a"), new MiniFieldStorage("a", "1"));
   * assert.deepEqual(form.get("b"), [new MiniFieldStorage("b", "2"), new MiniFieldStorage("b", "3")]);
   * assert.deepEqual(form.get("c"), undefined);
   * ```
   */
  get(key: string | null): FormField | FormField[] | undefined {
    const found = this.#list().filter((item) => item.name === key);
    return found.length <= 1 ? found[0] : found;
  }

  /**
   * The value of field `key` (an array of values when the name repeats),
   * or `default_`.
   *
   * @param key The field name.
   * @param default_ Returned when there is no such field.
   * @returns The value(s), or `default_`.
   *
   * @example
   * ```ts
   * import { FieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const form = await FieldStorage.from({ environ: { QUERY_STRING: "a=1&a=2" } });
   * assert.deepEqual(form.getvalue("a"), ["1", "2"]);
   * assert.deepEqual(form.getvalue("b", "none"), "none");
   * ```
   */
  getvalue<D = undefined>(
    key: string | null,
    default_?: D,
  ): FieldValue | FieldValue[] | D {
    const found = this.get(key);
    if (found === undefined) return default_ as D;
    return Array.isArray(found) ? found.map((x) => x.value) : found.value;
  }

  /**
   * The value of the first field named `key`, or `default_`.
   *
   * @param key The field name.
   * @param default_ Returned when there is no such field.
   * @returns The first value, or `default_`.
   *
   * @example
   * ```ts
   * import { FieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const form = await FieldStorage.from({ environ: { QUERY_STRING: "a=1&a=2" } });
   * assert.deepEqual(form.getfirst("a"), "1");
   * assert.deepEqual(form.getfirst("b"), undefined);
   * ```
   */
  getfirst<D = undefined>(key: string | null, default_?: D): FieldValue | D {
    const found = this.#list().find((item) => item.name === key);
    return found === undefined ? default_ as D : found.value;
  }

  /**
   * The values of all fields named `key` (empty when there is none).
   *
   * @param key The field name.
   * @returns The values, in order.
   *
   * @example
   * ```ts
   * import { FieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const form = await FieldStorage.from({ environ: { QUERY_STRING: "a=1" } });
   * assert.deepEqual(form.getlist("a"), ["1"]);
   * assert.deepEqual(form.getlist("b"), []);
   * ```
   */
  getlist(key: string | null): FieldValue[] {
    return this.#list().filter((item) => item.name === key).map((x) => x.value);
  }

  /**
   * The distinct field names, in order of first appearance (a part without
   * a name gives `null`).
   *
   * @returns The names.
   * @throws {TypeError} If this storage has no `list`.
   *
   * @example
   * ```ts
   * import { FieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const form = await FieldStorage.from({ environ: { QUERY_STRING: "b=1&a=2&b=3" } });
   * assert.deepEqual(form.keys(), ["b", "a"]);
   * ```
   */
  keys(): (string | null)[] {
    return [...new Set(this.#list().map((item) => item.name))];
  }

  /**
   * Python's `key in form`.
   *
   * @param key The field name.
   * @returns Whether a field has that name.
   * @throws {TypeError} If this storage has no `list`.
   *
   * @example
   * ```ts
   * import { FieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const form = await FieldStorage.from({ environ: { QUERY_STRING: "a=1" } });
   * assert.deepEqual([form.has("a"), form.has("b")], [true, false]);
   * ```
   */
  has(key: string | null): boolean {
    return this.#list().some((item) => item.name === key);
  }

  /**
   * Python's `len(form)`: the number of distinct field names.
   *
   * @example
   * ```ts
   * import { FieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const form = await FieldStorage.from({ environ: { QUERY_STRING: "a=1&b=2&a=3" } });
   * assert.deepEqual(form.size, 2);
   * ```
   */
  get size(): number {
    return this.keys().length;
  }

  /**
   * Iterates over {@linkcode FieldStorage.keys}, like Python's `for key in form`.
   *
   * @returns An iterator of the names.
   *
   * @example
   * ```ts
   * import { FieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const form = await FieldStorage.from({ environ: { QUERY_STRING: "a=1&b=2" } });
   * assert.deepEqual([...form], ["a", "b"]);
   * ```
   */
  [Symbol.iterator](): IterableIterator<string | null> {
    return this.keys()[Symbol.iterator]();
  }

  /**
   * Closes `file` and the files of all parts, deleting temporary ones.
   * Idempotent.
   *
   * @example
   * ```ts
   * import { FieldStorage } from "./cgi.ts";
   * import assert from "node:assert/strict";
   *
   * const form = await FieldStorage.from({ fp: [new Uint8Array(1)], environ: { REQUEST_METHOD: "PUT" } });
   * form.close();
   * assert.deepEqual(form.file?.closed, true);
   * ```
   */
  close(): void {
    this.file?.close();
    for (const item of this.list ?? []) {
      if (item instanceof FieldStorage) item.close();
    }
  }

  /** Calls {@linkcode FieldStorage.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Calls {@linkcode FieldStorage.close}, for `await using`.
   *
   * @returns A promise that resolves once the files are closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/** Counts `n` more fields against `max_num_fields`. */
function addFields(ctx: Context, n: number): void {
  ctx.fields += n;
  if (ctx.fields > ctx.max_num_fields) {
    throw new FormLimitError(
      `Form has more than ${ctx.max_num_fields} fields`,
      "max_num_fields",
      ctx.max_num_fields,
    );
  }
}

/** Checks a boundary and returns its bytes. */
function checkBoundary(
  boundary: string | Uint8Array | null,
  type = "",
): Uint8Array {
  if (boundary === null) {
    throw new BoundaryError(`Missing boundary in content type "${type}"`, null);
  }
  const text = typeof boundary === "string"
    ? boundary
    : String.fromCharCode(...boundary);
  if (!validBoundary(text)) {
    throw new BoundaryError(`Invalid multipart boundary "${text}"`, text);
  }
  return typeof boundary === "string"
    ? Uint8Array.from(text, (c) => c.charCodeAt(0))
    : boundary;
}

/** The body of the current part of `reader`, as a source of its own. */
function bodySource(reader: MultipartReader): ByteSource {
  const body = reader.body();
  const producer: ChunkProducer = {
    async next() {
      const r = await body.next();
      return r.done ? null : r.value;
    },
    release() {},
  };
  return new ByteSource(producer);
}

function fromRequest(
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
 * import { parse_multipart } from "./cgi.ts";
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
 * import { parse } from "./cgi.ts";
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
  const separator = options.separator ?? "&";
  const decode = decoder(options.encoding ?? "utf-8", "replace");
  let qs = environ.QUERY_STRING ?? "";
  if ((environ.REQUEST_METHOD ?? "GET").toUpperCase() === "POST") {
    const [ctype, pdict] = parse_header(environ.CONTENT_TYPE ?? "");
    let body = "";
    if (ctype === "multipart/form-data") {
      if (pdict.boundary === undefined) {
        throw new BoundaryError(
          `Missing boundary in content type "${ctype}"`,
          null,
        );
      }
      const multipart: { boundary: string; "CONTENT-LENGTH"?: string } = {
        boundary: pdict.boundary,
      };
      if (environ.CONTENT_LENGTH !== undefined) {
        multipart["CONTENT-LENGTH"] = environ.CONTENT_LENGTH;
      }
      return await parse_multipart(
        options.fp ?? Deno.stdin.readable,
        multipart,
        {
          encoding: options.encoding ?? "utf-8",
          separator,
        },
      );
    } else if (ctype === URLENCODED) {
      const clen = environ.CONTENT_LENGTH?.trim() ?? "";
      const src = new ByteSource(
        toProducer(options.fp ?? Deno.stdin.readable),
        /^\d+$/.test(clen) ? Number(clen) : -1,
      );
      try {
        body = decode(await src.readAll());
      } finally {
        src.release();
      }
    }
    qs = body && environ.QUERY_STRING !== undefined
      ? body + "&" + qs
      : body || qs;
  }
  const result: Record<string, string[]> = {};
  for (
    const [key, value] of parseQsl(qs, {
      keep_blank_values: options.keep_blank_values ?? false,
      strict_parsing: options.strict_parsing ?? false,
      decode,
      separator,
    })
  ) {
    if (key === "__proto__") continue;
    (result[key] ??= []).push(value);
  }
  return result;
}
