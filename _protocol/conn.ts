/**
 * One accepted TCP (or TLS) connection: a reusable read buffer, a write loop,
 * and a deadline that a shared watchdog enforces by closing the socket.
 *
 * @module
 */

import type { ResponseOutput } from "./wfile.ts";

// Most request heads fit; fill() grows the buffer for those that do not.
const INITIAL_BUFFER = 4 * 1024;
const WATCHDOG_TICK_MS = 100;

/** Why the watchdog or the server closed a connection. */
export type CloseReason = "timeout" | "shutdown" | null;

const live = new Set<Connection>();
/** Bytes held beyond INITIAL_BUFFER by the buffers of all connections. */
let grown = 0;
const EMPTY = new Uint8Array(0);

/**
 * Bytes that connection buffers hold beyond their initial size, across the
 * process: what unfinished large heads cost.
 */
export function grown_buffer_bytes(): number {
  return grown;
}

/** A buffer could not grow: the process-wide budget for buffers is spent. */
export class BufferBudgetError extends RangeError {
  /**
   * @param budget The budget in bytes.
   */
  constructor(budget: number) {
    super(`Cannot grow a connection buffer past the budget of ${budget} bytes`);
    this.name = "BufferBudgetError";
  }
}
/**
 * Where a socket keeps its {@linkcode Connection}: a property rather than a
 * WeakMap entry, which the collector would have to trace per socket (the
 * fetch transport makes one per request).
 */
const CONNECTION = Symbol("Connection");
type Keeping = Deno.Conn & { [CONNECTION]?: Connection };
let watchdog: ReturnType<typeof setInterval> | undefined;

/**
 * The time in ms, as of the watchdog's last tick: deadlines are set from it
 * rather than from `Date.now()`, two clock reads fewer per request, and are
 * enforced only at ticks anyway.
 */
export let coarse_now: number = Date.now();

function sweep(): void {
  const now = coarse_now = Date.now();
  for (const c of live) {
    if (c.deadline <= now) c.close("timeout");
  }
}

/**
 * The socket of one client, with the buffer its requests are parsed from.
 *
 * Reads go through {@linkcode Connection.fill}, which appends to `buf`
 * between `start` and `end`; parsers consume by advancing `start`. Every
 * socket read and write sets `deadline` first; a single interval timer for
 * all connections closes those whose deadline has passed, so a timeout costs
 * no timer per request.
 */
export class Connection {
  /** The socket. */
  readonly conn: Deno.Conn;
  /** Buffered bytes are `buf[start..end)`. */
  buf: Uint8Array;
  /** Start of the unconsumed bytes. */
  start = 0;
  /** End of the buffered bytes. */
  end = 0;
  /** When (ms since the epoch) the pending socket operation times out. */
  deadline = Infinity;
  /** True while waiting for the first byte of the next request. */
  idle = false;
  /**
   * Set by a server that serves connections concurrently; a serial server
   * leaves it false, and the handler's default deadlines are shorter there,
   * since one slow client holds every other one up.
   */
  concurrent = false;
  /** Set when the server shuts down: no new request is read. */
  draining = false;
  /** Why it was closed from outside, if it was. */
  closed_by: CloseReason = null;
  /**
   * Where the handler's responses go when not to this socket (the fetch
   * transport's `Response`); `null` for the socket.
   */
  output: ResponseOutput | null = null;
  #closed = false;
  #watched = false;
  #done: PromiseWithResolvers<void> | null = null;

  /**
   * Wraps `conn` and puts it under the watchdog. With `preload`, the buffer
   * starts as those bytes (a request already in memory) and the watchdog
   * takes the connection only at its first read: its writes go to memory,
   * where a deadline has nothing to cut.
   */
  constructor(conn: Deno.Conn, preload?: Uint8Array) {
    this.conn = conn;
    (conn as Keeping)[CONNECTION] = this;
    if (preload === undefined) {
      this.buf = new Uint8Array(INITIAL_BUFFER);
      this.#watch();
    } else {
      this.buf = EMPTY;
      this.#set_buf(preload);
      this.end = preload.length;
    }
  }

  /** Resolves when the connection is closed. */
  get done(): Promise<void> {
    this.#done ??= Promise.withResolvers<void>();
    if (this.#closed) this.#done.resolve();
    return this.#done.promise;
  }

  #watch(): void {
    this.#watched = true;
    live.add(this);
    if (watchdog === undefined) {
      coarse_now = Date.now();
      const timer = setInterval(sweep, WATCHDOG_TICK_MS);
      Deno.unrefTimer(timer);
      watchdog = timer;
    }
  }

