/**
 * `SimpleHTTPRequestHandler`: Python's static file handler.
 *
 * @module
 */

import { parse_date } from "../_protocol/date.ts";
import { file_etag, if_none_match } from "./etag.ts";
import { BaseHTTPRequestHandler } from "../_handler/base_handler.ts";
import { type ListingEntry, render_listing } from "./listing.ts";
import { is_inside, join_path, resolves_inside } from "./fs_path.ts";
import { guess_type, types_map } from "./mime.ts";
import { unquote } from "../_common/quote.ts";
import {
  content_range,
  if_range_matches,
  parse_range,
  type RangeResult,
} from "./range.ts";
import type { HTTPServer } from "../_server/server.ts";
import { redirect_location, translate_path } from "./translate_path.ts";
import type { WFile } from "../_protocol/wfile.ts";
import { save_form, save_put } from "./upload.ts";
import { base_name, is_upload_temp } from "./upload_name.ts";
import { upload_form_html } from "./upload_form.ts";
import { challenge, check_basic, user_log_line } from "./auth.ts";
import type { Coding } from "./accept_encoding.ts";
import { choose_coding } from "./content_coding.ts";
import { encoded_etag } from "./precompressed.ts";
import {
  compress_bytes,
  MIN_COMPRESS_SIZE,
  ON_THE_FLY,
  write_compressed,
} from "./compress.ts";
import { negotiate_encoding } from "./accept_encoding.ts";
import { parse_listing_query, sort_entries } from "./listing_sort.ts";
import { render_json_listing, wants_json } from "./json_listing.ts";
import { accepts_html, read_error_page } from "./spa.ts";

const encoder = new TextEncoder();
// File system calls here are synchronous: on a local disk stat, realpath and
// open take microseconds, while each async op waits for a thread pool hop
// (the profile of a 1 KiB GET showed the event loop a third idle, waiting
// for them). File bodies larger than SMALL_FILE are still read async.
/** Files up to this size are read in one piece; larger ones stream. */
const SMALL_FILE = 64 * 1024;
const CHUNK = 256 * 1024;

/** What {@linkcode SimpleHTTPRequestHandler.send_head} returns for a body. */
export type HeadBody = Deno.FsFile | Uint8Array;

/** A handler's class, whose static attributes are its defaults. */
function static_of(
  handler: SimpleHTTPRequestHandler,
): typeof SimpleHTTPRequestHandler {
  return handler.constructor as typeof SimpleHTTPRequestHandler;
}

