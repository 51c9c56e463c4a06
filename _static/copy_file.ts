/**
 * Copying a file to the response, at most a given length: read
 * synchronously while the file answers from memory (the page cache), as
 * nginx reads without its thread pool, and, from the first read that takes
 * long (a cold disk), with double buffering on Deno's thread pool: the next
 * chunk is read while this one is written to the socket.
 *
 * @module
 */

import type { WFile } from "../_protocol/wfile.ts";

const CHUNK = 256 * 1024;
/**
 * A synchronous read longer than this came from the disk, not from memory:
 * the rest of the file is read asynchronously, so that one cold file stops
 * the other connections for at most one chunk's read.
 */
const SLOW_READ_MS = 1;
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
 * @param slow_read_ms How long a synchronous read may take before the rest
 *   is read asynchronously.
 * @returns When the bytes are written.
 */
export async function copy_span(
  source: Deno.FsFile,
  out: WFile,
  length: number,
  slow_read_ms: number = SLOW_READ_MS,
): Promise<void> {
  // Two buffers from a pool shared by all responses: a busy server reuses
  // them instead of leaving 512 KiB of garbage per file sent.
  const first = take_buffer();
  const second = take_buffer();
  try {
    const left = await copy_while_cached(
      source,
      out,
      length,
      first,
      slow_read_ms,
    );
    if (left > 0) await copy_async(source, out, left, first, second);
  } finally {
    source.close();
    give_back(first);
    give_back(second);
  }
}

/**
 * Copies with synchronous reads until one is slow or the span ends; the
 * bytes left to copy (0 at the end of the file).
 */
async function copy_while_cached(
  source: Deno.FsFile,
  out: WFile,
  length: number,
  buffer: Uint8Array,
  slow_read_ms: number,
): Promise<number> {
  let left = length;
  while (left > 0) {
    const chunk = left < buffer.length ? buffer.subarray(0, left) : buffer;
    const start = performance.now();
    const n = source.readSync(chunk);
    const slow = performance.now() - start > slow_read_ms;
    if (n === null || n === 0) return 0;
    left -= n;
    // The write resolves once the socket took the bytes: the buffer is
    // free for the next read.
    await out.write(n === chunk.length ? chunk : chunk.subarray(0, n));
    if (slow) break;
  }
  return left;
}

/** Copies with the next read under way while a chunk is written. */
async function copy_async(
  source: Deno.FsFile,
  out: WFile,
  length: number,
  first: Uint8Array,
  second: Uint8Array,
): Promise<void> {
  let left = length;
  let current = left < CHUNK ? first.subarray(0, left) : first;
  let spare = left < CHUNK ? second.subarray(0, left) : second;
  let reading: Promise<number | null> | null = source.read(current);
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
  }
}
