/**
 * `rfile`: the body of the current request, framed by Content-Length or
 * decoded from chunked transfer coding, ending where the body ends.
 *
 * @module
 */

import { coarse_now, type Connection } from "./conn.ts";
import { parse_field_line } from "./request_head.ts";

const LF = 10;
const CR = 13;
/** Reads at least this large skip the connection buffer (4 KiB). */
const DIRECT_READ = 4 * 1024;
/** What read1() and iteration ask for by default. */
const CHUNK = 64 * 1024;
const MAX_CHUNK_LINE = 4096;
const MAX_TRAILER_BYTES = 64 * 1024;
/** Where checked trailer fields go: they are not kept. */
const DROP = { append(): void {} };
/** Most trailer fields, as the most header lines (Python's 100). */
const MAX_TRAILERS = 100;
/**
 * A chunk-size line (RFC 9112 §7.1): hex digits, leading zeros allowed, the
 * value below 2^52 (13 significant digits) so that it stays exact; then
 * extensions without control characters (HTAB aside).
 */
const CHUNK_SIZE =
  // deno-lint-ignore no-control-regex
  /^0*([0-9A-Fa-f]{1,13})[ \t]*(?:;[^\x00-\x08\x0a-\x1f\x7f]*)?$/;

/**
 * Request bytes as they may appear in an error message, which is also the
 * reason phrase of the response: control characters escaped (a NUL or a
 * bare CR there would make the status line invalid), at most 64 shown.
 */
function shown(text: string): string {
  const cut = text.length > 64 ? text.slice(0, 64) + "..." : text;
  return cut.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f-\x9f]/g,
    (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0"),
  );
}

/**
 * An error in reading a request or its body: a malformed body, a client that
 * closed the connection early, or a timeout. `code` is the HTTP status that
 * answers it, when an answer can still be sent.
 *
 * @example
 * ```ts
 * import { HTTPRequestError } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new HTTPRequestError(400, "Invalid chunk size \"zz\"");
 * assert.equal(err.code, 400);
 * ```
 */
export class HTTPRequestError extends Error {
  /** The HTTP status that answers the error: 400, 408 or 413. */
  readonly code: number;

  /**
   * Makes the error.
   *
   * @param code The HTTP status that answers the error.
   * @param message One sentence saying what was wrong.
   */
  constructor(code: number, message: string) {
    super(message);
    this.name = "HTTPRequestError";
    this.code = code;
  }
}

/**
 * The request body as the handler reads it: `this.rfile`. Like Python's
 * `rfile` it reads bytes; unlike it, it ends at the end of this request's
 * body, so a handler can neither block on a body that was not sent nor read
 * into the next request.
 *
 * It is also an async iterable of chunks, for streaming.
 */
export interface RFile extends AsyncIterable<Uint8Array> {
  /**
   * Reads `size` bytes, fewer only at the end of the body; all that is left
   * when `size` is negative, `null` or omitted. An empty array means the
   * end. A size that is not an integer (`NaN`, from `parseInt` of a missing
   * header) throws a `TypeError`, as Python's `int()` of it would have.
   */
  read(size?: number | null): Promise<Uint8Array>;
  /** Reads what is available, at most `size` bytes, at least one unless at the end. */
  read1(size?: number | null): Promise<Uint8Array>;
  /** Reads up to and including the next `\n`, at most `limit` bytes when `limit` >= 0. */
  readline(limit?: number | null): Promise<Uint8Array>;
  /** Reads into `buffer`; returns how many bytes were read, 0 at the end. */
  readinto(buffer: Uint8Array): Promise<number>;
  /** The body as a web stream of chunks. */
  readonly readable: ReadableStream<Uint8Array>;
}

/** The parts as one array (the part itself when there is one). */
function join(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let off = 0;
  for (const part of parts) {
    out.set(part, off);
    off += part.length;
  }
  return out;
}

const enum Mode {
  Done,
  Length,
  Chunked,
}

/**
 * The size argument of a read: an integer (negative means all), or
 * `null`/omitted for the default; anything else is a TypeError, so that a
 * `parseInt` of a missing header does not silently read nothing.
 */
function check_size(
  method: string,
  size: number | null,
  fallback: number,
): number {
  if (size === null) return fallback;
  if (!Number.isInteger(size)) {
    throw new TypeError(
      `rfile.${method}() takes an integer size (-1 for all), not ${
        typeof size === "number" ? size : repr_arg(size)
      }`,
    );
  }
  return size;
}

function repr_arg(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : typeof value;
}

/** The body reader of one connection, reset for each request. */
export class BodyReader implements RFile {
  #io: Connection;
  #timeout_ms: () => number;
  #mode = Mode.Done;
  /** Length mode: bytes left; chunked mode: bytes left in this chunk. */
  #left = 0;
  #chunk_started = false;
  #seen = 0;
  #before_read: (() => Promise<void>) | null = null;
  /** How long the whole body may take, in ms, from its first read. */
  #body_ms = Infinity;
  /** When the whole body must be in; -1 until the first read. */
  #deadline = -1;

