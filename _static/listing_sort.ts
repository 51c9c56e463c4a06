/**
 * Server-side sorting of directory listings: `?sort=name|size|time` and
 * `&order=asc|desc`, and the column heads that link to them.
 *
 * @module
 */

import type { ListingEntry } from "./listing.ts";

/** A listing column to sort by. */
export type SortKey = "name" | "size" | "time";
/** A sort direction. */
export type SortOrder = "asc" | "desc";

/** What a listing's query string asks for. */
export interface ListingQuery {
  /** The column; `name` by default (Python's order). */
  sort: SortKey;
  /** The direction; `asc` by default. */
  order: SortOrder;
  /** `?format=json` was given. */
  json: boolean;
}

const KEYS: readonly SortKey[] = ["name", "size", "time"];

/**
 * Reads `sort`, `order` and `format` from a request path's query; unknown
 * or repeated-and-bad values fall back to the defaults.
 *
 * @param path The request path, query included.
 * @returns What the query asks for.
 *
 * @example
 * ```ts
 * import { parse_listing_query } from "./listing_sort.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parse_listing_query("/d/?sort=size&order=desc"), {
 *   sort: "size", order: "desc", json: false,
 * });
 * assert.deepEqual(parse_listing_query("/d/?sort=nope&format=json"), {
 *   sort: "name", order: "asc", json: true,
 * });
 * ```
 */
export function parse_listing_query(path: string): ListingQuery {
  const q = path.indexOf("?");
  const query: ListingQuery = { sort: "name", order: "asc", json: false };
  if (q < 0) return query;
  const params = new URLSearchParams(path.slice(q + 1).split("#", 1)[0]);
  const sort = params.get("sort");
  if (sort !== null && (KEYS as readonly string[]).includes(sort)) {
    query.sort = sort as SortKey;
  }
  if (params.get("order") === "desc") query.order = "desc";
  query.json = params.get("format") === "json";
  return query;
}

function number_of(entry: ListingEntry, key: SortKey): number {
  if (key === "size") return entry.is_dir ? -1 : entry.size ?? -1;
  return entry.mtime ?? -Infinity;
}

/**
 * Sorts listing entries (a new array). By name, the default, it is
 * Python's order: the lower-cased names compared by code unit. By size
 * (directories count as smaller than any file) or time, ties go by name.
 * `desc` reverses the whole order.
 *
 * @param entries The entries (not modified).
 * @param sort The column.
 * @param order The direction.
 * @returns The entries, sorted.
 *
 * @example
 * ```ts
 * import { sort_entries } from "./listing_sort.ts";
 * import assert from "node:assert/strict";
 *
 * const e = (name: string, size: number) => ({ name, is_dir: false, is_symlink: false, size });
 * const names = (list: { name: string }[]) => list.map((x) => x.name);
 * assert.deepEqual(names(sort_entries([e("b", 1), e("A", 3)], "name", "asc")), ["A", "b"]);
 * assert.deepEqual(names(sort_entries([e("b", 1), e("A", 3)], "size", "desc")), ["A", "b"]);
 * ```
 */
export function sort_entries<T extends ListingEntry>(
  entries: readonly T[],
  sort: SortKey = "name",
  order: SortOrder = "asc",
): T[] {
  // Each name lowered once, not once per comparison.
  const keyed = entries.map((entry) => ({
    entry,
    name: entry.name.toLowerCase(),
    n: sort === "name" ? 0 : number_of(entry, sort),
  }));
  keyed.sort((a, b) => {
    const d = a.n - b.n;
    if (d < 0 || d > 0) return d; // not for ties, nor NaN (-Infinity twice)
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  const sorted = keyed.map((k) => k.entry);
  return order === "desc" ? sorted.reverse() : sorted;
}

const LABELS: Readonly<Record<SortKey, string>> = {
  name: "Name",
  size: "Size",
  time: "Modified (UTC)",
};

/**
 * The listing table's head row: each column a link that sorts by it
 * (ascending, or descending when it is the current ascending column), the
 * current one marked with `aria-sort`.
 *
 * @param sort The current column.
 * @param order The current direction.
 * @returns The `<thead>` element.
 *
 * @example
 * ```ts
 * import { sort_head } from "./listing_sort.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(sort_head("name", "asc").includes('<a href="?sort=name&amp;order=desc">Name</a>'));
 * ```
 */
export function sort_head(sort: SortKey, order: SortOrder): string {
  const cells = KEYS.map((key) => {
    const next = key === sort && order === "asc" ? "desc" : "asc";
    const cls = key === "name" ? "" : ' class="n"';
    const aria = key === sort
      ? ` aria-sort="${order === "asc" ? "ascending" : "descending"}"`
      : "";
    return `<th${cls}${aria}><a href="?sort=${key}&amp;order=${next}">${
      LABELS[key]
    }</a></th>`;
  });
  return `<thead><tr>${cells.join("")}</tr></thead>`;
}
