/**
 * The HTML page of a directory listing (Python's
 * `SimpleHTTPRequestHandler.list_directory`, the body only).
 *
 * @module
 */

import { escape_html } from "../_common/html.ts";
import { quote } from "../_common/quote.ts";
import { render_breadcrumb } from "./breadcrumb.ts";
import {
  sort_entries,
  sort_head,
  type SortKey,
  type SortOrder,
} from "./listing_sort.ts";

/** How {@linkcode render_listing} orders the entries. */
export interface ListingOptions {
  /** The column to sort by; `name` (Python's order) by default. */
  sort?: SortKey;
  /** The direction; `asc` by default. */
  order?: SortOrder;
  /**
   * HTML placed between the heading and the table (the upload form when
   * uploads are on); trusted, not escaped.
   */
  form_html?: string;
}

/** One directory entry for {@linkcode render_listing}. */
export interface ListingEntry {
  /** The file name, as `Deno.readDir` gives it. */
  name: string;
  /**
   * Whether the entry is a directory or a symbolic link to one (Python's
   * `os.path.isdir` follows links, so a caller must `Deno.stat` symlinks).
   */
  is_dir: boolean;
  /** Whether the entry is a symbolic link. */
  is_symlink: boolean;
  /** Size in bytes; shown for files only. */
  size?: number | null;
  /** Modification time in ms since the epoch. */
  mtime?: number | null;
}

const UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

function format_size(n: number): string {
  if (n < 1024) return `${n} B`;
  let v = n / 1024;
  let i = 0;
  while (v >= 1023.5 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 9.95 ? v.toFixed(1) : Math.round(v)} ${UNITS[i]}`;
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

// The last second and the last day formatted: a directory's files often
// share them (a checkout, an unpacked archive), and a Date costs more than
// the arithmetic of a time of day.
let memo_second = NaN;
let memo_time = "";
let memo_day = NaN;
let memo_date = "";

// The proleptic Gregorian date of a day since 1970-01-01 as YYYY-MM-DD, or
// "" outside years 0 to 9999 (H. Hinnant's days_from_civil inverse).
function format_day(day: number): string {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) -
      Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return "";
  return `${String(year).padStart(4, "0")}-${pad2(month)}-${
    pad2(doy - Math.floor((153 * mp + 2) / 5) + 1)
  }`;
}

// By hand: Date.prototype.toISOString took a third of the page's rendering
// time (1.35 µs a call against 0.27 µs for a Date's fields), and a Date per
// entry most of the rest of format_time's.
function format_time(ms: number): string {
  const second = Math.floor(Math.trunc(ms) / 1000); // as Date truncates
  if (second === memo_second) return memo_time;
  const day = Math.floor(second / 86400);
  if (day !== memo_day) {
    memo_date = format_day(day);
    memo_day = day;
  }
  let html: string;
  if (memo_date === "") {
    const iso = new Date(ms).toISOString(); // +010000-01-01T00:00:00.000Z
    html = `<time datetime="${iso}">${
      iso.slice(0, -8).replace("T", " ")
    }</time>`;
  } else {
    const s = second - day * 86400;
    const hm = `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}`;
    html = `<time datetime="${memo_date}T${hm}:${
      pad2(s % 60)
    }Z">${memo_date} ${hm}</time>`;
  }
  memo_second = second;
  memo_time = html;
  return html;
}

const STYLE = `<style>
:root{color-scheme:light dark}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60em;margin:1.5em auto;padding:0 1em;color:#222;background:#fff}
h1{font-size:1.4em;font-weight:600;overflow-wrap:anywhere}
hr{border:0;border-top:1px solid #ccc}
table{border-collapse:collapse;width:100%}
th,td{padding:.2em .6em;text-align:left;vertical-align:top}
th{font-weight:600;border-bottom:1px solid #ccc}
td:first-child{overflow-wrap:anywhere;width:100%}
th.n,td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#f4f4f4}
a{color:#0645ad;text-decoration:none}
a:hover,a:focus{text-decoration:underline}
@media (prefers-color-scheme:dark){body{color:#ddd;background:#181818}hr,th{border-color:#444}tbody tr:nth-child(even){background:#222}a{color:#8ab4f8}}
</style>`;

/**
 * Renders the directory listing page. Like Python, entries are sorted by
 * their lower-cased names, names are HTML-escaped, links are percent-encoded
 * with `quote`, directories show and link with a trailing `/`, and symbolic
 * links show with a trailing `@` (a link to a directory still links with
 * `/`). Unlike Python, the page is a table with size and modification time
 * (UTC) columns whose heads sort the page (server-side, no script), a parent
 * directory link, a breadcrumb trail in the heading, and a little inline
 * CSS; the title and the heading's text stay Python's
 * `Directory listing for <displaypath>`.
 *
 * @param displaypath The text for the title, not yet escaped; Python passes
 *   `unquote(this.path)`, query string included.
 * @param entries The directory's entries, in any order (not modified).
 * @param options The sort column and direction (`?sort=size&order=desc`).
 * @returns The HTML document.
 *
 * @example
 * ```ts
 * import { render_listing } from "./listing.ts";
 * import assert from "node:assert/strict";
 *
 * const html = render_listing("/docs/", [
 *   { name: "a b.txt", is_dir: false, is_symlink: false, size: 3 },
 * ]);
 * assert.ok(html.includes('<a href="a%20b.txt">a b.txt</a>'));
 * ```
 */
export function render_listing(
  displaypath: string,
  entries: readonly ListingEntry[],
  options: ListingOptions = {},
): string {
  const path_part = displaypath.split(/[?#]/, 1)[0]!;
  const parent = path_part !== "/" && path_part !== "";
  const title = `Directory listing for ${escape_html(displaypath, false)}`;
  const sort = options.sort ?? "name";
  const order = options.order ?? "asc";
  const r: string[] = [
    "<!DOCTYPE HTML>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title}</title>`,
    STYLE,
    "</head>",
    "<body>",
    `<h1>Directory listing for ${render_breadcrumb(displaypath)}</h1>`,
    "<hr>",
    ...(options.form_html ? [options.form_html] : []),
    "<table>",
    sort_head(sort, order),
    "<tbody>",
  ];
  if (parent) {
    r.push(
      '<tr><td><a href="../">../</a></td><td class="n"></td><td class="n"></td></tr>',
    );
  }
  for (const e of sort_entries(entries, sort, order)) {
    let displayname = e.name;
    let linkname = e.name;
    if (e.is_dir) {
      displayname += "/";
      linkname += "/";
    }
    if (e.is_symlink) displayname = e.name + "@";
    const size = !e.is_dir && e.size != null && e.size >= 0
      ? ` title="${e.size} bytes">${format_size(e.size)}`
      : ">";
    // Date can represent ±8.64e15 ms; toISOString throws beyond.
    const mtime = e.mtime != null && Math.abs(e.mtime) <= 8.64e15
      ? format_time(e.mtime)
      : "";
    r.push(
      `<tr><td><a href="${quote(linkname)}">${
        escape_html(displayname, false)
      }</a></td><td class="n"${size}</td><td class="n">${mtime}</td></tr>`,
    );
  }
  r.push("</tbody>", "</table>", "<hr>", "</body>", "</html>", "");
  return r.join("\n");
}