  /**
   * @param io The connection.
   * @param timeout_ms The read timeout, read when each read starts.
   */
  constructor(io: Connection, timeout_ms: () => number) {
    this.#io = io;
    this.#timeout_ms = timeout_ms;
  }

  /**
   * Starts a new body: `length` bytes, or chunked when `length` is `null`.
   * `before_read` runs before the first read from the socket (it sends a
   * pending `100 Continue`).
   */
  reset(
    length: number | null,
    before_read: (() => Promise<void>) | null,
    body_ms = Infinity,
  ): void {
    this.#seen = 0;
    this.#body_ms = body_ms;
    this.#deadline = -1;
    this.#chunk_started = false;
    this.#before_read = before_read;
    if (length === null) {
      this.#mode = Mode.Chunked;
      this.#left = 0;
    } else {
      this.#mode = length > 0 ? Mode.Length : Mode.Done;
      this.#left = length;
    }
  }

  /** Whether the whole body has been read. */
  get done(): boolean {
    return this.#mode === Mode.Done;
  }

  async #send_pending(): Promise<void> {
    const send = this.#before_read;
    if (send) {
      this.#before_read = null;
      await send();
    }
  }

  /**
   * The timeout of the next socket read: the per-read `timeout`, cut to
   * what is left of the whole-body deadline, so that a body trickled a
   * byte at a time cannot hold the connection forever (nginx's
   * client_body_timeout, Node's requestTimeout).
   */
  #read_ms(): number {
    const per_read = this.#timeout_ms();
    if (this.#body_ms === Infinity) return per_read;
    if (this.#deadline === -1) this.#deadline = coarse_now + this.#body_ms;
    return Math.max(Math.min(per_read, this.#deadline - coarse_now), 0);
  }

  async #fill(): Promise<void> {
    await this.#send_pending();
    if (!(await this.#io.fill(this.#read_ms()))) {
      const timed_out = this.#io.closed_by === "timeout";
      this.#mode = Mode.Done;
      throw timed_out
        ? new HTTPRequestError(408, "Request body timed out")
        : new HTTPRequestError(
          400,
          `Client closed the connection after ${this.#seen} body bytes`,
        );
    }
  }

  async #line(limit: number, what: string): Promise<string> {
    const io = this.#io;
    let scan = io.start;
    for (;;) {
      const lf = io.buf.indexOf(LF, scan);
      if (lf !== -1 && lf < io.end) {
        // The limit first, as when the line arrives in pieces, so that
        // the answer does not depend on where the packets were cut.
        if (lf - io.start > limit + 1) {
          throw new HTTPRequestError(400, `${what} is too long`);
        }
        if (lf === io.start || io.buf[lf - 1] !== CR) {
          throw new HTTPRequestError(400, `Bare LF in ${what}`);
        }
        let line = "";
        for (let i = io.start; i < lf - 1; i++) {
          line += String.fromCharCode(io.buf[i]!);
        }
        io.start = lf + 1;
        return line;
      }
      // limit + 1: the CR of a line of exactly limit bytes may be here.
      if (io.end - io.start > limit + 1) {
        throw new HTTPRequestError(400, `${what} is too long`);
      }
      scan = io.end;
      const start = io.start;
      await this.#fill();
      scan += io.start - start;
    }
  }

  /**
   * Makes body bytes available in the connection buffer and returns how many
   * of them belong to the body (0 at the end of the body).
   */
  async #available(): Promise<number> {
    const io = this.#io;
    while (this.#mode !== Mode.Done) {
      if (this.#mode === Mode.Chunked && this.#left === 0) {
        await this.#next_chunk();
        continue;
      }
      if (io.buffered === 0) await this.#fill();
      return Math.min(io.buffered, this.#left);
    }
    return 0;
  }

  async #next_chunk(): Promise<void> {
    const io = this.#io;
    if (this.#chunk_started) {
      // RFC 9112 §7.1: chunk-data is followed by CRLF.
      while (io.buffered < 2) await this.#fill();
      if (io.buf[io.start] !== CR || io.buf[io.start + 1] !== LF) {
        throw new HTTPRequestError(400, "Chunk data is not followed by CRLF");
      }
      io.start += 2;
    }
    const line = await this.#line(MAX_CHUNK_LINE, "chunk size line");
    const m = CHUNK_SIZE.exec(line);
    if (!m) {
      throw new HTTPRequestError(400, `Invalid chunk size "${shown(line)}"`);
    }
    const size = parseInt(m[1]!, 16);
    this.#chunk_started = true;
    if (size > 0) {
      this.#left = size;
      return;
    }
    // Last chunk: the trailer section up to its blank line, each field
    // checked as a header field (RFC 9112 §7.1.2) and then dropped.
    let trailer_bytes = 0;
    for (let count = 0;; count++) {
      const trailer = await this.#line(MAX_TRAILER_BYTES, "trailer line");
      if (trailer === "") break;
      trailer_bytes += trailer.length;
      if (trailer_bytes > MAX_TRAILER_BYTES) {
        throw new HTTPRequestError(400, "Trailer section is too long");
      }
      if (count >= MAX_TRAILERS) {
        throw new HTTPRequestError(400, "Too many trailer fields");
      }
      if (parse_field_line(trailer, DROP) !== null) {
        throw new HTTPRequestError(400, `Bad trailer line "${shown(trailer)}"`);
      }
    }
    this.#mode = Mode.Done;
  }

  #consume(n: number): Uint8Array {
    const io = this.#io;
    const out = io.buf.slice(io.start, io.start + n);
    this.#advance(n);
    return out;
  }

  #advance(n: number): void {
    this.#io.start += n;
    this.#seen += n;
    this.#left -= n;
    if (this.#left === 0 && this.#mode === Mode.Length) this.#mode = Mode.Done;
  }

  /** {@inheritDoc RFile.read1} */
  async read1(size: number | null = CHUNK): Promise<Uint8Array> {
    size = check_size("read1", size, CHUNK);
    if (size === 0 || this.#mode === Mode.Done) return new Uint8Array(0);
    if (size < 0) size = CHUNK;
    const io = this.#io;
    // A large read with nothing buffered goes straight from the socket into
    // the caller's array: one copy fewer.
    if (
      io.buffered === 0 && this.#left >= DIRECT_READ && size >= DIRECT_READ
    ) {
      const chunk = new Uint8Array(Math.min(size, this.#left));
      const n = await this.#read_direct(chunk);
      if (n !== null) return chunk.subarray(0, n);
    }
    const n = await this.#available();
    return this.#consume(Math.min(n, size));
  }

  /**
   * Reads from the socket straight into `into` (sized within the body):
   * one copy fewer than through the connection's buffer. `null` when the
   * socket ended, after `#fill()` threw the right error.
   */
  async #read_direct(into: Uint8Array): Promise<number | null> {
    await this.#send_pending();
    const n = await this.#io.read(into, this.#read_ms());
    if (n === null) {
      await this.#fill(); // throws the right error
      return null;
    }
    this.#seen += n;
    this.#left -= n;
    if (this.#left === 0 && this.#mode === Mode.Length) {
      this.#mode = Mode.Done;
    }
    return n;
  }

  /** {@inheritDoc RFile.read} */
  async read(size: number | null = -1): Promise<Uint8Array> {
    size = check_size("read", size, -1);
    const parts: Uint8Array[] = [];
    let total = 0;
    while (size < 0 || total < size) {
      const part = await this.read1(size < 0 ? -1 : size - total);
      if (part.length === 0) break;
      parts.push(part);
      total += part.length;
    }
    return join(parts, total);
  }

  /** {@inheritDoc RFile.readline} */
  async readline(limit: number | null = -1): Promise<Uint8Array> {
    limit = check_size("readline", limit, -1);
    const parts: Uint8Array[] = [];
    let total = 0;
    const io = this.#io;
    while (limit < 0 || total < limit) {
      const n = await this.#available();
      if (n === 0) break;
      let take = limit < 0 ? n : Math.min(n, limit - total);
      const lf = io.buf.indexOf(LF, io.start);
      const found = lf !== -1 && lf < io.start + take;
      if (found) take = lf - io.start + 1;
      parts.push(this.#consume(take));
      total += take;
      if (found) break;
    }
    return join(parts, total);
  }

  /** {@inheritDoc RFile.readinto} */
  async readinto(buffer: Uint8Array): Promise<number> {
    if (
      this.#mode !== Mode.Done && this.#io.buffered === 0 &&
      this.#left >= DIRECT_READ && buffer.length >= DIRECT_READ
    ) {
      const into = buffer.length > this.#left
        ? buffer.subarray(0, this.#left)
        : buffer;
      const n = await this.#read_direct(into);
      if (n !== null) return n;
    }
    const n = await this.#available();
    const take = Math.min(n, buffer.length);
    buffer.set(this.#io.buf.subarray(this.#io.start, this.#io.start + take));
    this.#advance(take);
    return take;
  }

  /**
   * Reads and discards the rest of the body, at most `max` bytes; returns
   * whether the body ended within that bound.
   */
  async drain(max: number): Promise<boolean> {
    let left = max;
    while (this.#mode !== Mode.Done && left >= 0) {
      const n = await this.#available();
      const take = Math.min(n, left + 1);
      this.#advance(take);
      left -= take;
    }
    return this.#mode === Mode.Done;
  }

  /** Yields the body in chunks as they arrive. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const chunk = await this.read1();
      if (chunk.length === 0) return;
      yield chunk;
    }
  }

  /** {@inheritDoc RFile.readable} */
  get readable(): ReadableStream<Uint8Array> {
    return ReadableStream.from(this);
  }
}
