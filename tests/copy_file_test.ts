/**
 * copy_span(): a file's span to a response, read synchronously while reads
 * are fast and asynchronously from the first slow one, the same bytes
 * either way.
 */

import { concat } from "../_common/bytes.ts";
import { copy_span } from "../_static/copy_file.ts";
import type { WFile } from "../_protocol/wfile.ts";
import { assertEquals } from "./_assert.ts";

/** A WFile that keeps a copy of each write. */
function collector(): WFile & { bytes(): Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    write(data) {
      const bytes = typeof data === "string"
        ? new TextEncoder().encode(data)
        : data.slice();
      chunks.push(bytes);
      return Promise.resolve(bytes.length);
    },
    flush: () => Promise.resolve(),
    writable: new WritableStream(),
    bytes: () => concat(chunks),
  };
}

Deno.test("copy_span() copies a whole file and a span, with fast and with slow reads", async () => {
  const path = await Deno.makeTempFile({ prefix: "copy_file_test_" });
  try {
    // Four 256 KiB chunks and a few bytes more.
    const data = new Uint8Array(1024 * 1024 + 5);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 0xff;
    await Deno.writeFile(path, data);
    // Infinity: every read counts as fast; -1: every read as slow, so all
    // but the first are asynchronous.
    for (const slow_read_ms of [Infinity, -1]) {
      const whole = collector();
      await copy_span(await Deno.open(path), whole, Infinity, slow_read_ms);
      assertEquals(whole.bytes(), data);

      const file = await Deno.open(path);
      await file.seek(1000, Deno.SeekMode.Start);
      const span = collector();
      await copy_span(file, span, 600_000, slow_read_ms);
      assertEquals(span.bytes(), data.subarray(1000, 601_000));
    }
  } finally {
    await Deno.remove(path);
  }
});
