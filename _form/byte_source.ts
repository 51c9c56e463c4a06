/**
 * The request body as bytes: adapts every accepted `fp` shape to one chunk
 * producer, and buffers it for the multipart scanner while enforcing
 * Content-Length and `limit`.
 *
 * @module
 */

import { concat } from "../_common/bytes.ts";
import { FormLimitError, TruncatedBodyError } from "./errors.ts";

/**
 * A Python-style binary file: `read(n)` resolves to at most `n` bytes, and to
 * an empty array at the end of the input.
 */
export interface PyReader {
  /**
   * Reads up to `n` bytes.
   *
   * @param n The most bytes to return.
   * @returns The bytes read; empty at the end of the input.
   */
  read(n: number): Promise<Uint8Array>;
}

/**
 * Where a form body can come from: a web `ReadableStream`, any (async)
 * iterable of byte chunks (such as the HTTP server's `rfile`), an object
 * with a `readable` stream (`Deno.stdin`, a `Deno.FsFile`), or a
 * Python-style reader whose `read(n)` resolves to an empty array at the end.
 * An input that also has Python's `readinto(buffer)` (the server's `rfile`
 * does) is read with it, straight into the parser's buffer.
 */
export type FormInput =
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>
  | { readonly readable: ReadableStream<Uint8Array> }
  | PyReader;

/**
 * Pulls raw chunks from one input; `next` resolves to `null` at the end.
 * `into`, when the input has it, reads into the caller's array instead and
 * resolves to the count, 0 at the end.
 */
export interface ChunkProducer {
  next(max: number): Promise<Uint8Array | null>;
  into?(buffer: Uint8Array): Promise<number>;
  release(): void;
}

/** An input that reads into an array, as the server's `rfile` does. */
interface ReadIntoInput {
  readinto(buffer: Uint8Array): Promise<number> | number;
}

/** Size of the reads asked of a {@linkcode PyReader}. */
const READ_SIZE = 64 * 1024;
/** Initial size of a {@linkcode ByteSource}'s buffer. */
const BUFFER_SIZE = 256 * 1024;

function check_chunk(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new TypeError(
    `Cannot read form data: fp produced ${typeof chunk}, expected Uint8Array`,
  );
}

function from_stream(stream: ReadableStream<Uint8Array>): ChunkProducer {
  const reader = stream.getReader();
  return {
    async next() {
      const r = await reader.read();
      return r.done ? null : check_chunk(r.value);
    },
    release: () => reader.releaseLock(),
  };
}

/** Adapts `fp` to a {@linkcode ChunkProducer}, or throws a `TypeError`. */
export function to_producer(fp: FormInput): ChunkProducer {
  if (typeof fp !== "object" || fp === null) {
    throw new TypeError(`Cannot read form data from fp of type ${typeof fp}`);
  }
  if (fp instanceof ReadableStream) return from_stream(fp);
  if ("readinto" in fp && typeof fp.readinto === "function") {
    // Python's readinto(): the socket fills the parser's buffer directly,
    // with no chunk allocated and copied per read.
    const reader = fp as ReadIntoInput;
    const into = async (buffer: Uint8Array) => {
      const n = await reader.readinto(buffer);
      if (!Number.isInteger(n) || n < 0 || n > buffer.length) {
        throw new TypeError(
          `Cannot read form data: fp.readinto() returned ${n}, expected a count of bytes`,
        );
      }
      return n;
    };
    return {
      async next(max: number) {
        const chunk = new Uint8Array(Math.min(max, READ_SIZE));
        const n = await into(chunk);
        return n === 0 ? null : chunk.subarray(0, n);
      },
      into,
      release() {},
    };
  }
  if (Symbol.asyncIterator in fp || Symbol.iterator in fp) {
    const it = Symbol.asyncIterator in fp
      ? fp[Symbol.asyncIterator]()
      : (fp as Iterable<Uint8Array>)[Symbol.iterator]();
    return {
      async next() {
        const r = await it.next();
        return r.done ? null : check_chunk(r.value);
      },
      release() {},
    };
  }
  if ("readable" in fp && fp.readable instanceof ReadableStream) {
    return from_stream(fp.readable);
  }
  if ("read" in fp && typeof fp.read === "function") {
    const reader = fp as PyReader;
    return {
      async next(max: number) {
        const chunk = check_chunk(await reader.read(Math.min(max, READ_SIZE)));
        return chunk.length === 0 ? null : chunk;
      },
      release() {},
    };
  }
  throw new TypeError(
    "Cannot read form data from fp: expected a ReadableStream, an iterable of Uint8Array or an object with read(n)",
  );
}

/**
 * A buffered view of a body. The bytes not yet consumed are
 * `buf.subarray(start, end)`; consumers advance `start` and call
 * {@linkcode ByteSource.fill} for more. Reading stops at `length` (the
 * Content-Length; a shorter body is a {@linkcode TruncatedBodyError}) or,
 * when there is no length, at `limit` (a longer body is a
 * {@linkcode FormLimitError}).
 */
export class ByteSource {
  buf: Uint8Array;
  start = 0;
  end = 0;
  /** Whether the input is exhausted (bytes may remain in the buffer). */
  eof = false;
  /** Bytes taken from the input so far. */
  bytes_read = 0;
  readonly length: number;
  #input: ChunkProducer;
  #limit: number;
  #pending: Uint8Array | null = null;
  #pending_offset = 0;

