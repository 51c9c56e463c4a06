/**
 * What a handler keeps of its connection beneath its public attributes:
 * the connection, the body reader and response writer on it, the state of
 * the response being written, and what was read of the request head.
 *
 * @module
 */

import { BodyReader } from "../_protocol/rfile.ts";
import { type Connection, connection_of } from "../_protocol/conn.ts";
import type { HeadLimits } from "../_protocol/head.ts";
import { type ResponseOutput, ResponseWriter } from "../_protocol/wfile.ts";
import { ResponseState } from "./response.ts";

/** How long a closing connection keeps reading what the client still sends. */
const LINGER_MS = 2000;

/** An error response for a head that could not be read whole. */
export type HeadError = [number, string, string | undefined];

/**
 * The private state of one handler, one per connection; {@linkcode Exchange.start}
 * before each request.
 */
export class Exchange {
  /** The connection. */
  readonly io: Connection;
  /** The current request's body. */
  readonly rfile: BodyReader;
  /** The current response: to the socket, or the connection's own output. */
  readonly wfile: ResponseOutput;
  /** The framing state of the current response. */
  readonly res: ResponseState = new ResponseState();
  /** The request line as received, line ending included. */
  raw_requestline = "";
  /** The request head as text; header lines from `headers_start`. */
  head_text = "";
  /** Where the header lines start in `head_text`. */
  headers_start = 0;
  /** Why the header lines could not be read: answered by parse_request(). */
  head_error: HeadError | null = null;
  /** A request was read on this connection before. */
  seen_request = false;
  /** The head limits, read from the handler once per connection. */
  limits: HeadLimits | null = null;
  /** The request was refused before its body: the client may still send. */
  head_failed = false;
  /** Body length from the headers; `null` for chunked. */
  body_length: number | null = 0;
  /**
   * The request is HTTP/1.1 or later, by the parsed version numbers (a
   * string comparison would take `HTTP/1.01` for older than `HTTP/1.1`).
   */
  http11 = false;

  /**
   * @param request The socket.
   * @param io_timeout Milliseconds each body read or response write may take.
   */
  constructor(request: Deno.Conn, io_timeout: () => number) {
    this.io = connection_of(request);
    this.rfile = new BodyReader(this.io, io_timeout);
    this.wfile = this.io.output ?? new ResponseWriter(this.io, io_timeout);
  }

  /** Forgets the previous request and its response. */
  start(): void {
    this.wfile.start();
    this.res.reset();
    this.rfile.reset(0, null);
    this.head_failed = false;
  }

  /**
   * Closes the connection. When the client may still be sending (a body or
   * a head we did not read), it first half-closes and reads what comes for
   * up to `LINGER_MS`: closing with unread input makes the kernel send a
   * reset, which can destroy the response before the client reads it.
   */
  async close(): Promise<void> {
    const io = this.io;
    if (
      io.closed || (this.rfile.done && io.buffered === 0 && !this.head_failed)
    ) {
      io.close();
      return;
    }
    await io.linger(LINGER_MS);
  }

  /**
   * Sends the buffered `100 Continue` (before the first body read). When no
   * final response was started yet, the writer starts afresh, so that an
   * error response can still follow the interim one.
   */
  async send_continue(): Promise<void> {
    const interim_only = !this.res.responded && !this.res.head_open;
    await this.wfile.flush();
    if (interim_only) this.wfile.start();
  }
}
