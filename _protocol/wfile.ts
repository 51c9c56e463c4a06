/**
 * `wfile`: the buffered response writer of one connection.
 *
 * @module
 */

import type { Connection } from "./conn.ts";

/** The buffer starts small (most responses are) and grows to this. */
const BUFFER_SIZE = 32 * 1024;
const INITIAL_SIZE = 4 * 1024;
const encoder = new TextEncoder();
const DONE: Promise<void> = Promise.resolve();

/**
 * The response as the handler writes it: `this.wfile`. Writes are buffered
 * and leave in as few socket writes as possible: the status line, headers
 * and a small body go out together when the handler returns, or earlier on
 * {@linkcode WFile.flush}.
 */
export interface WFile {
  /**
   * Writes bytes, or a string as UTF-8; returns how many bytes were taken.
   * Resolves once the bytes are buffered or, for large writes, sent.
   */
  write(data: Uint8Array | string): Promise<number>;
  /** Sends everything buffered now (for streaming responses). */
  flush(): Promise<void>;
  /**
   * A web stream into the response, for `pipeTo`; closing it flushes the
   * response and leaves the connection open.
   */
  readonly writable: WritableStream<Uint8Array>;
}

/**
 * Where a handler's response goes: the socket's {@linkcode ResponseWriter},
 * or another transport's (the fetch transport builds a `Response`). The
 * handler sends its head as text and its body as bytes, and says when it
 * is done.
 */
export interface ResponseOutput extends WFile {
  /** Starts a new response: counts from zero. */
  start(): void;
  /** Whether bytes wait to be sent. */
  readonly buffered: boolean;
  /** Whether any byte of this response has been sent. */
  readonly sent: boolean;
  /** How many body bytes the handler wrote (suppressed ones included). */
  readonly body_bytes: number;
  /** Drops what is buffered and not yet sent. */
  discard(): void;
  /**
   * Appends head text (a status line and header lines, ISO-8859-1); a
   * head ends with a blank line, here or in the bytes written after it.
   */
  head(text: string): void;
  /**
   * Counts what follows as the body, from zero; with `suppress_body` the
   * body is dropped (HEAD, 1xx, 204, 304).
   */
  start_body(suppress_body: boolean): void;
  /** Appends body bytes without sending them. */
  buffer(data: Uint8Array): void;
  /** The handler is done with this response: sends what is buffered. */
  end(): Promise<void>;
}

/** The writer of one connection, kept across its requests. */
export class ResponseWriter implements ResponseOutput {
  #io: Connection;
  #timeout_ms: () => number;
  #buf = new Uint8Array(INITIAL_SIZE);
  #len = 0;
  /** Bytes handed to the socket since {@linkcode ResponseWriter.start}. */
  #sent = 0;
  /** Body bytes written since {@linkcode ResponseWriter.start_body}. */
  #body = 0;
  #suppress_body = false;

  /**
   * @param io The connection.
   * @param timeout_ms The write timeout, read when each write starts.
   */
  constructor(io: Connection, timeout_ms: () => number) {
    this.#io = io;
    this.#timeout_ms = timeout_ms;
  }

  /** Starts a new response: counts from zero. */
  start(): void {
    this.#sent = 0;
    this.#body = 0;
    this.#suppress_body = false;
  }

  /** Whether bytes wait in the buffer. */
  get buffered(): boolean {
    return this.#len > 0;
  }

  /** Whether any byte of this response has reached the socket. */
  get sent(): boolean {
    return this.#sent > 0;
  }

  /** How many body bytes the handler wrote (suppressed ones included). */
  get body_bytes(): number {
    return this.#body;
  }

  /** Drops what is buffered and not yet sent. */
  discard(): void {
    this.#len = 0;
  }