  #set_buf(buf: Uint8Array): void {
    grown += Math.max(buf.length - INITIAL_BUFFER, 0) -
      Math.max(this.buf.length - INITIAL_BUFFER, 0);
    this.buf = buf;
  }

  /**
   * Gives a grown buffer back once a request is done, keeping what is
   * buffered (a pipelined request) when it fits in the initial size.
   */
  shrink(): void {
    if (this.buf.length <= INITIAL_BUFFER || this.buffered > INITIAL_BUFFER) {
      return;
    }
    const small = new Uint8Array(INITIAL_BUFFER);
    small.set(this.buf.subarray(this.start, this.end));
    this.end -= this.start;
    this.start = 0;
    this.#set_buf(small);
  }

  /** Whether the socket is closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** How many bytes are buffered and not yet consumed. */
  get buffered(): number {
    return this.end - this.start;
  }

  /**
   * Reads more bytes into the buffer, moving or growing it to make room for
   * `want` more bytes; returns `false` at end of stream.
   */
  async fill(
    timeout_ms: number,
    want = 1,
    budget = Infinity,
  ): Promise<boolean> {
    if (this.start === this.end) this.start = this.end = 0;
    if (this.buf.length - this.end < want) {
      const size = this.end - this.start;
      if (this.buf.length - size >= want && this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        let cap = Math.max(this.buf.length * 2, INITIAL_BUFFER);
        while (cap - size < want) cap *= 2;
        // Bound what all connections' unfinished heads hold (issue 16 #13).
        if (grown + cap - this.buf.length > budget) {
          throw new BufferBudgetError(budget);
        }
        const bigger = new Uint8Array(cap);
        bigger.set(this.buf.subarray(this.start, this.end));
        this.#set_buf(bigger);
      }
      this.start = 0;
      this.end = size;
    }
    if (this.#closed) return false;
    if (!this.#watched) this.#watch();
    // Inlined rather than a call to read(): this is the hot path.
    this.deadline = coarse_now + timeout_ms;
    let n: number | null;
    try {
      n = await this.conn.read(this.buf.subarray(this.end));
    } catch (err) {
      if (this.#closed) return false;
      throw err;
    } finally {
      this.deadline = Infinity;
    }
    if (n === null) return false;
    this.end += n;
    return true;
  }

  /**
   * Reads from the socket into `into` within `timeout_ms`; `null` at end of
   * stream, or when the connection was closed under the read.
   */
  async read(into: Uint8Array, timeout_ms: number): Promise<number | null> {
    if (this.#closed) return null;
    if (!this.#watched) this.#watch();
    this.deadline = coarse_now + timeout_ms;
    try {
      return await this.conn.read(into);
    } catch (err) {
      if (this.#closed) return null;
      throw err;
    } finally {
      this.deadline = Infinity;
    }
  }

  /** Writes all of `data` within `timeout_ms` (for each socket write). */
  async write(data: Uint8Array, timeout_ms: number): Promise<void> {
    let off = 0;
    while (off < data.length) {
      if (this.#closed) throw new Deno.errors.BrokenPipe("Connection closed");
      this.deadline = coarse_now + timeout_ms;
      try {
        off += await this.conn.write(off === 0 ? data : data.subarray(off));
      } catch (err) {
        this.deadline = Infinity;
        if (this.#closed) {
          throw new Deno.errors.BrokenPipe("Connection closed");
        }
        throw err;
      }
      this.deadline = Infinity;
    }
  }

  /**
   * Half-closes (the response is complete), reads and discards what the
   * client still sends for up to `ms`, then closes: a lingering close, so
   * that unread input does not turn the close into a reset.
   */
  async linger(ms: number): Promise<void> {
    if (this.#closed) return;
    try {
      await this.conn.closeWrite();
      // The watchdog closes the socket at the deadline, ending the read.
      this.deadline = coarse_now + ms;
      this.start = this.end = 0;
      while (!this.#closed && (await this.conn.read(this.buf)) !== null) {
        // Discard.
      }
    } catch {
      // Reset, closed by the watchdog, or no half-close on this socket.
    }
    this.close();
  }

  /** Closes the socket once; later calls do nothing. */
  close(reason: CloseReason = null): void {
    if (this.#closed) return;
    this.#closed = true;
    this.closed_by ??= reason;
    if (
      this.#watched && live.delete(this) && live.size === 0 &&
      watchdog !== undefined
    ) {
      clearInterval(watchdog);
      watchdog = undefined;
    }
    try {
      this.conn.close();
    } catch {
      // Already closed by the peer's reset: nothing left to release.
    }
    this.start = this.end = 0;
    this.#set_buf(EMPTY);
    this.#done?.resolve();
  }
}

/** The {@linkcode Connection} of a socket, made on first use. */
export function connection_of(conn: Deno.Conn): Connection {
  return (conn as Keeping)[CONNECTION] ?? new Connection(conn);
}

/**
 * Closes a socket once: through its {@linkcode Connection} when it has one
 * (closing a closed socket throws, and building that error is not free).
 */
export function close_conn(conn: Deno.Conn): void {
  const io = (conn as Keeping)[CONNECTION];
  if (io) {
    io.close();
    return;
  }
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
