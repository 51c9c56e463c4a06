/**
 * Which representation of a static file to send: identity, a precompressed
 * sibling, or the file compressed on the fly.
 *
 * @module
 */

import { type Coding, negotiate_encoding } from "./accept_encoding.ts";
import { find_siblings, type Sibling } from "./precompressed.ts";
import { is_compressible, MIN_COMPRESS_SIZE, ON_THE_FLY } from "./compress.ts";

/** What {@linkcode choose_coding} needs to know about a request and file. */
export interface CodingRequest {
  /** The file's path. */
  path: string;
  /** Its size in bytes. */
  size: number;
  /** Its modification time, ms since the epoch. */
  mtime_ms: number | null;
  /** Its `Content-Type`. */
  type: string;
  /** The request's `Accept-Encoding`, if any. */
  accept_encoding: string | undefined;
  /** The request asks for a byte range: served from identity. */
  range: boolean;
  /** Look for precompressed siblings. */
  precompressed: boolean;
  /** Compress on the fly. */
  compress: boolean;
  /** Whether the handler may serve a path (dotfiles, symlinks). */
  allowed: (path: string) => boolean;
}

/** The representation to send. */
export interface CodingChoice {
  /** The content coding, or `identity`. */
  coding: Coding | "identity";
  /** The precompressed file to send instead, when there is one. */
  sibling: Sibling | null;
  /** Compress the file while sending it. */
  on_the_fly: boolean;
  /** The answer depends on `Accept-Encoding`: send `Vary`. */
  vary: boolean;
}

const IDENTITY: CodingChoice = {
  coding: "identity",
  sibling: null,
  on_the_fly: false,
  vary: false,
};

/**
 * Chooses the representation of a file for a request. The response varies
 * (and says so with `Vary: Accept-Encoding`) when a usable sibling exists or
 * the file would be compressed on the fly; a file with neither is answered
 * as Python answers it. A range request gets identity (its offsets count
 * the file's bytes), still with `Vary`.
 *
 * @param req The file and the request.
 * @returns The representation.
 *
 * @example
 * ```ts
 * import { choose_coding } from "./content_coding.ts";
 * import assert from "node:assert/strict";
 *
 * const choice = choose_coding({
 *   path: "/nowhere/app.js", size: 5000, mtime_ms: 0,
 *   type: "text/javascript; charset=UTF-8", accept_encoding: "gzip",
 *   range: false, precompressed: true, compress: true, allowed: () => true,
 * });
 * assert.deepEqual(choice, { coding: "gzip", sibling: null, on_the_fly: true, vary: true });
 * ```
 */
export function choose_coding(req: CodingRequest): CodingChoice {
  const siblings = req.precompressed
    ? find_siblings(req.path, req.mtime_ms, req.allowed)
    : [];
  const fly = req.compress && req.size > MIN_COMPRESS_SIZE &&
    is_compressible(req.type);
  if (siblings.length === 0 && !fly) return IDENTITY;
  if (req.range) return { ...IDENTITY, vary: true };
  const available: Coding[] = siblings.map((s) => s.coding);
  if (fly) {
    for (const c of ON_THE_FLY) if (!available.includes(c)) available.push(c);
  }
  const coding = negotiate_encoding(req.accept_encoding, available);
  if (coding === "identity") return { ...IDENTITY, vary: true };
  const sibling = siblings.find((s) => s.coding === coding) ?? null;
  return { coding, sibling, on_the_fly: sibling === null, vary: true };
}
