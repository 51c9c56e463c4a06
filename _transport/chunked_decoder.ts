/**
 * An incremental decoder of chunked transfer coding (RFC 9112 §7.1), for
 * response bodies a handler wrote: bytes in as they come, data out.
 *
 * @module
 */

const CR = 0x0d;
const LF = 0x0a;

/**
 * Decodes chunked coding fed in pieces of any size. Chunk extensions and
 * trailer fields are dropped.
 *
 * @example
 * ```ts
 * import { ChunkedDecoder } from "./chunked_decoder.ts";
 * import assert from "node:assert/strict";
 *
 * const decoder = new ChunkedDecoder();
 * const bytes = new TextEncoder().encode("3\r\nabc\r\n0\r\n\r\n");
 * const out = [...decoder.push(bytes.subarray(0, 5)), ...decoder.push(bytes.subarray(5))];
 * assert.equal(out.map((c) => new TextDecoder().decode(c)).join(""), "abc");
 * assert.equal(decoder.done, true);
 * ```
 */
export class ChunkedDecoder {
  /** Whether the last chunk and the trailer section were read. */
  done = false;
  /** Data bytes left in the current chunk. */
  #left = 0;
  /** What the current line (size or trailer) holds so far. */
  #line = "";
  /** After a chunk's data: its CRLF is next. */
  #after_data = false;
  /** In the trailer section, after the last chunk. */
  #trailer = false;

  /**
   * Feeds bytes.
   *
   * @param bytes The next bytes of the coded body.
   * @returns The data they hold (views of `bytes`).
   * @throws {SyntaxError} When a chunk size is not hexadecimal.
   */
  push(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < bytes.length && !this.done) {
      if (this.#left > 0) {
        const n = Math.min(this.#left, bytes.length - i);
        out.push(bytes.subarray(i, i + n));
        this.#left -= n;
        i += n;
        if (this.#left === 0) this.#after_data = true;
        continue;
      }
      const b = bytes[i++]!;
      if (b !== LF) {
        if (b !== CR) this.#line += String.fromCharCode(b);
        continue;
      }
      const line = this.#line;
      this.#line = "";
      if (this.#after_data) {
        this.#after_data = false;
        continue;
      }
      if (this.#trailer) {
        if (line === "") this.done = true;
        continue;
      }
      const size_text = line.split(";")[0]!.trim();
      if (!/^[0-9a-fA-F]+$/.test(size_text)) {
        throw new SyntaxError(
          `Cannot parse chunk size ${JSON.stringify(line)}`,
        );
      }
      const size = parseInt(size_text, 16);
      if (size === 0) this.#trailer = true;
      else this.#left = size;
    }
    return out;
  }
}