  constructor(
    input: ChunkProducer,
    length = -1,
    limit = Infinity,
    buffer_size = BUFFER_SIZE,
  ) {
    this.buf = new Uint8Array(buffer_size);
    this.#input = input;
    this.length = length;
    this.#limit = limit;
  }

  /**
   * How many more bytes the input may give: what is left of the length,
   * else of the limit. At 0 without a length, more input is an error.
   */
  async #room(): Promise<number> {
    const bound = this.length >= 0 ? this.length : this.#limit;
    const room = bound - this.bytes_read;
    // Without a length, more input past the limit is an error, not an end.
    if (room <= 0 && this.length < 0 && (await this.#input.next(1))?.length) {
      throw this.#over_limit();
    }
    return Math.max(room, 0);
  }

  /** The end of the input: an error when it comes before the length. */
  #ended(): void {
    if (this.bytes_read < this.length) {
      throw new TruncatedBodyError(
        `Body ended after ${this.bytes_read} of ${this.length} bytes`,
        this.bytes_read,
        this.length,
      );
    }
  }

  /** Takes the next chunk from the input, within the bounds. */
  async #pull(): Promise<Uint8Array | null> {
    const room = await this.#room();
    if (room === 0) return null;
    let chunk = await this.#input.next(Math.min(room, READ_SIZE));
    if (chunk === null) {
      this.#ended();
      return null;
    }
    if (chunk.length > room) {
      if (this.length < 0) throw this.#over_limit();
      chunk = chunk.subarray(0, room); // bytes past Content-Length are not ours
    }
    this.bytes_read += chunk.length;
    return chunk;
  }

  /**
   * Reads from an input with `into` straight into `buf` at `end`, within
   * the bounds; resolves to the count, 0 at the end of the input.
   */
  async #pull_into(into: (buffer: Uint8Array) => Promise<number>) {
    const room = await this.#room();
    if (room === 0) return 0;
    const space = Math.min(room, this.buf.length - this.end);
    const n = await into(this.buf.subarray(this.end, this.end + space));
    if (n === 0) this.#ended();
    this.bytes_read += n;
    return n;
  }

  #over_limit(): FormLimitError {
    return new FormLimitError(
      `Body exceeds the limit of ${this.#limit} bytes`,
      "limit",
      this.#limit,
    );
  }

  /**
   * Moves the unconsumed bytes to the front of the buffer (growing it when
   * they fill it) and appends input after them. Resolves to `false`, adding
   * nothing, at the end of the input. Views of `buf` taken before are invalid
   * afterwards.
   */
  async fill(): Promise<boolean> {
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    // Take whole chunks until the buffer is half full, so that a part's
    // bytes reach its file in few large writes.
    let added = false;
    const into = this.#input.into;
    if (into !== undefined) {
      while (
        !this.eof && this.end < this.buf.length &&
        (!added || this.end < this.buf.length >> 1)
      ) {
        const n = await this.#pull_into(into);
        if (n === 0) this.eof = true;
        this.end += n;
        added ||= n > 0;
      }
      return added;
    }
    while (
      this.end < this.buf.length && (!added || this.end < this.buf.length >> 1)
    ) {
      if (
        this.#pending === null || this.#pending_offset === this.#pending.length
      ) {
        if (this.eof) break;
        this.#pending = await this.#pull();
        this.#pending_offset = 0;
        if (this.#pending === null) {
          this.eof = true;
          break;
        }
      }
      const n = Math.min(
        this.#pending.length - this.#pending_offset,
        this.buf.length - this.end,
      );
      this.buf.set(
        this.#pending.subarray(this.#pending_offset, this.#pending_offset + n),
        this.end,
      );
      this.end += n;
      this.#pending_offset += n;
      added ||= n > 0;
    }
    return added;
  }

  /**
   * Yields every byte not consumed yet, up to the end of the input, without
   * copying. Each chunk is valid only until the next one is asked for.
   */
  async *chunks(): AsyncGenerator<Uint8Array> {
    if (this.end > this.start) {
      const chunk = this.buf.subarray(this.start, this.end);
      this.start = this.end;
      yield chunk;
    }
    if (this.#pending !== null && this.#pending_offset < this.#pending.length) {
      const chunk = this.#pending.subarray(this.#pending_offset);
      this.#pending_offset = this.#pending.length;
      yield chunk;
    }
    const into = this.#input.into;
    while (!this.eof && into !== undefined) {
      // The buffer is all consumed: read into all of it, and yield a view.
      this.start = this.end = 0;
      const n = await this.#pull_into(into);
      if (n === 0) this.eof = true;
      else yield this.buf.subarray(0, this.start = this.end = n);
    }
    while (!this.eof) {
      const chunk = await this.#pull();
      if (chunk === null) this.eof = true;
      else yield chunk;
    }
  }

  /**
   * Reads everything not consumed yet into one array; calls `over` (which
   * throws) as soon as that passes `max` bytes.
   */
  async read_all(max = Infinity, over?: () => never): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of this.chunks()) {
      total += chunk.length;
      if (total > max) over?.();
      chunks.push(chunk.slice());
    }
    return concat(chunks);
  }

  /** Releases the input (a stream's reader lock); does not cancel it. */
  release(): void {
    this.#input.release();
  }
}
