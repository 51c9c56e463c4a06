/**
 * {@linkcode FieldStorage}: Python's `cgi.FieldStorage`, a parsed form or
 * form part read like a dictionary. The reading itself is in
 * `form_reader.ts`.
 *
 * @module
 */

import { type Decoder, decoder } from "./codec.ts";
import { FieldFile } from "./field_file.ts";
import { read_request, type ReadContext } from "./form_reader.ts";
import type { FormHeaders } from "./headers.ts";
import type { MiniFieldStorage } from "./mini_field_storage.ts";
import type { FieldStorageOptions, RequestOptions } from "./options.ts";
import { from_request, resolve_rules } from "./request_input.ts";

/** One entry of a form's {@linkcode FieldStorage.list}. */
export type FormField = FieldStorage | MiniFieldStorage;

/**
 * The `value` of a field: text for a plain field, bytes for a file (a part
 * with a filename), the list of parts for a multipart, or `null`.
 */
export type FieldValue = string | Uint8Array | FormField[] | null;

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
 * import { FieldStorage } from "../cgi.ts";
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
  /**
   * How deep multiparts may nest: a form (1) whose parts may be
   * `multipart/mixed` file lists (2), the one nesting RFC 7578 section 4.3
   * (from RFC 2388) describes and Python reads. A deeper body is a
   * {@linkcode FormLimitError}: Python follows any depth, and 3,000 levels
   * in 200 KB cost its memory and stack.
   */
  max_multipart_depth: number = 2;
  /** The most bytes the headers of one part may take (Python has no limit). */
  max_header_size: number = 16 * 1024;
  /**
   * The most bytes of a URL-encoded body, which is parsed in memory, as in
   * Python (which has no limit).
   */
  max_urlencoded_size: number = 16 * 1024 * 1024;

  #decode: Decoder = decoder("utf-8", "replace");

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
   * import { FieldStorage } from "../cgi.ts";
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
    const resolved = input instanceof Request
      ? from_request(input, options)
      : input;
    const rules = resolve_rules(resolved);
    const form = new this();
    form.#decode = rules.decode;
    const ctx: ReadContext = {
      files: [],
      fields: 0,
      depth: 0,
      max_num_fields: resolved.max_num_fields ?? Infinity,
      rules,
      new_part(parent) {
        const part = new (parent.constructor as new () => FieldStorage)();
        part.#decode = rules.decode;
        return part;
      },
    };
    try {
      await read_request(form, resolved, ctx);
    } catch (e) {
      for (const file of ctx.files) file.close();
      throw e;
    }
    return form;
  }

  /**
   * Overridable: returns a new file for a part larger than
   * {@linkcode FieldStorage.spool_threshold}. The parser writes the part to
   * it and seeks it to 0. This one creates a temporary file (in `TMPDIR`)
   * and, as Python's `tempfile.TemporaryFile`, removes its name at once
   * where the system allows it (not on Windows): the open file keeps the
   * bytes, so nothing is left on disk even if the form is never closed, and
   * its `path` is `null`. On Windows the file has a path and is deleted by
   * {@linkcode FieldFile.close}, or at exit. Override it to keep uploads,
   * for example with `new FieldFile({ file, path, remove: false })`.
   *
   * @returns An empty file open for reading and writing.
   *
   * @example
   * ```ts
   * import { FieldFile, FieldStorage } from "../cgi.ts";
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
    let path: string;
    try {
      path = await Deno.makeTempFile({ prefix: "cgi_" });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotCapable)) throw e;
      throw new Deno.errors.NotCapable(
        `FieldStorage spools parts over ${this.spool_threshold} bytes to the temporary directory (TMPDIR, else /tmp): run with --allow-read and --allow-write for it`,
      );
    }
    let file: Deno.FsFile | null = null;
    try {
      file = await Deno.open(path, { read: true, write: true });
      if (Deno.build.os === "windows") {
        // An open file cannot be unlinked there.
        return new FieldFile({ file, path, remove: true });
      }
      await Deno.remove(path);
      return new FieldFile({ file, path: null });
    } catch (e) {
      file?.close();
      await Deno.remove(path).catch(() => {/* already gone */});
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
   * import { FieldStorage } from "../cgi.ts";
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
   * import { FieldStorage, MiniFieldStorage } from "../cgi.ts";
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
   * import { FieldStorage } from "../cgi.ts";
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
   * import { FieldStorage } from "../cgi.ts";
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
   * import { FieldStorage } from "../cgi.ts";
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
   * import { FieldStorage } from "../cgi.ts";
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
   * import { FieldStorage } from "../cgi.ts";
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
   * import { FieldStorage } from "../cgi.ts";
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
   * import { FieldStorage } from "../cgi.ts";
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
   * import { FieldStorage } from "../cgi.ts";
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
