/**
 * Byte-array helpers shared by the layers.
 *
 * @module
 */

/**
 * Joins byte arrays into one; a single array is returned as it is, not
 * copied.
 *
 * @param chunks The arrays, in order.
 * @returns Their bytes, one after the other.
 *
 * @example
 * ```ts
 * import { concat } from "./bytes.ts";
 * import assert from "node:assert/strict";
 *
 * const joined = concat([new Uint8Array([1, 2]), new Uint8Array([3])]);
 * assert.deepEqual(joined, new Uint8Array([1, 2, 3]));
 * ```
 */
export function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
