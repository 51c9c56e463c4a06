/**
 * On-the-fly compression (`--compress`): which responses are compressed,
 * and the streaming of a body through a compressor.
 *
 * @module
 */

import type { Coding } from "./accept_encoding.ts";
import type { WFile } from "../_protocol/wfile.ts";
import { createGzip, type Gzip, gzipSync } from "node:zlib";
import { frame_chunk, LAST_CHUNK } from "../_protocol/chunk.ts";

/** Bodies up to this size are sent as they are: compression would not pay. */
export const MIN_COMPRESS_SIZE = 1024;

/**
 * The codings compressed on the fly, by Deno's built-in `CompressionStream`:
 * gzip only. Its brotli ran at 28 req/s for a 1 MiB file (gzip: 126) and
 * grew the server by 616 MiB under 50 clients (bench/compress.ts), so br and
 * zstd come from precompressed siblings only.
 */
export const ON_THE_FLY: readonly Coding[] = ["gzip"];

/** The file is read in pieces of this size. */
const READ_SIZE = 64 * 1024;
/** gzip hands its output over in pieces of at most this size. */
const OUT_SIZE = 16 * 1024;

/**
 * Whether a media type is worth compressing: text, JSON, JavaScript, XML,
 * SVG and WebAssembly. Images, audio, video and archives are compressed
 * already.
 *
 * @param type A `Content-Type` value.
 * @returns Whether to compress it.
 *
 * @example
 * ```ts
 * import { is_compressible } from "./compress.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(is_compressible("text/javascript; charset=UTF-8"), true);
 * assert.equal(is_compressible("image/svg+xml"), true);
 * assert.equal(is_compressible("image/png"), false);
 * ```
 */
export function is_compressible(type: string): boolean {
  const t = type.split(";", 1)[0]!.trim().toLowerCase();
  return t.startsWith("text/") || t.endsWith("+json") || t.endsWith("+xml") ||
    t === "application/json" || t === "application/javascript" ||
    t === "application/xml" || t === "application/wasm";
}

/**
 * Compresses bytes in memory with gzip (for directory listings, whose page
 * is built in memory anyway).
 *
 * @param data The bytes.
 * @returns The compressed bytes.
 *
 * @example
 * ```ts
 * import { compress_bytes } from "./compress.ts";
 * import { gunzipSync } from "node:zlib";
 * import assert from "node:assert/strict";
 *
 * const packed = compress_bytes(new TextEncoder().encode("a".repeat(2000)));
 * assert.equal(gunzipSync(packed).length, 2000);
 * ```
 */
export function compress_bytes(data: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(data));
}

/**
 * Streams a file through gzip (`node:zlib`, built into Deno) to the
 * response: as chunks of the chunked transfer coding when `chunked`
 * (HTTP/1.1), else as they come (a close-delimited body, HTTP/1.0). Memory
 * stays bounded: the file is read into one reused buffer, each read waits
 * until the compressor has taken the last, and the compressor waits for the
 * client. Closes `source`.
 *
 * @param source The file, open at its start.
 * @param wfile The response.
 * @param chunked Whether to frame the output as chunks.
 * @returns When the body is written.
 *
 * @example
 * ```ts
 * import { write_compressed } from "./compress.ts";
 * import { gunzipSync } from "node:zlib";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hi");
 * const parts: Uint8Array[] = [];
 * const wfile = {
 *   write: (b: Uint8Array | string) => { parts.push(b as Uint8Array); return Promise.resolve(b.length); },
 *   flush: () => Promise.resolve(),
 *   writable: new WritableStream<Uint8Array>(),
 * };
 * await write_compressed(await Deno.open(path), wfile, false);
 * assert.equal(new TextDecoder().decode(gunzipSync(Buffer.concat(parts))), "hi");
 * await Deno.remove(path);
 * ```
 */
export async function write_compressed(
  source: Deno.FsFile,
  wfile: WFile,
  chunked: boolean,
): Promise<void> {
  const gz = createGzip({ chunkSize: OUT_SIZE });
  const feeding = feed(source, gz);
  try {
    for await (const chunk of gz as AsyncIterable<Uint8Array>) {
      if (chunk.length === 0) continue;
      await wfile.write(chunked ? frame_chunk(chunk) : chunk);
    }
    if (chunked) await wfile.write(LAST_CHUNK);
  } finally {
    gz.destroy();
    await feeding;
  }
}

/** Reads the file into one buffer, each read after gzip took the last. */
async function feed(source: Deno.FsFile, gz: Gzip): Promise<void> {
  const buffer = new Uint8Array(READ_SIZE);
  try {
    for (;;) {
      const n = await source.read(buffer);
      if (n === null) break;
      // The callback comes once the compressor has consumed the chunk.
      const taken = await new Promise<boolean>((resolve) => {
        if (gz.destroyed) return resolve(false);
        gz.write(buffer.subarray(0, n), (err) => resolve(!err));
      });
      if (!taken) return;
    }
    gz.end();
  } catch (err) {
    gz.destroy(err as Error);
  } finally {
    source.close();
  }
}
