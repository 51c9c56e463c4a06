/**
 * Uploads into the served directory: `PUT /dir/name` saves the raw body,
 * `POST` of `multipart/form-data` to a directory saves every file part,
 * streamed through `FieldStorage`. Every byte goes to a temporary file in
 * the target directory, made visible under its name only when complete.
 *
 * @module
 */

import { FieldFile } from "../_form/field_file.ts";
import { FieldStorage, type FormField } from "../_form/field_storage.ts";
import { FormLimitError, FormParseError } from "../_form/errors.ts";
import { quote, unquote } from "../_common/quote.ts";
import { is_inside, join_path } from "./fs_path.ts";
import type { SimpleHTTPRequestHandler } from "./simple_handler.ts";
import { check_upload_name } from "./upload_name.ts";
import {
  commit_upload,
  is_disk_full,
  type OnTaken,
  open_temp,
  remove_quietly,
  type TempFile,
  UploadError,
} from "./upload_fs.ts";

const CHUNK = 256 * 1024;
const encoder = new TextEncoder();

/** One saved file, as the JSON answer lists it. */
export interface SavedFile {
  /** The name it was saved under (numbered when the name was taken). */
  name: string;
  /** Its size in bytes. */
  size: number;
}

/** The request path without query and fragment, `%`-decoded; 400 if bad. */
function url_path(h: SimpleHTTPRequestHandler): [raw: string, text: string] {
  const raw = h.path.split(/[?#]/, 1)[0]!;
  let text: string;
  try {
    text = unquote(raw);
  } catch {
    throw new UploadError(400, "Invalid path");
  }
  // translate_path() drops ".." at the root; a write is refused instead.
  if (text.split("/").includes("..")) {
    throw new UploadError(400, 'Path contains ".."');
  }
  return [raw, text];
}

/**
 * The directory `fs_dir` after the same checks as a GET: it exists, is not
 * hidden, and does not lead out of the root through a symbolic link.
 */
function check_dir(
  h: SimpleHTTPRequestHandler,
  fs_dir: string,
  missing: UploadError,
): void {
  const root = h.directory;
  if (!h.dotfiles && is_inside(fs_dir, root)) {
    if (/(^|[/\\])\.[^/\\]/.test(fs_dir.slice(root.length))) throw missing;
  }
  let stat: Deno.FileInfo;
  try {
    stat = Deno.statSync(fs_dir);
  } catch {
    throw missing;
  }
  if (!stat.isDirectory) throw missing;
  if (h.follow_symlinks_outside) return;
  let inside = false;
  try {
    inside = is_inside(
      Deno.realPathSync(fs_dir),
      Deno.realPathSync(root === "" ? "." : root),
    );
  } catch {
    throw missing;
  }
  if (!inside) {
    throw new UploadError(
      400,
      "Path leads out of the served directory through a symbolic link",
    );
  }
}

/** The checked name to save `filename` as: the handler's hook, then the rules. */
function target_name(h: SimpleHTTPRequestHandler, filename: string): string {
  const check = check_upload_name(h.upload_name(filename), {
    dotfiles: h.dotfiles,
  });
  if (!check.ok) throw new UploadError(400, check.reason);
  return check.name;
}

function check_length(h: SimpleHTTPRequestHandler): void {
  const max = h.max_upload_size;
  const length = Number(h.headers.get("Content-Length") ?? "0");
  if (max !== null && length > max) {
    throw new UploadError(413, `Upload is larger than ${max} bytes`);
  }
}

function wants_json(h: SimpleHTTPRequestHandler): boolean {
  return /\bapplication\/json\b/i.test(h.headers.get("Accept") ?? "");
}

/** Sends a small response with a body. */
async function answer(
  h: SimpleHTTPRequestHandler,
  code: number,
  location: string,
  body: string,
  type = "text/plain; charset=utf-8",
): Promise<void> {
  const bytes = encoder.encode(body);
  h.send_response(code);
  h.send_header("Location", location);
  if (bytes.length > 0) h.send_header("Content-Type", type);
  h.send_header("Content-Length", String(bytes.length));
  h.end_headers();
  if (bytes.length > 0) await h.wfile.write(bytes);
}

/** Answers a refusal or a full disk; false for errors to rethrow. */
function refuse(h: SimpleHTTPRequestHandler, err: unknown): boolean {
  if (err instanceof UploadError) {
    h.send_error(err.code, err.message, err.message);
  } else if (is_disk_full(err)) {
    h.send_error(507, "Insufficient Storage", "The disk is full");
  } else {
    return false;
  }
  return true;
}

/** Writes all of `data` (a regular file: synchronous writes are cheaper). */
function write_all(file: Deno.FsFile, data: Uint8Array): void {
  for (let done = 0; done < data.length;) {
    done += file.writeSync(data.subarray(done));
  }
}

/**
 * `PUT /dir/name`: saves the body (Content-Length or chunked) as `name` in
 * the existing directory `dir`. `201 Created` with `Location`; an existing
 * file is `409` unless `allow_replace` (then `204`); a missing directory is
 * `409`; over `max_upload_size` is `413`; a full disk `507`. Nothing is left
 * on disk unless the whole body arrived.
 *
 * @param h The handler serving the request.
 * @returns When the response is buffered.
 */
export async function save_put(h: SimpleHTTPRequestHandler): Promise<void> {
  let temp: TempFile | null = null;
  try {
    const [raw, text] = url_path(h);
    if (text.endsWith("/")) {
      throw new UploadError(400, "PUT needs a file name after the directory");
    }
    const fs_path = h.translate_path(h.path);
    if (fs_path === null) throw new UploadError(400, "Invalid path");
    const cut = Math.max(fs_path.lastIndexOf("/"), fs_path.lastIndexOf("\\"));
    const fs_dir = fs_path.slice(0, cut + 1);
    const name = target_name(h, text.slice(text.lastIndexOf("/") + 1));
    check_dir(h, fs_dir, new UploadError(409, "Directory does not exist"));
    const target = join_path(fs_dir, name);
    let exists = false;
    try {
      const stat = Deno.lstatSync(target);
      if (stat.isDirectory) throw new UploadError(409, "Target is a directory");
      if (stat.isSymlink) {
        throw new UploadError(409, "Target is a symbolic link");
      }
      exists = true;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (exists && !h.allow_replace) throw new UploadError(409, "File exists");
    check_length(h);
    temp = open_temp(fs_dir);
    const max = h.max_upload_size ?? Infinity;
    let size = 0;
    // One buffer for the whole body: the socket reads straight into it.
    const buffer = new Uint8Array(CHUNK);
    for (;;) {
      const n = await h.rfile.readinto(buffer);
      if (n === 0) break;
      size += n;
      if (size > max) {
        throw new UploadError(413, `Upload is larger than ${max} bytes`);
      }
      write_all(temp.file, buffer.subarray(0, n));
    }
    temp.file.close();
    const on_taken: OnTaken = h.allow_replace ? "replace" : "refuse";
    const done = commit_upload(temp.path, fs_dir, name, on_taken);
    temp = null;
    const location = raw.slice(0, raw.lastIndexOf("/") + 1) + quote(name);
    if (done.replaced) {
      h.send_response(204);
      h.send_header("Location", location);
      h.end_headers();
      return;
    }
    if (wants_json(h)) {
      await answer(
        h,
        201,
        location,
        JSON.stringify({ name, size }) + "\n",
        "application/json",
      );
    } else {
      await answer(h, 201, location, `Created ${name} (${size} bytes)\n`);
    }
  } catch (err) {
    if (temp !== null) {
      try {
        temp.file.close();
      } catch { /* closed already */ }
      remove_quietly(temp.path);
    }
    if (!refuse(h, err)) throw err;
  }
}

/** The file parts of a form, nested `multipart/mixed` lists included. */
function file_parts(list: FormField[] | null, out: FieldStorage[]): void {
  for (const item of list ?? []) {
    if (!(item instanceof FieldStorage)) continue;
    if (item.list !== null) file_parts(item.list, out);
    else if (item.filename) out.push(item);
  }
}

/** A FieldStorage whose file parts spool to temporary files in `dir`. */
function storage_for(
  h: SimpleHTTPRequestHandler,
  dir: string,
  names: Map<FieldStorage, string>,
): typeof FieldStorage {
  return class UploadStorage extends FieldStorage {
    // Every byte of a file part goes to disk, none stays in memory.
    override spool_threshold = 0;

    override async make_file(): Promise<FieldFile> {
      // A plain field (no filename, or an empty file input): ignored, but
      // spooled like any other, out of memory.
      if (!this.filename) return await super.make_file();
      // The name is checked before the first byte of the part is written.
      names.set(this, target_name(h, this.filename));
      const temp = open_temp(dir);
      return new FieldFile({ file: temp.file, path: temp.path, remove: true });
    }
  };
}

/**
 * `POST` of `multipart/form-data` to a directory: saves every file part
 * (a part with a non-empty filename) into it; plain fields are ignored.
 * A taken name gets ` (1)`, ` (2)` ... before its extension, unless
 * `allow_replace`. Answers `303 See Other` to the directory, or with
 * `Accept: application/json`, `201` and the list of `{ name, size }`. Any
 * bad part refuses the whole form: nothing of it is saved.
 *
 * @param h The handler serving the request.
 * @returns When the response is buffered.
 */
export async function save_form(h: SimpleHTTPRequestHandler): Promise<void> {
  let form: FieldStorage | null = null;
  try {
    const [raw, text] = url_path(h);
    const fs_dir = h.translate_path(h.path);
    if (fs_dir === null) throw new UploadError(400, "Invalid path");
    check_dir(h, fs_dir, new UploadError(404, "Directory not found"));
    if (!text.endsWith("/")) {
      throw new UploadError(
        400,
        "POST uploads go to a directory URL ending in /",
      );
    }
    const type = h.headers.get("Content-Type") ?? "";
    if (!/^multipart\/form-data\s*(;|$)/i.test(type)) {
      throw new UploadError(415, "Uploads must be multipart/form-data");
    }
    check_length(h);
    const names = new Map<FieldStorage, string>();
    const Storage = storage_for(h, fs_dir, names);
    try {
      form = await Storage.from({
        fp: h.rfile,
        headers: h.headers,
        environ: { REQUEST_METHOD: "POST", CONTENT_TYPE: type },
        max_num_fields: h.max_upload_fields,
        ...(h.max_upload_size !== null ? { limit: h.max_upload_size } : {}),
      });
    } catch (err) {
      if (err instanceof FormLimitError) {
        if (err.kind === "limit") throw new UploadError(413, err.message);
        throw new UploadError(400, err.message);
      }
      if (err instanceof FormParseError) {
        throw new UploadError(400, err.message);
      }
      throw err;
    }
    const parts: FieldStorage[] = [];
    file_parts(form.list, parts);
    if (parts.length === 0) {
      throw new UploadError(400, "The form holds no file");
    }
    // Every name is checked before any file is made visible.
    for (const part of parts) {
      if (!names.has(part)) names.set(part, target_name(h, part.filename!));
    }
    const saved: SavedFile[] = [];
    const on_taken: OnTaken = h.allow_replace ? "replace" : "number";
    for (const part of parts) {
      let path = part.file!.path;
      if (path === null) {
        // An empty part: nothing was spooled.
        const temp = open_temp(fs_dir);
        temp.file.close();
        path = temp.path;
      }
      try {
        const done = commit_upload(
          path,
          fs_dir,
          names.get(part)!,
          on_taken,
          (name) => void target_name(h, name),
        );
        saved.push({ name: done.name, size: part.file!.size });
      } finally {
        remove_quietly(path);
      }
    }
    if (wants_json(h)) {
      await answer(
        h,
        201,
        raw,
        JSON.stringify(saved) + "\n",
        "application/json",
      );
      return;
    }
    h.send_response(303);
    h.send_header("Location", raw);
    h.send_header("Content-Length", "0");
    h.end_headers();
  } catch (err) {
    if (!refuse(h, err)) throw err;
  } finally {
    form?.close();
  }
}

/**
 * Gives the handler class `do_PUT` and `do_POST`, which save uploads when
 * `upload` is on and answer Python's `501` otherwise. They go on the
 * prototype rather than into the class body: a subclass that declares its
 * own (`CGIHTTPRequestHandler`'s `do_POST`, a Python-style handler of a
 * user's) then needs no `override`, as before uploads existed.
 *
 * @param Handler `SimpleHTTPRequestHandler`.
 */
export function add_upload_methods(
  Handler: typeof SimpleHTTPRequestHandler,
): void {
  for (
    const [name, save] of [["do_PUT", save_put], [
      "do_POST",
      save_form,
    ]] as const
  ) {
    Object.defineProperty(Handler.prototype, name, {
      configurable: true,
      writable: true,
      value: async function (this: SimpleHTTPRequestHandler): Promise<void> {
        if (!this.upload) {
          return this.send_error(
            501,
            `Unsupported method ('${name.slice(3)}')`,
          );
        }
        await save(this);
      },
    });
  }
}
