/**
 * Normalising a request path before it is matched against the CGI
 * directories (Python's `_url_collapse_path`, made strict).
 *
 * @module
 */

import { unquote } from "../_common/quote.ts";

// An encoded slash or backslash, a raw backslash or a NUL byte: each would
// let a path name one thing to the matcher and another to the file system.
// translate_path() refuses the same set, so such a path is never served.
const AMBIGUOUS = /%2f|%5c|%00|\\|\0/i;
// The scheme and authority of an absolute-form target (RFC 9112 §3.2.2), which
// translate_path() drops too.
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * Collapses a request path as Python's `_url_collapse_path` does: the query
 * is set aside, the path is `%`-decoded, empty and `.` segments are dropped
 * and each `..` removes the segment before it; the result starts with `/`
 * and keeps the query.
 *
 * It reads the path exactly as `translate_path` does, so that a path which
 * is not a script here can never map into a CGI directory there: the scheme
 * and authority of an absolute-form target and a fragment are dropped, and a
 * `..` above the root stays at the root (RFC 3986 §5.2.4; Python raises
 * `IndexError`). It returns `null`, where Python would let `%2F` split
 * segments, for an encoded slash or backslash, a raw backslash and a NUL
 * byte: `translate_path` refuses those too.
 *
 * @param path The request target, such as `/cgi-bin/../cgi-bin/x.ts?a=1`.
 * @returns The collapsed path, such as `/cgi-bin/x.ts?a=1`, or `null`.
 *
 * @example
 * ```ts
 * import { collapse_path } from "./cgi_path.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(collapse_path("//cgi-bin/./a/../x.ts?q=1"), "/cgi-bin/x.ts?q=1");
 * assert.equal(collapse_path("/cgi-bin/%2e%2e/x"), "/x");
 * assert.equal(collapse_path("/../cgi-bin/x.ts"), "/cgi-bin/x.ts");
 * assert.equal(collapse_path("/cgi-bin%2fx.ts"), null);
 * ```
 */
export function collapse_path(path: string): string | null {
  const absolute = ABSOLUTE_FORM.exec(path);
  if (absolute) path = path.slice(absolute[0].length);
  const hash = path.indexOf("#");
  if (hash !== -1) path = path.slice(0, hash);
  const q = path.indexOf("?");
  const query = q === -1 ? "" : path.slice(q + 1);
  const raw = q === -1 ? path : path.slice(0, q);
  if (AMBIGUOUS.test(raw)) return null;
  const parts = unquote(raw).split("/");
  const tail_raw = parts.pop() ?? "";
  const head: string[] = [];
  for (const part of parts) {
    if (part === "..") head.pop();
    else if (part !== "" && part !== ".") head.push(part);
  }
  let tail = tail_raw;
  if (tail === "..") {
    head.pop();
    tail = "";
  } else if (tail === ".") {
    tail = "";
  }
  if (query) tail += "?" + query;
  return "/" + head.join("/") + (head.length ? "/" : "") + tail;
}
