/**
 * The head of a file response: conditional requests (`If-None-Match`,
 * `If-Modified-Since`, `If-Range`), ranges, the representation chosen by
 * content coding, and the headers that describe it. Small files are read
 * whole so that the body joins the head in one write.
 *
 * @module
 */

import { parse_date } from "../_protocol/date.ts";
import type { Coding } from "./accept_encoding.ts";
import { choose_coding } from "./content_coding.ts";
import { file_etag, if_none_match } from "./etag.ts";
import { encoded_etag } from "./precompressed.ts";
import {
  content_range,
  if_range_matches,
  parse_range,
  type RangeResult,
} from "./range.ts";
import type { StaticState } from "./request_state.ts";
import type { HeadBody, SimpleHTTPRequestHandler } from "./simple_handler.ts";
import { may_serve } from "./confine.ts";

/** Files up to this size are read in one piece; larger ones stream. */
const SMALL_FILE = 64 * 1024;

/**
 * Sends the head for an open file and returns the body: the bytes of a
 * small file, the file itself (positioned at its range), or `null` for a
 * 304, a 416 or a vanished sibling. Closes `file` when it is not returned.
 *
 * @param h The handler.
 * @param s Its per-request state.
 * @param file_in The file, open.
 * @param path Its path.
 * @param stat Its stat.
 * @returns The body, or `null`.
 */
export async function send_file_head(
  h: SimpleHTTPRequestHandler,
  s: StaticState,
  file_in: Deno.FsFile,
  path: string,
  stat: Deno.FileInfo,
): Promise<HeadBody | null> {
  let file = file_in;
  let size = stat.size;
  const mtime = stat.mtime?.getTime() ?? null;
  let etag = mtime === null ? null : file_etag(size, mtime);
  const type = h.guess_type(path);
  let range: RangeResult = parse_range(h.headers.get("Range"), size);
  const choice = choose_coding({
    path,
    size,
    mtime_ms: mtime,
    type,
    accept_encoding: h.headers.get("Accept-Encoding"),
    range: range.type !== "ignore",
    precompressed: h.precompressed,
    compress: h.compress,
    allowed: (p) => may_serve(p, h),
  });
  if (etag && choice.coding !== "identity") {
    etag = encoded_etag(etag, choice.coding);
  }
  if (not_modified(h, etag, mtime)) {
    file.close();
    h.send_response(304);
    if (etag) h.send_header("ETag", etag);
    send_vary(h, s, choice.vary);
    h.end_headers();
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
      h.send_error(404, "File not found");
      return null;
    }
    file.close();
    file = sibling;
    size = choice.sibling.size;
  }
  const if_range = h.headers.get("If-Range");
  if (range.type !== "ignore" && if_range !== undefined) {
    if (!if_range_matches(if_range, etag, mtime)) range = { type: "ignore" };
  }
  if (range.type === "unsatisfiable") {
    file.close();
    h.send_response(416);
    h.send_header("Content-Range", content_range(size));
    h.send_header("Content-Length", "0");
    h.end_headers();
    return null;
  }
  const span = range.type === "range" ? range : null;
  const length = span ? span.end - span.start + 1 : size;
  h.send_response(span ? 206 : 200);
  h.send_header("Content-type", type);
  if (choice.on_the_fly) {
    // No length before the end: chunked where the client reads it, else
    // the body ends with the connection (RFC 9112 §6.3).
    s.on_the_fly = choice.coding as Coding;
    s.chunked = h.protocol_version >= "HTTP/1.1" &&
      h.request_version >= "HTTP/1.1";
    if (s.chunked) h.send_header("Transfer-Encoding", "chunked");
  } else {
    h.send_header("Content-Length", String(length));
  }
  if (choice.coding !== "identity") {
    h.send_header("Content-Encoding", choice.coding);
  }
  send_vary(h, s, choice.vary);
  if (mtime !== null) {
    h.send_header("Last-Modified", h.date_time_string(mtime / 1000));
  }
  if (etag) h.send_header("ETag", etag);
  h.send_header("Accept-Ranges", "bytes");
  if (span) {
    h.send_header("Content-Range", content_range(size, span));
    await file.seek(span.start, Deno.SeekMode.Start);
  }
  h.end_headers();
  s.range_length = length;
  if (length <= SMALL_FILE && h.command !== "HEAD" && !choice.on_the_fly) {
    return read_whole(file, length);
  }
  return file;
}

/** Small files: one read, then closed. */
function read_whole(file: Deno.FsFile, length: number): Uint8Array {
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

/** Vary: what the representation was chosen by. */
function send_vary(
  h: SimpleHTTPRequestHandler,
  s: StaticState,
  by_encoding: boolean,
): void {
  const vary = s.spa_fallback
    ? (by_encoding ? "Accept, Accept-Encoding" : "Accept")
    : by_encoding
    ? "Accept-Encoding"
    : null;
  if (vary) h.send_header("Vary", vary);
}

/** If-None-Match, else If-Modified-Since (RFC 9110 §13.2.2). */
function not_modified(
  h: SimpleHTTPRequestHandler,
  etag: string | null,
  mtime: number | null,
): boolean {
  const inm = h.headers.get("If-None-Match");
  if (inm !== undefined) return etag !== null && !if_none_match(inm, etag);
  const ims = h.headers.get("If-Modified-Since");
  if (ims === undefined || mtime === null) return false;
  const since = parse_date(ims);
  // Compare whole seconds: Last-Modified has no finer resolution.
  return since !== null && Math.floor(mtime / 1000) * 1000 <= since;
}
