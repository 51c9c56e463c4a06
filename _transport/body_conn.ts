/**
 * A `Deno.Conn` in memory for the fetch transport: what a handler reads
 * through it is a `Request`'s body, framed as HTTP/1.1 bytes (the head is
 * handed over already in the connection's buffer). The response does not
 * pass through it: it goes to a {@linkcode FetchWriter}.
 *
 * @module
 */

import { frame_chunk, LAST_CHUNK } from "../_protocol/chunk.ts";
import type { FetchWriter } from "./fetch_writer.ts";

/** The request side of a fetch exchange: bytes to hand to the handler. */
export interface RequestSource {
  /** The serialised request head, body framing included. */
  head: Uint8Array;
  /** The body, or `null` for none. */
  body: ReadableStream<Uint8Array> | null;
  /** Whether the body is sent with chunked coding (no Content-Length). */
  chunked: boolean;
}

/**
 * The in-memory connection of one request: `read` gives the body's bytes,
 * then end of stream; `close` cancels what is left of the body and ends
 * the response's writer.
 */
export class BodyConn {
  /** The client's address, as `Deno.Conn` has it. */
  readonly remoteAddr: Deno.Addr;
  /** The server's address. */
  readonly localAddr: Deno.Addr;
  /** The file descriptor: none. */
  readonly rid = -1;

  #pending: Uint8Array | null = null;
  #body: ReadableStreamDefaultReader<Uint8Array> | null;
  #chunked: boolean;
  #input_done = false;
  #closed = false;
  #output: FetchWriter;

  /**
   * @param source The request to feed to the handler.
   * @param output The writer of the response.
   * @param remote The client's address.
   * @param local The server's address.
   */
  constructor(
    source: RequestSource,
    output: FetchWriter,
    remote: Deno.Addr,
    local: Deno.Addr,
  ) {
    this.#body = source.body?.getReader() ?? null;
    this.#chunked = source.chunked;
    this.#output = output;
    this.remoteAddr = remote;
    this.localAddr = local;
  }

  /** Reads body bytes into `p`; `null` past the body's end. */
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
      if (this.#input_done) return null;
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

  /** Refused: a response goes to the connection's {@linkcode FetchWriter}. */
  write(): Promise<number> {
    return Promise.reject(
      new Deno.errors.BrokenPipe("The fetch transport writes no bytes"),
    );
  }

  /** Nothing to half-close: the response is the writer's. */
  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  /** Closes: the rest of the body is cancelled, the response ended. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#body?.cancel().catch(() => {});
    this.#body = null;
    this.#output.close();
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