  /**
   * Appends header text, encoded as ISO-8859-1 (Python's `latin-1`,
   * strict).
   */
  head(text: string): void {
    if (this.#buf.length - this.#len < text.length) {
      this.#grow(text.length);
    }
    // ASCII, the usual case, encodes natively: UTF-8 then writes one byte
    // per code unit.
    const { read, written } = encoder.encodeInto(
      text,
      this.#buf.subarray(this.#len),
    );
    if (read === text.length && written === read) {
      this.#len += written;
      return;
    }
    const buf = this.#buf;
    let len = this.#len;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0xff) {
        throw new TypeError(
          `Cannot encode header text as ISO-8859-1: ${JSON.stringify(text[i])}`,
        );
      }
      buf[len++] = c;
    }
    this.#len = len;
  }

  /**
   * Counts what follows as the body, from zero; with `suppress_body` the
   * body is dropped (HEAD, 1xx, 204, 304).
   */
  start_body(suppress_body: boolean): void {
    this.#body = 0;
    this.#suppress_body = suppress_body;
  }

  /** Appends bytes to the buffer without sending them. */
  buffer(data: Uint8Array): void {
    this.#body += data.length;
    if (this.#suppress_body) return;
    if (this.#buf.length - this.#len < data.length) this.#grow(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  #grow(need: number): void {
    const grown = new Uint8Array(
      Math.max(this.#buf.length * 2, this.#len + need),
    );
    grown.set(this.#buf.subarray(0, this.#len));
    this.#buf = grown;
  }

  /**
   * {@inheritDoc WFile.write}
   *
   * A write that only buffers resolves without an async frame: the small
   * body of most responses costs no promise round trip of its own.
   */
  write(data: Uint8Array | string): Promise<number> {
    if (typeof data !== "string") {
      const n = data.length;
      if (this.#suppress_body || n === 0 || this.#len + n <= BUFFER_SIZE) {
        this.#body += n;
        if (!this.#suppress_body && n !== 0) {
          if (this.#len + n > this.#buf.length) this.#grow(n);
          this.#buf.set(data, this.#len);
          this.#len += n;
        }
        return Promise.resolve(n);
      }
    }
    return this.#write(data);
  }

  async #write(data: Uint8Array | string): Promise<number> {
    if (typeof data === "string") {
      if (this.#suppress_body) {
        const n = encoder.encode(data).length;
        this.#body += n;
        return n;
      }
      // Encode straight into the buffer when it fits.
      if (
        this.#len + data.length * 3 > this.#buf.length &&
        this.#len + data.length * 3 <= BUFFER_SIZE
      ) {
        this.#grow(data.length * 3);
      }
      const room = this.#buf.subarray(this.#len);
      if (data.length * 3 <= room.length) {
        const { written } = encoder.encodeInto(data, room);
        this.#len += written;
        this.#body += written;
        return written;
      }
      data = encoder.encode(data);
    }
    const n = data.length;
    this.#body += n;
    if (this.#suppress_body || n === 0) return n;
    if (this.#len + n <= BUFFER_SIZE) {
      if (this.#len + n > this.#buf.length) this.#grow(n);
      this.#buf.set(data, this.#len);
      this.#len += n;
      return n;
    }
    await this.flush();
    if (n < BUFFER_SIZE / 2) {
      if (n > this.#buf.length) this.#grow(n);
      this.#buf.set(data, 0);
      this.#len = n;
    } else {
      await this.#send(data);
    }
    return n;
  }

  /** {@inheritDoc ResponseOutput.end} */
  end(): Promise<void> {
    return this.flush();
  }

  /** {@inheritDoc WFile.flush} */
  flush(): Promise<void> {
    if (this.#len === 0) return DONE;
    const data = this.#buf.subarray(0, this.#len);
    this.#len = 0;
    return this.#send(data);
  }

  #send(data: Uint8Array): Promise<void> {
    this.#sent += data.length;
    return this.#io.write(data, this.#timeout_ms());
  }

  /** {@inheritDoc WFile.writable} */
  get writable(): WritableStream<Uint8Array> {
    return new WritableStream({
      write: async (chunk) => {
        await this.write(chunk);
      },
      close: () => this.flush(),
    });
  }
}
