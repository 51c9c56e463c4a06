/**
 * File system path pieces for the static and CGI handlers: joining as
 * Python's `os.path.join` does, and whether one path lies inside another,
 * as strings or by real path.
 *
 * @module
 */

const WINDOWS = Deno.build.os === "windows";
const SEP = WINDOWS ? "\\" : "/";

function ends_with_sep(path: string): boolean {
  return path.endsWith("/") || (WINDOWS && path.endsWith("\\"));
}

/**
 * Joins a directory and a name as Python's `os.path.join(dir, name)`: one
 * separator between them, whether or not `dir` ends with one (a
 * `translate_path` override built with `os.path.join` gives no trailing
 * slash).
 *
 * @param dir The directory.
 * @param name A name inside it.
 * @returns The joined path.
 *
 * @example
 * ```ts
 * import { join_path } from "./fs_path.ts";
 * import assert from "node:assert/strict";
 *
 * if (Deno.build.os !== "windows") {
 *   assert.equal(join_path("/srv/site", "index.html"), "/srv/site/index.html");
 *   assert.equal(join_path("/srv/site/", "index.html"), "/srv/site/index.html");
 * }
 * ```
 */
export function join_path(dir: string, name: string): string {
  return dir === "" || ends_with_sep(dir) ? dir + name : dir + SEP + name;
}

/**
 * Whether `path` is `root` or lies below it, comparing whole components of
 * the two strings as they are (no link is followed, nothing is normalised).
 *
 * @param path The path to test.
 * @param root The directory.
 * @returns `true` when `path` is `root` or inside it.
 *
 * @example
 * ```ts
 * import { is_inside } from "./fs_path.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(is_inside("/srv/site/a.txt", "/srv/site"), true);
 * assert.equal(is_inside("/srv/site", "/srv/site/"), true);
 * assert.equal(is_inside("/srv/site2/a.txt", "/srv/site"), false);
 * ```
 */
export function is_inside(path: string, root: string): boolean {
  const base = ends_with_sep(root) ? root.slice(0, -1) : root;
  return path === base || path === root ||
    path.startsWith(base + "/") || (WINDOWS && path.startsWith(base + "\\"));
}

/**
 * Whether `path`, all links followed, is `tree` or lies inside it (`tree`
 * resolved too); `null` when either does not resolve (missing, a dangling
 * link, a loop, no read permission).
 *
 * @param path The path to test.
 * @param tree The directory it must not lead out of; `""` is the current one.
 * @returns Whether the real path is inside the real tree, or `null`.
 *
 * @example
 * ```ts
 * import { resolves_inside } from "./fs_path.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "a");
 * assert.equal(resolves_inside(`${dir}/a.txt`, dir), true);
 * assert.equal(resolves_inside(dir, `${dir}/a.txt`), false);
 * assert.equal(resolves_inside(`${dir}/missing`, dir), null);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function resolves_inside(path: string, tree: string): boolean | null {
  let real: string;
  let root: string;
  try {
    real = Deno.realPathSync(path);
    root = Deno.realPathSync(tree === "" ? "." : tree);
  } catch {
    return null;
  }
  return is_inside(real, root);
}
