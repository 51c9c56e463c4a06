/**
 * Normalising a request path before it is matched against the CGI
 * directories (Python's `_url_collapse_path`, made strict).
 *
 * @module
 */

import { unquote } from "./_quote.ts";

// An encoded slash or backslash, a raw backslash or a NUL byte: each would
// let a path name one thing to the matcher and another to the file system.
const AMBIGUOUS = /%2f|%5c|%00|\\|\0/i;

/**
 * Collapses a request path as Python's `_url_collapse_path` does: the query
 * is set aside, the path is `%`-decoded, empty and `.` segments are dropped
 * and each `..` removes the segment before it; the result starts with `/`
 * and keeps the query. Unlike Python, which lets `%2F` split segments and
 * raises on a `..` above the root, this returns `null` for those and for
 * backslashes and NUL bytes: such a path is never a script.
 *
 * @param path The request target, such as `/cgi-bin/../cgi-bin/x.ts?a=1`.
 * @returns The collapsed path, such as `/cgi-bin/x.ts?a=1`, or `null`.
 *
 * @example
 * ```ts
 * import { collapse_path } from "./_cgi_path.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(collapse_path("//cgi-bin/./a/../x.ts?q=1"), "/cgi-bin/x.ts?q=1");
 * assert.equal(collapse_path("/cgi-bin/%2e%2e/x"), "/x");
 * assert.equal(collapse_path("/cgi-bin%2fx.ts"), null);
 * ```
 */
export function collapse_path(path: string): string | null {
  const q = path.indexOf("?");
  const query = q === -1 ? "" : path.slice(q + 1);
  const raw = q === -1 ? path : path.slice(0, q);
  if (AMBIGUOUS.test(raw)) return null;
  const parts = unquote(raw).split("/");
  const tail_raw = parts.pop() ?? "";
  const head: string[] = [];
  for (const part of parts) {
    if (part === "..") {
      if (head.length === 0) return null;
      head.pop();
    } else if (part !== "" && part !== ".") {
      head.push(part);
    }
  }
  let tail = tail_raw;
  if (tail === "..") {
    if (head.length === 0) return null;
    head.pop();
    tail = "";
  } else if (tail === ".") {
    tail = "";
  }
  if (query) tail += "?" + query;
  return "/" + head.join("/") + (head.length ? "/" : "") + tail;
}