/**
 * Serves files from a directory and lists directories, as Python's
 * `http.server.SimpleHTTPRequestHandler`, the handler behind
 * `python -m http.server`.
 *
 * `GET` and `HEAD` map the path under `directory`
 * ({@linkcode SimpleHTTPRequestHandler.translate_path}); a directory is
 * served by its `index.html` or `index.htm`, or listed; a directory path
 * without its trailing slash is redirected to it. Beyond Python: byte
 * ranges (`Range`, `If-Range`), `ETag` and `If-None-Match`, optional CORS,
 * a dotfiles switch, symlinks confined to the directory, and files streamed
 * in chunks.
 *
 * With `upload` on, `PUT /dir/name` saves the body as that file and `POST`
 * of `multipart/form-data` to a directory saves each file part into it
 * (`allow_replace`, `max_upload_size`, `max_upload_fields`; override
 * {@linkcode SimpleHTTPRequestHandler.upload_name} to choose the name); the
 * listing then shows an upload form. Off, they keep Python's `501`. With
 * `auth`, every request needs HTTP Basic credentials (only writes with
 * `auth_upload_only`); override {@linkcode SimpleHTTPRequestHandler.authorize}
 * to check something else.
 *
 * @example Serving a directory
 * ```ts
 * import { SimpleHTTPRequestHandler, ThreadingHTTPServer } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/hello.txt`, "Hello");
 * class Handler extends SimpleHTTPRequestHandler {
 *   override directory = dir;
 *   override log_message() {}
 * }
 * await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Handler);
 * server.serve_forever();
 * const res = await fetch(`http://127.0.0.1:${server.server_port}/hello.txt`);
 * assert.equal(res.headers.get("content-type"), "text/plain; charset=UTF-8");
 * assert.equal(await res.text(), "Hello");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @example Uploads behind a password
 * ```ts
 * import { SimpleHTTPRequestHandler, ThreadingHTTPServer } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * class Uploads extends SimpleHTTPRequestHandler {
 *   override directory = dir;
 *   override upload = true;
 *   override auth = ["alice:secret"];
 *   override upload_name(filename: string): string {
 *     return "upload-" + super.upload_name(filename);
 *   }
 *   override log_message() {}
 * }
 * await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Uploads);
 * server.serve_forever();
 * const url = `http://127.0.0.1:${server.server_port}/a.txt`;
 * const denied = await fetch(url, { method: "PUT", body: "hi" });
 * assert.equal(denied.status, 401);
 * await denied.body?.cancel();
 * const res = await fetch(url, {
 *   method: "PUT",
 *   body: "hi",
 *   headers: { Authorization: "Basic " + btoa("alice:secret") },
 * });
 * assert.equal(res.status, 201);
 * assert.equal(res.headers.get("location"), "/upload-a.txt");
 * await res.body?.cancel();
 * assert.equal(await Deno.readTextFile(`${dir}/upload-a.txt`), "hi");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SimpleHTTPRequestHandler extends BaseHTTPRequestHandler {
  /** The class-level default of `server_version`. */
  static override server_version = "SimpleHTTP/0.6";
  /** The class-level default of `index_pages` (Python's class attribute). */
  static index_pages: readonly string[] = ["index.html", "index.htm"];
  /**
   * The class-level default of `extensions_map`: extension -> media type,
   * one object shared by the subclasses that do not assign their own, as
   * Python's class attribute is. Python's
   * `Handler.extensions_map.update({".wasm": "application/wasm"})` is
   * `Object.assign(Handler.extensions_map, { ".wasm": "application/wasm" })`;
   * a subclass may also extend it:
   * `override extensions_map = { ...SimpleHTTPRequestHandler.extensions_map, ".md": "text/markdown" }`.
   */
  static extensions_map: Record<string, string> = { ...types_map };

  /** The directory served; the working directory by default. */
  directory: string;
  /** File name pages served for a directory, in order of preference. */
  index_pages: readonly string[] = static_of(this).index_pages;
  /** Extension -> media type; see `guess_type`. */
  extensions_map: Readonly<Record<string, string>> =
    static_of(this).extensions_map;
  /** Whether to send `Access-Control-Allow-Origin: *` (the `--cors` option). */
  cors = false;
  /** Whether names starting with `.` are listed and served. */
  dotfiles = true;
  /**
   * Whether to follow symbolic links that lead outside `directory`. Python
   * does; by default we answer 404, so that a link cannot expose the rest of
   * the file system.
   */
  follow_symlinks_outside = false;
  /**
   * Whether `PUT` and `POST` save files into the directory (`--upload`);
   * off, they get Python's `501`. See {@linkcode SimpleHTTPRequestHandler.do_PUT}.
   */
  upload = false;
  /** Whether an upload may replace a file of the same name (`--allow-replace`). */
  allow_replace = false;
  /** The most bytes of an upload's body, or `null` for no limit: larger is `413`. */
  max_upload_size: number | null = null;
  /** The most fields (parts) of an upload form: more is `400`. */
  max_upload_fields = 1000;
  /**
   * `USER:PASSWORD` pairs (the password may be `sha256:<hex>`) allowed in by
   * HTTP Basic authentication (`--auth`); empty: no authentication.
   */
  auth: readonly string[] = [];
  /** Whether `auth` guards only writes, not `GET` and `HEAD` (`--auth-upload-only`). */
  auth_upload_only = false;
  /** The realm of the `WWW-Authenticate` challenge. */
  auth_realm = "Files";
  /** The user that {@linkcode SimpleHTTPRequestHandler.authorize} let in, or `null`. */
  auth_user: string | null = null;

  /**
   * Whether `app.js.br`, `app.js.zst` or `app.js.gz` is sent for `app.js`
   * to a client that accepts its coding (when not older than `app.js`).
   */
  precompressed = true;
  /**
   * Whether compressible files over 1 KiB, and listings, are compressed on
   * the fly (gzip, when the client takes it; the `--compress` option).
   */
  compress = false;
  /**
   * Headers added to every response, as `[name, value]` pairs (Python
   * 3.15's `response_headers`; the `--header` option).
   */
  response_headers: readonly (readonly [string, string])[] = [];
  /**
   * The type of files whose extension is unknown (Python 3.15's
   * `default_content_type`; the `--content-type` option).
   */
  default_content_type = "application/octet-stream";
  /**
   * Whether a `GET` or `HEAD` for a missing path, from a client that accepts
   * `text/html`, is answered with the root's index page (single-page apps;
   * the `--spa` option).
   */
  spa = false;
  /**
   * A file in `directory` whose content is the body of 404 responses
   * (`--error-page` sets `404.html`); `null` keeps Python's error page.
   * Not used when `spa` is set.
   */
  error_page: string | null = null;

  #range_length = Infinity;
  #challenge = false;
  #on_the_fly: Coding | null = null;
  #spa_fallback = false;
  #chunked = false;

  /**
   * Makes the handler of one connection.
   *
   * @param request The socket.
   * @param client_address The client's `[host, port]`.
   * @param server The server.
   * @param directory The directory to serve (Python's `directory=`).
   */
  constructor(
    request: Deno.Conn,
    client_address: [string, number],
    server: HTTPServer,
    directory?: string,
  ) {
    super(request, client_address, server);
    this.directory = directory ?? Deno.cwd();
  }

  /** Serves a file or a directory listing. */
  async do_GET(): Promise<void> {
    const body = await this.send_head();
    if (body) await this.copyfile(body, this.wfile);
  }

  /** Serves the headers of a file or listing, without the body. */
  async do_HEAD(): Promise<void> {
    const body = await this.send_head();
    if (body && !(body instanceof Uint8Array)) body.close();
  }

  /**
   * The name to save an uploaded file as: by default the last segment of
   * the client's file name (browsers send `folder/a.txt` for folder
   * uploads). The result must still pass the name checks (`400` otherwise).
   *
   * @param filename The part's `filename`, or the last segment of the PUT path.
   * @returns The name in the target directory.
   */
  upload_name(filename: string): string {
    return base_name(filename);
  }

  /**
   * Whether the request may proceed; called for every request once its
   * head is parsed, before anything about the tree is looked at (`false`
   * answers `401` with a Basic challenge). This one checks `Authorization`
   * against `auth` and sets `auth_user`; override it to check a token or a
   * client certificate instead. It must not await.
   *
   * @returns Whether to serve the request.
   */
  authorize(): boolean {
    if (this.auth.length === 0) return true;
    this.auth_user = check_basic(this.headers.get("Authorization"), this.auth);
    return this.auth_user !== null;
  }

  /** Parses the request, then lets {@linkcode SimpleHTTPRequestHandler.authorize} decide. */
  override parse_request(): boolean {
    this.auth_user = null;
    if (!super.parse_request()) return false;
    const allowed = this.authorize();
    const read = this.command === "GET" || this.command === "HEAD";
    if (allowed || (this.auth_upload_only && read)) return true;
    this.#challenge = true;
    this.send_error(401, "Authentication required");
    return false;
  }

  /**
   * Sends the status line and headers for the path, and returns the body
   * to send: an open file (positioned at the start of the range, if any),
   * the bytes of a listing, or `null` when the response is complete (an
   * error, a redirect, a 304).
   *
   * @returns The body, or `null`.
   */
  async send_head(): Promise<HeadBody | null> {
    this.#range_length = Infinity;
    this.#on_the_fly = null;
    this.#spa_fallback = false;
    let path = this.translate_path(this.path);
    if (path === null || !this.#allowed(path)) return this.#not_found();
    let stat: Deno.FileInfo;
    try {
      stat = Deno.statSync(path);
    } catch (err) {
      // Deno refused, not the file system: a 500 and one line naming the
      // flag, never a 404 that hides the cause.
      if (err instanceof Deno.errors.NotCapable) throw err;
      const index = this.#spa_index();
      if (!index) return this.#not_found();
      [path, stat] = index;
    }
    if (stat.isDirectory) {
      const url_path = this.path.split(/[?#]/, 1)[0]!;
      if (!url_path.endsWith("/")) {
        // Redirect as browsers resolve relative links against the slash.
        this.send_response(301);
        this.send_header("Location", redirect_location(this.path));
        this.send_header("Content-Length", "0");
        this.end_headers();
        return null;
      }
      const index = this.#find_index(path);
      if (!index) return await this.list_directory(path);
      [path, stat] = index;
    } else if (path.endsWith("/")) {
      // A file asked for as a directory (RFC 7230 §2.7.3 says they differ).
      this.send_error(404, "File not found");
      return null;
    } else if (!stat.isFile) {
      // A FIFO, socket or device: opening a FIFO waits for a writer, and the
      // synchronous open below would stop the whole server with it.
      this.send_error(404, "File not found");
      return null;
    }
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path);
    } catch {
      this.send_error(404, "File not found");
      return null;
    }
    try {
      return await this.#send_file_head(file, path, stat);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  async #send_file_head(
    file_in: Deno.FsFile,
    path: string,
    stat: Deno.FileInfo,
  ): Promise<HeadBody | null> {
    let file = file_in;
    let size = stat.size;
    const mtime = stat.mtime?.getTime() ?? null;
    let etag = mtime === null ? null : file_etag(size, mtime);
    const type = this.guess_type(path);
    const range_header = this.headers.get("Range");
    let range: RangeResult = parse_range(range_header, size);
    const choice = choose_coding({
      path,
      size,
      mtime_ms: mtime,
      type,
      accept_encoding: this.headers.get("Accept-Encoding"),
      range: range.type !== "ignore",
      precompressed: this.precompressed,
      compress: this.compress,
      allowed: (p) => this.#allowed(p),
    });
    if (etag && choice.coding !== "identity") {
      etag = encoded_etag(etag, choice.coding);
    }
    if (this.#not_modified(etag, mtime)) {
      file.close();
      this.send_response(304);
      if (etag) this.send_header("ETag", etag);
      this.#send_vary(choice.vary);
      this.end_headers();
      return null;
    }
    if (choice.sibling) {
      // The sibling stands for the file: its bytes, the file's type.
      let sibling: Deno.FsFile;
      try {
        sibling = Deno.openSync(choice.sibling.path);
      } catch {
        // Removed since it was found: answer as for the file itself.
        file.close();
        this.send_error(404, "File not found");
        return null;
      }
      file.close();
      file = sibling;
      size = choice.sibling.size;
    }
    const if_range = this.headers.get("If-Range");
    if (range.type !== "ignore" && if_range !== undefined) {
      if (!if_range_matches(if_range, etag, mtime)) range = { type: "ignore" };
    }
    if (range.type === "unsatisfiable") {
      file.close();
      this.send_response(416);
      this.send_header("Content-Range", content_range(size));
      this.send_header("Content-Length", "0");
      this.end_headers();
      return null;
    }
    const span = range.type === "range" ? range : null;
    const length = span ? span.end - span.start + 1 : size;
    this.send_response(span ? 206 : 200);
    this.send_header("Content-type", type);
    if (choice.on_the_fly) {
      // No length before the end: chunked where the client reads it, else
      // the body ends with the connection (RFC 9112 §6.3).
      this.#on_the_fly = choice.coding as Coding;
      this.#chunked = this.protocol_version >= "HTTP/1.1" &&
        this.request_version >= "HTTP/1.1";
      if (this.#chunked) this.send_header("Transfer-Encoding", "chunked");
    } else {
      this.send_header("Content-Length", String(length));
    }
    if (choice.coding !== "identity") {
      this.send_header("Content-Encoding", choice.coding);
    }
    this.#send_vary(choice.vary);
    if (mtime !== null) {
      this.send_header("Last-Modified", this.date_time_string(mtime / 1000));
    }
    if (etag) this.send_header("ETag", etag);
    this.send_header("Accept-Ranges", "bytes");
    if (span) {
      this.send_header("Content-Range", content_range(size, span));
      await file.seek(span.start, Deno.SeekMode.Start);
    }
    this.end_headers();
    this.#range_length = length;
    if (
      length <= SMALL_FILE && this.command !== "HEAD" && !choice.on_the_fly
    ) {
      // Small files: one read, and the body joins the headers in one write.
      const data = new Uint8Array(length);
      let got = 0;
      try {
        while (got < length) {
          const n = file.readSync(data.subarray(got));
          if (n === null) break;
          got += n;
        }
      } finally {
        file.close();
      }
      return data.subarray(0, got);
    }
    return file;
  }

  /** Vary: what the representation was chosen by. */
  #send_vary(by_encoding: boolean): void {
    const vary = this.#spa_fallback
      ? (by_encoding ? "Accept, Accept-Encoding" : "Accept")
      : by_encoding
      ? "Accept-Encoding"
      : null;
    if (vary) this.send_header("Vary", vary);
  }

  /** If-None-Match, else If-Modified-Since (RFC 9110 §13.2.2). */
  #not_modified(etag: string | null, mtime: number | null): boolean {
    const inm = this.headers.get("If-None-Match");
    if (inm !== undefined) return etag !== null && !if_none_match(inm, etag);
    const ims = this.headers.get("If-Modified-Since");
    if (ims === undefined || mtime === null) return false;
    const since = parse_date(ims);
    // Compare whole seconds: Last-Modified has no finer resolution.
    return since !== null && Math.floor(mtime / 1000) * 1000 <= since;
  }

  /** With `spa`, the root's index page for a browser's missing page. */
  #spa_index(): [string, Deno.FileInfo] | null {
    if (!this.spa || !accepts_html(this.headers.get("Accept"))) return null;
    if (this.command !== "GET" && this.command !== "HEAD") return null;
    const index = this.#find_index(this.directory);
    this.#spa_fallback = index !== null;
    return index;
  }

  /** 404, with the site's `error_page` as its body when there is one. */
  #not_found(): Uint8Array | null {
    const page = this.error_page !== null && !this.spa
      ? read_error_page(join_path(this.directory, this.error_page))
      : null;
    if (page === null) {
      this.send_error(404, "File not found");
      return null;
    }
    this.log_error("code %d, message %s", 404, "File not found");
    this.send_response(404, "File not found");
    this.send_header("Content-type", "text/html; charset=utf-8");
    this.send_header("Content-Length", String(page.length));
    this.end_headers();
    return page;
  }

  #find_index(dir: string): [string, Deno.FileInfo] | null {
    for (const name of this.index_pages) {
      const candidate = join_path(dir, name);
      try {
        const stat = Deno.statSync(candidate);
        if (stat.isFile && this.#allowed(candidate)) {
          return [candidate, stat];
        }
      } catch {
        // Not there: try the next name.
      }
    }
    return null;
  }

  /**
   * The tree a path is confined to: `directory`, or, for a path that a
   * `translate_path` override placed outside it, the directory holding it
   * (the override chose that tree, as in Python; a link found there still
   * may not lead out of it).
   */
  #tree_of(path: string): string {
    if (is_inside(path, this.directory)) return this.directory;
    return path.replace(/[^/\\]+[/\\]?$/, "");
  }

  /** Dotfiles and symlinks: whether the path may be served. */
  #allowed(path: string): boolean {
    const tree = this.#tree_of(path);
    if (!this.dotfiles) {
      const rel = path.slice(tree.length);
      if (/(^|[/\\])\.[^/\\]/.test(rel)) return false;
    }
    if (this.follow_symlinks_outside) return true;
    // Missing (null): the caller's stat will answer 404.
    return resolves_inside(path, tree) !== false;
  }

  /**
   * Sends the headers of a directory listing and returns its HTML, or sends
   * 404 when the directory cannot be read.
   *
   * @param path The directory's file system path.
   * @returns The page, or `null`.
   */
  async list_directory(path: string): Promise<Uint8Array | null> {
    const entries: ListingEntry[] = [];
    // The tree the listed links may not lead out of (see #tree_of).
    const tree = is_inside(path, this.directory) ? this.directory : path;
    try {
      for (const entry of Deno.readDirSync(path)) {
        if (!this.dotfiles && entry.name.startsWith(".")) continue;
        if (is_upload_temp(entry.name)) continue;
        // A link we would answer with 404 is not listed either: neither
        // its name nor its target's size and time.
        if (
          entry.isSymlink && !this.follow_symlinks_outside &&
          resolves_inside(join_path(path, entry.name), tree) !== true
        ) continue;
        entries.push(this.#listing_entry(path, entry));
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotCapable) throw err;
      this.send_error(404, "No permission to list directory");
      return null;
    }
    let displaypath: string;
    try {
      displaypath = unquote(this.path);
    } catch {
      displaypath = this.path;
    }
    const query = parse_listing_query(this.path);
    const json = wants_json(this.headers.get("Accept"), query.json);
    let page: Uint8Array = encoder.encode(
      json
        ? render_json_listing(sort_entries(entries, query.sort, query.order))
        : render_listing(displaypath, entries, {
          ...query,
          form_html: this.upload ? upload_form_html() : "",
        }),
    );
    const coding = this.compress && page.length > MIN_COMPRESS_SIZE
      ? negotiate_encoding(this.headers.get("Accept-Encoding"), ON_THE_FLY)
      : "identity";
    if (coding !== "identity") page = await compress_bytes(page, coding);
    this.send_response(200);
    this.send_header(
      "Content-type",
      json ? "application/json" : "text/html; charset=utf-8",
    );
    this.send_header("Content-Length", String(page.length));
    if (coding !== "identity") this.send_header("Content-Encoding", coding);
    // The page depends on Accept (JSON or HTML), and on Accept-Encoding
    // when it may be compressed.
    this.send_header(
      "Vary",
      this.compress ? "Accept, Accept-Encoding" : "Accept",
    );
    this.end_headers();
    return page;
  }

  #listing_entry(dir: string, entry: Deno.DirEntry): ListingEntry {
    const full = join_path(dir, entry.name);
    let is_dir = entry.isDirectory;
    let size: number | null = null;
    let mtime: number | null = null;
    try {
      const stat = entry.isSymlink ? Deno.statSync(full) : Deno.lstatSync(full);
      is_dir = stat.isDirectory;
      size = stat.size;
      mtime = stat.mtime?.getTime() ?? null;
    } catch {
      // A dangling link or a file removed meanwhile: list what we know.
    }
    return {
      name: entry.name,
      is_dir,
      is_symlink: entry.isSymlink,
      size,
      mtime,
    };
  }

  /**
   * Maps a request path to a file system path under `directory`, as
   * Python's `translate_path` (query and fragment dropped, `%`-decoded,
   * `.` and `..` removed). Returns `null`, answered with 404, for paths that
   * could name something else: NUL bytes, encoded slashes or backslashes.
   *
   * @param path The request path.
   * @returns The file system path, or `null`.
   */
  translate_path(path: string): string | null {
    return translate_path(path, this.directory);
  }

  /**
   * Copies a body to the response: bytes at once, a file in chunks (and
   * closes it), never more than the range being sent.
   *
   * @param source What {@linkcode SimpleHTTPRequestHandler.send_head} returned.
   * @param outputfile Where to write: `this.wfile`.
   * @returns When the body is written.
   */
  async copyfile(source: HeadBody, outputfile: WFile): Promise<void> {
    if (source instanceof Uint8Array) {
      await outputfile.write(source);
      return;
    }
    if (this.#on_the_fly) {
      const coding = this.#on_the_fly;
      this.#on_the_fly = null;
      await write_compressed(
        source.readable,
        coding,
        outputfile,
        this.#chunked,
      );
      return;
    }
    // Double buffering: the next chunk is read (on Deno's thread pool)
    // while this one is written to the socket.
    let left = this.#range_length;
    const size = Math.min(CHUNK, left);
    let current = new Uint8Array(size);
    let spare = new Uint8Array(size);
    let reading: Promise<number | null> | null = left > 0
      ? source.read(current)
      : null;
    try {
      while (reading) {
        const n = await reading;
        reading = null;
        if (n === null || n === 0) break;
        const got = Math.min(n, left);
        left -= got;
        if (left > 0) {
          reading = source.read(
            left < spare.length ? spare.subarray(0, left) : spare,
          );
        }
        await outputfile.write(
          got === current.length ? current : current.subarray(0, got),
        );
        [current, spare] = [spare, current];
      }
    } finally {
      // A write that failed leaves a read under way: let it settle first.
      if (reading) await reading.catch(() => null);
      source.close();
    }
  }

  /**
   * The media type of a file, from `extensions_map`.
   *
   * @param path A file path.
   * @returns A `Content-Type` value.
   */
  guess_type(path: string): string {
    return guess_type(path, this.extensions_map, this.default_content_type);
  }

  /**
   * Adds the CORS header when `cors` is set and `response_headers`, then
   * ends the headers.
   */
  override end_headers(): void {
    if (this.cors) this.send_header("Access-Control-Allow-Origin", "*");
    if (this.#challenge) {
      this.#challenge = false;
      this.send_header("WWW-Authenticate", challenge(this.auth_realm));
    }
    for (const [name, value] of this.response_headers) {
      this.send_header(name, value);
    }
    super.end_headers();
  }

  /** Python's log line, with the authenticated user in place of its second `-`. */
  override log_message(format: string, ...args: unknown[]): void {
    if (this.auth_user === null) return super.log_message(format, ...args);
    Deno.stderr.writeSync(encoder.encode(user_log_line(
      this.address_string(),
      this.auth_user,
      this.log_date_time_string(),
      format,
      args,
    )));
  }
}

// do_PUT and do_POST go on the prototype rather than into the class body:
// a subclass that declares its own (CGIHTTPRequestHandler's do_POST, a
// Python-style handler of a user's) then needs no `override`, as before.
for (
  const [name, save] of [["do_PUT", save_put], ["do_POST", save_form]] as const
) {
  Object.defineProperty(SimpleHTTPRequestHandler.prototype, name, {
    configurable: true,
    writable: true,
    value: async function (this: SimpleHTTPRequestHandler): Promise<void> {
      if (!this.upload) {
        return this.send_error(501, `Unsupported method ('${name.slice(3)}')`);
      }
      await save(this);
    },
  });
}
