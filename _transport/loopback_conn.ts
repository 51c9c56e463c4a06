/**
 * A `Deno.Conn` in memory: what a handler reads is a request serialised as
 * HTTP/1.1 bytes, and what it writes is queued for a reader that turns it
 * back into a `Response`. Writes wait while the queue is full, so a handler
 * streams no faster than the consumer of the response reads.
 *
 * @module
 */

import { frame_chunk, LAST_CHUNK } from "../_protocol/chunk.ts";

/** Bytes queued before a write waits for the reader (backpressure). */
const HIGH_WATER = 64 * 1024;

/** The request side of a loopback connection: bytes to hand to the handler. */
export interface RequestSource {
  /** The serialised request head, body framing included. */
  head: Uint8Array;
  /** The body, or `null` for none. */
  body: ReadableStream<Uint8Array> | null;
  /** Whether the body is sent with chunked coding (no Content-Length). */
  chunked: boolean;
}

/**
 * The in-memory connection of one request. The handler side uses the
 * `Deno.Conn` methods (`read`, `write`, `closeWrite`, `close`); the
 * response side uses {@linkcode LoopbackConn.take} and
 * {@linkcode LoopbackConn.abort}.
 */
export class LoopbackConn {
  /** The client's address, as `Deno.Conn` has it. */
  readonly remoteAddr: Deno.Addr;
  /** The server's address. */
  readonly localAddr: Deno.Addr;
  /** The file descriptor: none. */
  readonly rid = -1;

  #pending: Uint8Array | null;
  #body: ReadableStreamDefaultReader<Uint8Array> | null;
  #chunked: boolean;
  #input_done = false;
  #closed = false;
  #write_closed = false;
  /** Resolves when the connection closes (a read past the request waits on it). */
  #hang_up = Promise.withResolvers<void>();

  #out: Uint8Array[] = [];
  #out_bytes = 0;
  #reader_waiting: (() => void) | null = null;
  #writer_waiting: (() => void) | null = null;

  /**
   * @param source The request to feed to the handler.
   * @param remote The client's address.
   * @param local The server's address.
   */
  constructor(source: RequestSource, remote: Deno.Addr, local: Deno.Addr) {
    this.#pending = source.head;
    this.#body = source.body?.getReader() ?? null;
    this.#chunked = source.chunked;
    this.remoteAddr = remote;
    this.localAddr = local;
  }

  /** Whether the connection is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Reads request bytes into `p`. Past the request's end it waits until the
   * response is over (as a client waiting for its answer), then `null`.
   */
  async read(p: Uint8Array): Promise<number | null> {
    while (true) {
      if (this.#closed) return null;
      const pending = this.#pending;
      if (pending !== null && pending.length > 0) {
        const n = Math.min(p.length, pending.length);
        p.set(n === pending.length ? pending : pending.subarray(0, n));
        this.#pending = n === pending.length ? null : pending.subarray(n);
        return n;
      }
      if (this.#input_done) {
        if (this.#write_closed) return null;
        await this.#hang_up.promise;
        return null;
      }
      await this.#next_input();
    }
  }

  async #next_input(): Promise<void> {
    const body = this.#body;
    if (body === null) {
      this.#input_done = true;
      return;
    }
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await body.read();
    } catch {
      // The client went away in the middle of its body.
      this.#input_done = true;
      throw new Deno.errors.ConnectionReset("The request body was cut short");
    }
    if (chunk.done) {
      this.#input_done = true;
      this.#body = null;
      if (this.#chunked) this.#pending = LAST_CHUNK;
      return;
    }
    const data = chunk.value;
    if (data.length === 0) return;
    this.#pending = this.#chunked ? frame_chunk(data) : data;
  }

  /** Queues a copy of `p` for the response side; waits while the queue is full. */
  async write(p: Uint8Array): Promise<number> {
    if (this.#closed || this.#write_closed) {
      throw new Deno.errors.BrokenPipe("The response is no longer read");
    }
    if (p.length === 0) return 0;
    this.#out.push(p.slice());
    this.#out_bytes += p.length;
    this.#wake_reader();
    while (this.#out_bytes > HIGH_WATER && !this.#closed) {
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#writer_waiting = resolve;
      await promise;
    }
    if (this.#closed) {
      throw new Deno.errors.BrokenPipe("The response is no longer read");
    }
    return p.length;
  }

  /** Ends the response side: the handler wrote its last byte. */
  closeWrite(): Promise<void> {
    this.#write_closed = true;
    this.#wake_reader();
    return Promise.resolve();
  }

  /** Closes both sides. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#write_closed = true;
    this.#hang_up.resolve();
    this.#body?.cancel().catch(() => {});
    this.#body = null;
    this.#wake_reader();
    this.#wake_writer();
  }

  /** The response is over for its consumer: reads past the request end. */
  finish_response(): void {
    this.#hang_up.resolve();
  }

  /** The consumer stopped reading the response: the handler's writes fail. */
  abort(): void {
    this.#out = [];
    this.#out_bytes = 0;
    this.close();
  }

  /**
   * The next bytes the handler wrote, in order; `null` once it closed the
   * connection (or its write side) and everything was taken.
   */
  async take(): Promise<Uint8Array | null> {
    while (this.#out.length === 0) {
      if (this.#write_closed) return null;
      const { promise, resolve } = Promise.withResolvers<void>();
      this.#reader_waiting = resolve;
      await promise;
    }
    const chunk = this.#out.shift()!;
    this.#out_bytes -= chunk.length;
    if (this.#out_bytes <= HIGH_WATER) this.#wake_writer();
    return chunk;
  }

  #wake_reader(): void {
    const wake = this.#reader_waiting;
    this.#reader_waiting = null;
    wake?.();
  }

  #wake_writer(): void {
    const wake = this.#writer_waiting;
    this.#writer_waiting = null;
    wake?.();
  }

  /** Nothing to do: there is no Nagle in memory. */
  setNoDelay(): void {}
  /** Nothing to do. */
  setKeepAlive(): void {}
  /** Nothing to do. */
  ref(): void {}
  /** Nothing to do. */
  unref(): void {}
}
