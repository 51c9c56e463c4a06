/**
 * Copying a file to the response, at most a given length, with double
 * buffering: the next chunk is read (on Deno's thread pool) while this one
 * is written to the socket.
 *
 * @module
 */

import type { WFile } from "../_protocol/wfile.ts";

const CHUNK = 256 * 1024;
/** Most idle buffers kept for reuse (16 MiB): more are left to the collector. */
const MAX_IDLE = 64;
/** Buffers of CHUNK bytes no copy is using. */
const idle: Uint8Array[] = [];

function take_buffer(): Uint8Array {
  return idle.pop() ?? new Uint8Array(CHUNK);
}

function give_back(buffer: Uint8Array): void {
  if (idle.length < MAX_IDLE) idle.push(buffer);
}

/**
 * Writes up to `length` bytes of `source` from its position to `out`, then
 * closes `source` (also when a write fails).
 *
 * @param source An open file.
 * @param out The response.
 * @param length The most bytes to copy (`Infinity` for all).
 * @returns When the bytes are written.
 */
export async function copy_span(
  source: Deno.FsFile,
  out: WFile,
  length: number,
): Promise<void> {
  let left = length;
  // Two buffers from a pool shared by all responses: a busy server reuses
  // them instead of leaving 512 KiB of garbage per file sent.
  const first = take_buffer();
  const second = take_buffer();
  let current = left < CHUNK ? first.subarray(0, left) : first;
  let spare = left < CHUNK ? second.subarray(0, left) : second;
  let reading: Promise<number | null> | null = left > 0
    ? source.read(current)
    : null;
  try {
    while (reading) {
      const n = await reading;
      reading = null;
      if (n === null || n === 0) break;
      const got = Math.min(n, left);
      left -= got;
      if (left > 0) {
        reading = source.read(
          left < spare.length ? spare.subarray(0, left) : spare,
        );
      }
      await out.write(
        got === current.length ? current : current.subarray(0, got),
      );
      [current, spare] = [spare, current];
    }
  } finally {
    // A write that failed leaves a read under way: let it settle first.
    if (reading) await reading.catch(() => null);
    source.close();
    give_back(first);
    give_back(second);
  }
}
