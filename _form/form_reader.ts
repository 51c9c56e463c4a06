/**
 * Reads a form into a `FieldStorage` and its parts: the headers' attributes,
 * then the body by type (urlencoded, multipart, or a single part, spooled
 * to a file past `spool_threshold`), counting fields against
 * `max_num_fields`. Python's `FieldStorage.read_*` methods.
 *
 * @module
 */

import { concat } from "../_common/bytes.ts";
import { ByteSource, type ChunkProducer, to_producer } from "./byte_source.ts";
import { BoundaryError, FormLimitError } from "./errors.ts";
import { FieldFile } from "./field_file.ts";
import type { FieldStorage } from "./field_storage.ts";
import { type FormHeaders, header_get } from "./headers.ts";
import { MiniFieldStorage } from "./mini_field_storage.ts";
import { MultipartReader, parse_part_headers } from "./multipart.ts";
import type { FieldStorageOptions } from "./options.ts";
import { parse_header } from "./parse_header.ts";
import { count_fields, parse_qsl, type QueryOptions } from "./query.ts";
import { resolve_input, URLENCODED } from "./request_input.ts";

/**
 * Initial buffer of a nested multipart's own source (the body's is 256
 * KiB): its chunks are views of the enclosing buffer. At 4 KiB a 50 MB file
 * in a multipart/mixed part parsed at 273 MB/s, at 64 KiB 324, at 256 KiB
 * 330; max_multipart_depth bounds how many there are.
 */
const PART_BUFFER_SIZE = 64 * 1024;

/** Per-parse state shared by a form and its parts. */
export interface ReadContext {
  /** The spooled files, closed if the parse fails. */
  files: FieldFile[];
  /** Fields counted so far, over every part, nested ones too. */
  fields: number;
  /** How many multiparts enclose the part being read. */
  depth: number;
  max_num_fields: number;
  /** The decoding and query rules of the form, which its parts share. */
  rules: QueryOptions;
  /** Creates an empty part of the form's class, with the form's decoder. */
  new_part(parent: FieldStorage): FieldStorage;
}

/**
 * Reads the request that `options` name into `form`.
 *
 * @example
 * ```ts
 * import { FieldStorage } from "../cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const form = await FieldStorage.from({ environ: { QUERY_STRING: "a=1" } });
 * assert.equal(form.getfirst("a"), "1");
 * ```
 */
export async function read_request(
  form: FieldStorage,
  options: FieldStorageOptions,
  ctx: ReadContext,
): Promise<void> {
  const input = resolve_input(options);
  const outer = input.outerboundary;
  read_headers(form, input.headers, outer !== null, input.method);
  form.length = input.length;
  const src = new ByteSource(
    to_producer(input.fp),
    input.length,
    input.limit,
  );
  try {
    if (outer !== null) {
      const reader = new MultipartReader(src, check_boundary(outer));
      await read_body(form, body_source(reader), ctx, input.qs_on_post);
    } else {
      await read_body(form, src, ctx, input.qs_on_post);
      // Read a multipart epilogue up to Content-Length, to check that the
      // body is complete; without a length, stop at the close delimiter
      // (as Python does) rather than wait for an end that may not come.
      if (input.length >= 0) {
        for await (const _ of src.chunks()) { /* ignored */ }
      }
    }
  } finally {
    src.release();
  }
}

/** Sets the attributes of `form` that come from its headers. */
function read_headers(
  form: FieldStorage,
  headers: FormHeaders,
  in_part: boolean,
  method: string,
): void {
  form.headers = headers;
  const cdisp = header_get(headers, "content-disposition");
  if (cdisp !== undefined) {
    [form.disposition, form.disposition_options] = parse_header(cdisp);
  }
  form.name = form.disposition_options.name ?? null;
  form.filename = form.disposition_options.filename ?? null;
  const ctype = header_get(headers, "content-type");
  if (ctype !== undefined) {
    [form.type, form.type_options] = parse_header(ctype);
  } else {
    form.type = in_part || method !== "POST" ? "text/plain" : URLENCODED;
  }
}

/** Reads a body according to `form.type`. */
async function read_body(
  form: FieldStorage,
  src: ByteSource,
  ctx: ReadContext,
  qs_on_post: string | null,
): Promise<void> {
  if (form.type === URLENCODED) {
    await read_urlencoded(form, src, ctx, qs_on_post);
  } else if (form.type.startsWith("multipart/")) {
    await read_multi(form, src, ctx, qs_on_post);
  } else {
    await read_single(form, src, ctx);
  }
}

