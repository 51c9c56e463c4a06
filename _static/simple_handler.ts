/**
 * `SimpleHTTPRequestHandler`: Python's static file handler.
 *
 * @module
 */

import { BaseHTTPRequestHandler } from "../_handler/base_handler.ts";
import { render_listing } from "./listing.ts";
import { guess_type, types_map } from "./mime.ts";
import { unquote } from "../_common/quote.ts";
import type { HTTPServer } from "../_server/server.ts";
import { redirect_location, translate_path } from "./translate_path.ts";
import type { WFile } from "../_protocol/wfile.ts";
import { add_upload_methods } from "./upload.ts";
import { base_name } from "./upload_name.ts";
import { upload_form_html } from "./upload_form.ts";
import { challenge, check_basic, user_log_line } from "./auth.ts";
import {
  compress_bytes,
  MIN_COMPRESS_SIZE,
  ON_THE_FLY,
  write_compressed,
} from "./compress.ts";
import { negotiate_encoding } from "./accept_encoding.ts";
import { parse_listing_query, sort_entries } from "./listing_sort.ts";
import { render_json_listing, wants_json } from "./json_listing.ts";
import { may_serve } from "./confine.ts";
import { copy_span } from "./copy_file.ts";
import { send_file_head } from "./file_head.ts";
import { listing_entries } from "./listing_entries.ts";
import { find_index, not_found, spa_index } from "./page_fallback.ts";
import { StaticState } from "./request_state.ts";

const encoder = new TextEncoder();
// File system calls here are synchronous: on a local disk stat, realpath and
// open take microseconds, while each async op waits for a thread pool hop
// (the profile of a 1 KiB GET showed the event loop a third idle, waiting
// for them). File bodies are read the same way while the reads come from
// memory, and async from the first slow one (copy_file.ts).

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

  #s = new StaticState();

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
    this.#s.challenge = true;
    this.send_error(401, "Authentication required");
    return false;
  }

  /**
   * Sends the status line and headers for the path, and returns the body
   * to send: an open file (positioned at the start of the range, if any),
   * the bytes of a listing, or `null` when the response is complete (an
   * error, a redirect, a 304).
   *
   * It is async, so an override is too (and says `override`); it may
   * await before or after calling `super.send_head()`.
   *
   * @returns The body, or `null`.
   *
   * @example An override that serves `/static/x` from `x`
   * ```ts
   * import { type HeadBody, SimpleHTTPRequestHandler, ThreadingHTTPServer } from "../mod.ts";
   * import assert from "node:assert/strict";
   *
   * const dir = await Deno.makeTempDir();
   * await Deno.writeTextFile(`${dir}/a.txt`, "A");
   * class Handler extends SimpleHTTPRequestHandler {
   *   override directory = dir;
   *   override async send_head(): Promise<HeadBody | null> {
   *     this.path = this.path.replace(/^\/static\//, "/");
   *     return await super.send_head();
   *   }
   *   override log_message() {}
   * }
   * await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Handler);
   * server.serve_forever();
   * const res = await fetch(`http://127.0.0.1:${server.server_port}/static/a.txt`);
   * assert.equal(await res.text(), "A");
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async send_head(): Promise<HeadBody | null> {
    this.#s.reset();
    let path = this.translate_path(this.path);
    if (path === null || !may_serve(path, this)) return not_found(this);
    let stat: Deno.FileInfo;
    try {
      stat = Deno.statSync(path);
    } catch (err) {
      // Deno refused, not the file system: a 500 and one line naming the
      // flag, never a 404 that hides the cause.
      if (err instanceof Deno.errors.NotCapable) throw err;
      const index = spa_index(this, this.#s);
      if (!index) return not_found(this);
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
      const index = find_index(this, path);
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
      return await send_file_head(this, this.#s, file, path, stat);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  /**
   * Sends the headers of a directory listing and returns its HTML, or sends
   * 404 when the directory cannot be read.
   *
   * @param path The directory's file system path.
   * @returns The page, or `null`.
   *
   * @example An override that lists names as plain text (async, `override`)
   * ```ts
   * import { SimpleHTTPRequestHandler, ThreadingHTTPServer } from "../mod.ts";
   * import assert from "node:assert/strict";
   *
   * const dir = await Deno.makeTempDir();
   * await Deno.writeTextFile(`${dir}/b.txt`, "");
   * class Handler extends SimpleHTTPRequestHandler {
   *   override directory = dir;
   *   // deno-lint-ignore require-await
   *   override async list_directory(path: string): Promise<Uint8Array | null> {
   *     const names = [...Deno.readDirSync(path)].map((e) => e.name).sort();
   *     const page = new TextEncoder().encode(names.join("\n"));
   *     this.send_response(200);
   *     this.send_header("Content-Type", "text/plain");
   *     this.send_header("Content-Length", page.length);
   *     this.end_headers();
   *     return page;
   *   }
   *   override log_message() {}
   * }
   * await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Handler);
   * server.serve_forever();
   * const res = await fetch(`http://127.0.0.1:${server.server_port}/`);
   * assert.equal(await res.text(), "b.txt");
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  // Async so that an override may await; ours reads the directory at once.
  // deno-lint-ignore require-await
  async list_directory(path: string): Promise<Uint8Array | null> {
    let entries;
    try {
      entries = listing_entries(path, this);
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
    if (coding !== "identity") page = compress_bytes(page);
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
   *
   * @example An override that notes what it sends (async, `override`)
   * ```ts
   * import { type HeadBody, SimpleHTTPRequestHandler, ThreadingHTTPServer, type WFile } from "../mod.ts";
   * import assert from "node:assert/strict";
   *
   * const dir = await Deno.makeTempDir();
   * await Deno.writeTextFile(`${dir}/c.txt`, "abc");
   * const sent: string[] = [];
   * class Handler extends SimpleHTTPRequestHandler {
   *   override directory = dir;
   *   override async copyfile(source: HeadBody, outputfile: WFile): Promise<void> {
   *     // A small file arrives read; a large one open, to stream.
   *     sent.push(source instanceof Uint8Array ? "bytes" : "file");
   *     await super.copyfile(source, outputfile);
   *   }
   *   override log_message() {}
   * }
   * await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Handler);
   * server.serve_forever();
   * const res = await fetch(`http://127.0.0.1:${server.server_port}/c.txt`);
   * assert.equal(await res.text(), "abc");
   * assert.deepEqual(sent, ["bytes"]);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async copyfile(source: HeadBody, outputfile: WFile): Promise<void> {
    if (source instanceof Uint8Array) {
      await outputfile.write(source);
      return;
    }
    const s = this.#s;
    if (s.on_the_fly) {
      s.on_the_fly = null;
      await write_compressed(source, outputfile, s.chunked);
      return;
    }
    await copy_span(source, outputfile, s.range_length);
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
    if (this.#s.challenge) {
      this.#s.challenge = false;
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

add_upload_methods(SimpleHTTPRequestHandler);
