/**
 * The JSON form of a directory listing, for `Accept: application/json` or
 * `?format=json`.
 *
 * @module
 */

import type { ListingEntry } from "./listing.ts";

/** One entry of the JSON listing. */
export interface JsonEntry {
  /** The file name. */
  name: string;
  /** What it is; a symbolic link is `symlink` whatever it points to. */
  type: "file" | "directory" | "symlink";
  /** Size in bytes (of the target, for a link); `null` for directories. */
  size: number | null;
  /** Modification time in seconds since the epoch (Python's `st_mtime`). */
  mtime: number | null;
}

function weight(accept: string, type: string): number | null {
  for (const range of accept.split(",")) {
    const [media, ...params] = range.split(";");
    if (media!.trim().toLowerCase() !== type) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split("=");
      if (k?.trim().toLowerCase() === "q") q = Number(v?.trim());
    }
    return Number.isFinite(q) ? q : 0;
  }
  return null;
}

/**
 * Whether a listing should be JSON: `?format=json`, or an `Accept` that
 * names `application/json` with a weight above `text/html`'s (wildcards
 * are not counted, so a browser's `*\/*` keeps the HTML page).
 *
 * @param accept The request's `Accept`, if any.
 * @param format_json Whether the query said `format=json`.
 * @returns Whether to answer with JSON.
 *
 * @example
 * ```ts
 * import { wants_json } from "./json_listing.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(wants_json("application/json", false), true);
 * assert.equal(wants_json("text/html,application/xhtml+xml,*\/*;q=0.8", false), false);
 * assert.equal(wants_json(undefined, true), true);
 * ```
 */
export function wants_json(
  accept: string | undefined,
  format_json: boolean,
): boolean {
  if (format_json) return true;
  if (accept === undefined) return false;
  const json = weight(accept, "application/json") ?? 0;
  return json > 0 && json > (weight(accept, "text/html") ?? 0);
}

/**
 * Renders entries, in the order given, as a JSON array of
 * {@linkcode JsonEntry}.
 *
 * @param entries The entries, sorted as the listing is.
 * @returns The JSON text.
 *
 * @example
 * ```ts
 * import { render_json_listing } from "./json_listing.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   render_json_listing([{ name: "a", is_dir: false, is_symlink: false, size: 3, mtime: 1500 }]),
 *   '[{"name":"a","type":"file","size":3,"mtime":1.5}]',
 * );
 * ```
 */
export function render_json_listing(entries: readonly ListingEntry[]): string {
  const out: JsonEntry[] = entries.map((e) => ({
    name: e.name,
    type: e.is_symlink ? "symlink" : e.is_dir ? "directory" : "file",
    size: e.is_dir ? null : e.size ?? null,
    mtime: e.mtime == null ? null : e.mtime / 1000,
  }));
  return JSON.stringify(out);
}
