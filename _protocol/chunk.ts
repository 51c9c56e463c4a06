/**
 * Writing the chunked transfer coding (RFC 9112 §7.1): one chunk's frame,
 * and the last chunk. `rfile.ts` reads it.
 *
 * @module
 */

/** The last chunk with no trailer: the end of a chunked body. */
export const LAST_CHUNK: Uint8Array = new TextEncoder().encode("0\r\n\r\n");

/**
 * One chunk: its size in hex, CRLF, the data, CRLF, in one array (one copy
 * of the data, one write).
 *
 * @param data The chunk's data, not empty (an empty chunk ends the body).
 * @returns The framed chunk.
 *
 * @example
 * ```ts
 * import { frame_chunk } from "./chunk.ts";
 * import assert from "node:assert/strict";
 *
 * const framed = frame_chunk(new TextEncoder().encode("hello world, hi"));
 * assert.equal(new TextDecoder().decode(framed), "f\r\nhello world, hi\r\n");
 * ```
 */
export function frame_chunk(data: Uint8Array): Uint8Array {
  const size = data.length.toString(16);
  const out = new Uint8Array(size.length + 4 + data.length);
  for (let i = 0; i < size.length; i++) out[i] = size.charCodeAt(i);
  out[size.length] = 0x0d;
  out[size.length + 1] = 0x0a;
  out.set(data, size.length + 2);
  out[out.length - 2] = 0x0d;
  out[out.length - 1] = 0x0a;
  return out;
}
