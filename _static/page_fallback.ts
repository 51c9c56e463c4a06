/**
 * The pages that answer in place of the one asked for: a directory's index
 * page, the root's index page for a single-page app's missing route
 * (`spa`), and the site's own 404 page (`error_page`).
 *
 * @module
 */

import { join_path } from "./fs_path.ts";
import { may_serve } from "./confine.ts";
import type { StaticState } from "./request_state.ts";
import type { SimpleHTTPRequestHandler } from "./simple_handler.ts";
import { accepts_html, read_error_page } from "./spa.ts";

/**
 * The first of `index_pages` that is a file in `dir` and may be served.
 *
 * @param h The handler.
 * @param dir The directory.
 * @returns Its path and stat, or `null`.
 */
export function find_index(
  h: SimpleHTTPRequestHandler,
  dir: string,
): [string, Deno.FileInfo] | null {
  for (const name of h.index_pages) {
    const candidate = join_path(dir, name);
    try {
      const stat = Deno.statSync(candidate);
      if (stat.isFile && may_serve(candidate, h)) return [candidate, stat];
    } catch {
      // Not there: try the next name.
    }
  }
  return null;
}

/**
 * With `spa`, the root's index page for a `GET` or `HEAD` of a missing
 * path from a client that accepts HTML; records the fallback in `s`.
 *
 * @param h The handler.
 * @param s Its per-request state.
 * @returns The index page's path and stat, or `null`.
 */
export function spa_index(
  h: SimpleHTTPRequestHandler,
  s: StaticState,
): [string, Deno.FileInfo] | null {
  if (!h.spa || !accepts_html(h.headers.get("Accept"))) return null;
  if (h.command !== "GET" && h.command !== "HEAD") return null;
  const index = find_index(h, h.directory);
  s.spa_fallback = index !== null;
  return index;
}

/**
 * Answers 404, with the site's `error_page` as its body when there is one
 * (and `spa` is off).
 *
 * @param h The handler.
 * @returns The page to send, or `null` when Python's error page was sent.
 */
export function not_found(h: SimpleHTTPRequestHandler): Uint8Array | null {
  const page = h.error_page !== null && !h.spa
    ? read_error_page(join_path(h.directory, h.error_page))
    : null;
  if (page === null) {
    h.send_error(404, "File not found");
    return null;
  }
  h.log_error("code %d, message %s", 404, "File not found");
  h.send_response(404, "File not found");
  h.send_header("Content-type", "text/html; charset=utf-8");
  h.send_header("Content-Length", String(page.length));
  h.end_headers();
  return page;
}
