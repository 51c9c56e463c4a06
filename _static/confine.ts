/**
 * Which paths the static handler may serve: dotfiles when they are shown,
 * and symlinks only while they stay inside the tree they were found in.
 *
 * @module
 */

import { is_inside, resolves_inside } from "./fs_path.ts";

/** The handler attributes the rules read. */
export interface ServeRules {
  /** The served directory. */
  directory: string;
  /** Whether names starting with `.` are served. */
  dotfiles: boolean;
  /** Whether links may lead outside the tree. */
  follow_symlinks_outside: boolean;
}

/**
 * The tree a path is confined to: `directory`, or, for a path that a
 * `translate_path` override placed outside it, the directory holding it
 * (the override chose that tree, as in Python; a link found there still
 * may not lead out of it).
 *
 * @param path A file system path.
 * @param directory The served directory.
 * @returns The tree.
 *
 * @example
 * ```ts
 * import { tree_of } from "./confine.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(tree_of("/srv/site/a/b.txt", "/srv/site"), "/srv/site");
 * assert.equal(tree_of("/data/b.txt", "/srv/site"), "/data/");
 * ```
 */
export function tree_of(path: string, directory: string): string {
  if (is_inside(path, directory)) return directory;
  return path.replace(/[^/\\]+[/\\]?$/, "");
}

/**
 * Whether a path may be served: no dotfile component when dotfiles are
 * hidden, and, all links followed, inside its tree (a missing path passes:
 * the caller's stat answers 404).
 *
 * @param path A file system path.
 * @param rules The handler's attributes.
 * @returns Whether to serve it.
 *
 * @example
 * ```ts
 * import { may_serve } from "./confine.ts";
 * import assert from "node:assert/strict";
 *
 * const rules = { directory: "/srv", dotfiles: false, follow_symlinks_outside: false };
 * assert.equal(may_serve("/srv/.env", rules), false);
 * assert.equal(may_serve("/srv/missing.txt", rules), true);
 * ```
 */
export function may_serve(path: string, rules: ServeRules): boolean {
  const tree = tree_of(path, rules.directory);
  if (!rules.dotfiles) {
    const rel = path.slice(tree.length);
    if (/(^|[/\\])\.[^/\\]/.test(rel)) return false;
  }
  if (rules.follow_symlinks_outside) return true;
  return resolves_inside(path, tree) !== false;
}