/** Counts `n` more fields against `max_num_fields`. */
function add_fields(ctx: ReadContext, n: number): void {
  ctx.fields += n;
  if (ctx.fields > ctx.max_num_fields) {
    throw new FormLimitError(
      `Form has more than ${ctx.max_num_fields} fields`,
      "max_num_fields",
      ctx.max_num_fields,
    );
  }
}

function add_query(form: FieldStorage, qs: string, ctx: ReadContext): void {
  add_fields(ctx, count_fields(qs, ctx.rules.separator));
  for (const [key, value] of parse_qsl(qs, ctx.rules)) {
    form.list!.push(new MiniFieldStorage(key, value));
  }
}

async function read_urlencoded(
  form: FieldStorage,
  src: ByteSource,
  ctx: ReadContext,
  qs_on_post: string | null,
): Promise<void> {
  const max = form.max_urlencoded_size;
  let qs = ctx.rules.decode(
    await src.read_all(max, () => {
      throw new FormLimitError(
        `URL-encoded body is over max_urlencoded_size (${max} bytes)`,
        "max_urlencoded_size",
        max,
      );
    }),
  );
  if (qs_on_post) qs += "&" + qs_on_post;
  form.list = [];
  add_query(form, qs, ctx);
}

async function read_multi(
  form: FieldStorage,
  src: ByteSource,
  ctx: ReadContext,
  qs_on_post: string | null,
): Promise<void> {
  const boundary = check_boundary(
    form.type_options.boundary ?? null,
    form.type,
  );
  const max_depth = form.max_multipart_depth;
  if (ctx.depth >= max_depth) {
    throw new FormLimitError(
      `Multipart "${form.type}" is nested deeper than max_multipart_depth (${max_depth})`,
      "max_multipart_depth",
      max_depth,
    );
  }
  // A nested multipart counts as a field, and so do its parts, as in
  // Python 3.12's read_multi (one for the part, then len(part.list)).
  if (ctx.depth > 0) add_fields(ctx, 1);
  form.list = [];
  if (qs_on_post) add_query(form, qs_on_post, ctx);
  const reader = new MultipartReader(src, boundary);
  if (!(await reader.start())) return;
  ctx.depth++;
  do {
    const raw = await reader.read_headers(form.max_header_size);
    const part = ctx.new_part(form);
    read_headers(part, parse_part_headers(ctx.rules.decode(raw)), true, "POST");
    const body = body_source(reader);
    await read_body(part, body, ctx, null);
    // A nested multipart may leave an epilogue.
    for await (const _ of body.chunks()) { /* ignored */ }
    form.list.push(part);
  } while (!reader.done);
  ctx.depth--;
}

async function read_single(
  form: FieldStorage,
  src: ByteSource,
  ctx: ReadContext,
): Promise<void> {
  add_fields(ctx, 1);
  const chunks: Uint8Array[] = [];
  let size = 0;
  let file: FieldFile | null = null;
  for await (const chunk of src.chunks()) {
    if (file === null && size + chunk.length > form.spool_threshold) {
      file = await form.make_file();
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
  form.file = file ?? new FieldFile(concat(chunks));
  form.file.seek(0);
}

/** Python's `valid_boundary`: printable ASCII, 1 to 201 characters. */
function valid_boundary(boundary: string): boolean {
  return /^[ -~]{0,200}[!-~]$/.test(boundary);
}

/** Checks a boundary and returns its bytes. */
export function check_boundary(
  boundary: string | Uint8Array | null,
  type = "",
): Uint8Array {
  if (boundary === null) {
    throw new BoundaryError(`Missing boundary in content type "${type}"`, null);
  }
  const text = typeof boundary === "string"
    ? boundary
    : String.fromCharCode(...boundary);
  if (!valid_boundary(text)) {
    throw new BoundaryError(`Invalid multipart boundary "${text}"`, text);
  }
  return typeof boundary === "string"
    ? Uint8Array.from(text, (c) => c.charCodeAt(0))
    : boundary;
}

/** The body of the current part of `reader`, as a source of its own. */
function body_source(reader: MultipartReader): ByteSource {
  const body = reader.body();
  const producer: ChunkProducer = {
    async next() {
      const r = await body.next();
      return r.done ? null : r.value;
    },
    release() {},
  };
  return new ByteSource(producer, -1, Infinity, PART_BUFFER_SIZE);
}
