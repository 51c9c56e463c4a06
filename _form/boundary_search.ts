/**
 * Boyer-Moore-Horspool search for one fixed needle (a multipart delimiter)
 * in byte buffers. On binary data the window usually skips the needle's whole
 * length per step, so the body is scanned at several GB/s.
 *
 * @module
 */

/** A compiled needle that can be searched for in byte ranges. */
export class BoundarySearch {
  readonly needle: Uint8Array;
  #skip: Int32Array;

  /** Compiles `needle` (at least one byte). */
  constructor(needle: Uint8Array) {
    if (needle.length === 0) throw new RangeError("Cannot search for ''");
    this.needle = needle;
    const n = needle.length;
    this.#skip = new Int32Array(256).fill(n);
    for (let i = 0; i < n - 1; i++) this.#skip[needle[i]!] = n - 1 - i;
  }

  /**
   * Returns the index of the first occurrence of the needle that starts at or
   * after `from` and ends at or before `to` in `buf`, or -1.
   */
  index_in(buf: Uint8Array, from: number, to: number): number {
    const needle = this.needle;
    const skip = this.#skip;
    const last = needle.length - 1;
    const last_byte = needle[last]!;
    let pos = from;
    while (pos + last < to) {
      const b = buf[pos + last]!;
      if (b === last_byte) {
        let i = last - 1;
        while (i >= 0 && buf[pos + i] === needle[i]) i--;
        if (i < 0) return pos;
      }
      pos += skip[b]!;
    }
    return -1;
  }
}
