/**
 * The breadcrumb trail of a directory listing's heading: each ancestor of
 * the listed path a link.
 *
 * @module
 */

import { escape_html } from "../_common/html.ts";

/**
 * Renders a listing's path as links to each ancestor, relative (`../../`
 * for the root of `/a/b/`), so that they work behind a proxy that adds a
 * prefix. The text is the path as Python shows it in the title; a query
 * string follows as plain text.
 *
 * @param displaypath The unquoted request path, query included.
 * @returns HTML for the heading.
 *
 * @example
 * ```ts
 * import { render_breadcrumb } from "./breadcrumb.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   render_breadcrumb("/a/b/"),
 *   '<a href="../../">/</a><a href="../">a</a>/<a href="./">b</a>/',
 * );
 * ```
 */
export function render_breadcrumb(displaypath: string): string {
  const cut = displaypath.search(/[?#]/);
  const path = cut < 0 ? displaypath : displaypath.slice(0, cut);
  const rest = cut < 0 ? "" : displaypath.slice(cut);
  if (!path.startsWith("/")) return escape_html(displaypath, false);
  const segments = path.slice(1).split("/");
  const trailing = segments.at(-1) === "";
  if (trailing) segments.pop();
  // From the listed directory, ancestor i is (depth - i) levels up.
  const depth = trailing ? segments.length : segments.length - 1;
  const up = (n: number) => n === 0 ? "./" : "../".repeat(n);
  let html = `<a href="${up(depth)}">/</a>`;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    html += `<a href="${up(depth - i - 1)}">${escape_html(segment, false)}</a>`;
    if (!last || trailing) html += "/";
  });
  return html + escape_html(rest, false);
}
