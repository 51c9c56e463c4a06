/**
 * On-the-fly compression (`--compress`): which responses are compressed,
 * and the streaming of a body through a compressor.
 *
 * @module
 */

import type { Coding } from "./accept_encoding.ts";
import type { WFile } from "../_protocol/wfile.ts";

/** Bodies up to this size are sent as they are: compression would not pay. */
export const MIN_COMPRESS_SIZE = 1024;

/**
 * The codings compressed on the fly, by Deno's built-in `CompressionStream`:
 * gzip only. Its brotli ran at 28 req/s for a 1 MiB file (gzip: 126) and
 * grew the server by 616 MiB under 50 clients (bench/compress.ts), so br and
 * zstd come from precompressed siblings only.
 */
export const ON_THE_FLY: readonly Coding[] = ["gzip"];

const CRLF = new Uint8Array([13, 10]);
const LAST_CHUNK = new TextEncoder().encode("0\r\n\r\n");

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
 * A compressor for a coding, as a web `TransformStream`.
 *
 * @param coding `br` or `gzip`.
 * @returns The compressor.
 *
 * @example
 * ```ts
 * import { compression_stream } from "./compress.ts";
 * import assert from "node:assert/strict";
 * import { gunzipSync } from "node:zlib";
 * const packed = new Blob(["hello"]).stream().pipeThrough(compression_stream("gzip"));
 * const bytes = await new Response(packed).bytes();
 * assert.equal(gunzipSync(bytes).toString(), "hello");
 * ```
 */
export function compression_stream(
  coding: Coding,
): TransformStream<Uint8Array, Uint8Array> {
  if (coding === "zstd") {
    throw new TypeError(`Cannot compress on the fly with "${coding}"`);
  }
  return new CompressionStream(
    coding === "br" ? "brotli" as CompressionFormat : "gzip",
  ) as unknown as TransformStream<Uint8Array, Uint8Array>;
}

/**
 * Compresses bytes in memory (for directory listings, whose page is built
 * in memory anyway).
 *
 * @param data The bytes.
 * @param coding `br` or `gzip`.
 * @returns The compressed bytes.
 *
 * @example
 * ```ts
 * import { compress_bytes } from "./compress.ts";
 * import { gunzipSync } from "node:zlib";
 * import assert from "node:assert/strict";
 *
 * const packed = await compress_bytes(new TextEncoder().encode("a".repeat(2000)), "gzip");
 * assert.equal(gunzipSync(packed).length, 2000);
 * ```
 */
export async function compress_bytes(
  data: Uint8Array,
  coding: Coding,
): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(compression_stream(coding));
  return await new Response(stream).bytes();
}

/**
 * Streams a body through a compressor to the response: as chunks of the
 * chunked transfer coding when `chunked` (HTTP/1.1), else as they come (a
 * close-delimited body, HTTP/1.0). Memory stays bounded: one chunk at a
 * time is read, compressed and written, and a slow client holds up the
 * reads. Cancels (and so closes) `source` when a write fails.
 *
 * @param source The identity body.
 * @param coding `br` or `gzip`.
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
 * const parts: Uint8Array[] = [];
 * const wfile = {
 *   write: (b: Uint8Array | string) => { parts.push(b as Uint8Array); return Promise.resolve(b.length); },
 *   flush: () => Promise.resolve(),
 *   writable: new WritableStream<Uint8Array>(),
 * };
 * await write_compressed(new Blob(["hi"]).stream(), "gzip", wfile, false);
 * assert.equal(new TextDecoder().decode(gunzipSync(Buffer.concat(parts))), "hi");
 * ```
 */
export async function write_compressed(
  source: ReadableStream<Uint8Array>,
  coding: Coding,
  wfile: WFile,
  chunked: boolean,
): Promise<void> {
  const packed = source.pipeThrough(compression_stream(coding));
  for await (const chunk of packed) {
    if (chunk.length === 0) continue;
    if (!chunked) {
      await wfile.write(chunk);
      continue;
    }
    // Size line, data and CRLF in one piece: one copy, one buffered write.
    const size = chunk.length.toString(16);
    const framed = new Uint8Array(size.length + 2 + chunk.length + 2);
    for (let i = 0; i < size.length; i++) framed[i] = size.charCodeAt(i);
    framed.set(CRLF, size.length);
    framed.set(chunk, size.length + 2);
    framed.set(CRLF, size.length + 2 + chunk.length);
    await wfile.write(framed);
  }
  if (chunked) await wfile.write(LAST_CHUNK);
}
