/**
 * What a directory listing shows: the entries the handler would serve,
 * each with its type, size and time.
 *
 * @module
 */

import { is_inside, join_path, resolves_inside } from "./fs_path.ts";
import type { ListingEntry } from "./listing.ts";
import type { ServeRules } from "./confine.ts";
import { is_upload_temp } from "./upload_name.ts";

/**
 * The entries of a directory that may be listed: not dotfiles when they
 * are hidden, not an upload's temporary file, not a link the handler would
 * answer with 404 (neither its name nor its target's size and time).
 *
 * @param path The directory.
 * @param rules The handler's attributes.
 * @returns The entries, in the order the system gives them.
 * @throws What `Deno.readDirSync` throws for a directory that cannot be read.
 *
 * @example
 * ```ts
 * import { listing_entries } from "./listing_entries.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "abc");
 * await Deno.writeTextFile(`${dir}/.hidden`, "");
 * const rules = { directory: dir, dotfiles: false, follow_symlinks_outside: false };
 * const [entry, ...rest] = listing_entries(dir, rules);
 * assert.deepEqual([entry?.name, entry?.size, rest.length], ["a.txt", 3, 0]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function listing_entries(
  path: string,
  rules: ServeRules,
): ListingEntry[] {
  const entries: ListingEntry[] = [];
  // The tree the listed links may not lead out of (see tree_of).
  const tree = is_inside(path, rules.directory) ? rules.directory : path;
  for (const entry of Deno.readDirSync(path)) {
    if (!rules.dotfiles && entry.name.startsWith(".")) continue;
    if (is_upload_temp(entry.name)) continue;
    if (
      entry.isSymlink && !rules.follow_symlinks_outside &&
      resolves_inside(join_path(path, entry.name), tree) !== true
    ) continue;
    entries.push(entry_of(path, entry));
  }
  return entries;
}

function entry_of(dir: string, entry: Deno.DirEntry): ListingEntry {
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
  return { name: entry.name, is_dir, is_symlink: entry.isSymlink, size, mtime };
}
