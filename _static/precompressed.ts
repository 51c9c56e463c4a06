/**
 * Precompressed siblings: `app.js.br`, `app.js.zst` and `app.js.gz` served
 * for `app.js` to a client that takes their coding.
 *
 * @module
 */

import type { Coding } from "./accept_encoding.ts";

/** The file name suffix of each coding's sibling. */
export const SIBLING_SUFFIX: Readonly<Record<Coding, string>> = {
  br: ".br",
  zstd: ".zst",
  gzip: ".gz",
};

/** A sibling file that holds the original encoded. */
export interface Sibling {
  /** Its content coding. */
  coding: Coding;
  /** Its file system path. */
  path: string;
  /** Its size in bytes: the response's `Content-Length`. */
  size: number;
}

/**
 * Finds the siblings of `path` that may stand for it: regular files named
 * `path` plus a coding's suffix, not older than the original (an older one
 * was made from an earlier version of it), and passing `allowed` (the
 * handler's dotfile and symlink rules). In the server's order of preference.
 *
 * @param path The original file's path.
 * @param mtime_ms The original's modification time, ms since the epoch.
 * @param allowed Whether the handler may serve a path.
 * @returns The usable siblings.
 *
 * @example
 * ```ts
 * import { find_siblings } from "./precompressed.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const old = new Date(2020, 0, 1);
 * await Deno.writeTextFile(`${dir}/app.js`, "x");
 * await Deno.utime(`${dir}/app.js`, old, old);
 * await Deno.writeFile(`${dir}/app.js.gz`, new Uint8Array(20));
 * const found = find_siblings(`${dir}/app.js`, old.getTime(), () => true);
 * assert.deepEqual(found, [{ coding: "gzip", path: `${dir}/app.js.gz`, size: 20 }]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function find_siblings(
  path: string,
  mtime_ms: number | null,
  allowed: (path: string) => boolean,
): Sibling[] {
  const found: Sibling[] = [];
  for (const [coding, suffix] of Object.entries(SIBLING_SUFFIX)) {
    const candidate = path + suffix;
    let stat: Deno.FileInfo;
    try {
      stat = Deno.statSync(candidate);
    } catch {
      continue;
    }
    if (!stat.isFile) continue;
    const sibling_mtime = stat.mtime?.getTime() ?? null;
    if (mtime_ms === null || sibling_mtime === null) continue;
    if (sibling_mtime < mtime_ms) continue;
    if (!allowed(candidate)) continue;
    found.push({ coding: coding as Coding, path: candidate, size: stat.size });
  }
  return found;
}

/**
 * The strong entity tag of an encoded representation: the identity tag with
 * the coding appended (`"400-18bc…-br"`), so that caches and `If-None-Match`
 * tell the representations apart (RFC 9110 §8.8.3).
 *
 * @param etag The identity representation's tag, quotes included.
 * @param coding The content coding.
 * @returns The tag of the encoded representation.
 *
 * @example
 * ```ts
 * import { encoded_etag } from "./precompressed.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(encoded_etag('"1e-18bcfe5687b"', "br"), '"1e-18bcfe5687b-br"');
 * ```
 */
export function encoded_etag(etag: string, coding: Coding): string {
  return `${etag.slice(0, -1)}-${coding}"`;
}
