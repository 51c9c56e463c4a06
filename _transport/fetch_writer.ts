/**
 * The `wfile` of a handler under the fetch transport: the head the handler
 * sends becomes a web `Response`, and what it writes after becomes that
 * response's body, with no HTTP/1.1 bytes in between.
 *
 * @module
 */

import { ChunkedDecoder } from "./chunked_decoder.ts";
import { concat } from "../_common/bytes.ts";
import { decode_latin1, encode_latin1 } from "../_common/latin1.ts";
import type { ResponseOutput } from "../_protocol/wfile.ts";
import { type BodyFraming, parse_response_head } from "./response_head.ts";

/** Body bytes kept before the response starts streaming, as the wire's buffer. */
const BUFFER_SIZE = 32 * 1024;
/** Bytes queued for the consumer before a write waits (backpressure). */
const HIGH_WATER = 64 * 1024;
const encoder = new TextEncoder();
const DONE: Promise<void> = Promise.resolve();
/** The end of a head: a blank line, CRLF or (from a CGI script) LF alone. */
const BLANK_LINE = /\r?\n\r?\n/;

/** The handler ended before its response was complete. */
export class IncompleteResponseError extends Deno.errors.UnexpectedEof {
  /** @param what What was missing. */
  constructor(what: string) {
    super(`The handler closed the connection before ${what}`);
    this.name = "IncompleteResponseError";
  }
}

/** The consumer of the response stopped reading: writes fail. */
function gone(): Deno.errors.BrokenPipe {
  return new Deno.errors.BrokenPipe("The response is no longer read");
}

/**
 * Builds the `Response` of one request from what its handler sends. While
 * the body is small, it is kept and the `Response` resolves when the
 * handler is done, with the whole body in it; a body past 32 KiB, or a
 * {@linkcode FetchWriter.flush} by the handler, starts a streamed body,
 * whose writes wait while the consumer does not read.
 */
export class FetchWriter implements ResponseOutput {
  /** Resolves with the response once its head is complete (and sent). */
  readonly response: Promise<Response>;
  #resolve: (response: Response) => void;
  #reject: (err: unknown) => void;
  #method: string;

  /** Head text not yet complete (a head the handler left open, as CGI's). */
  #head_text = "";
  /** The final head, once complete. */
  #init: ResponseInit | null = null;
  #framing: BodyFraming = { kind: "close" };
  #decoder: ChunkedDecoder | null = null;
  /** Body bytes (after chunk decoding) the response still expects. */
  #left = 0;

  #chunks: Uint8Array[] = [];
  #chunk_bytes = 0;
  #body = 0;
  #suppress_body = false;
  #sent = false;
  #closed = false;
  #controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  #writer_waiting: (() => void) | null = null;

  #completed: (() => Promise<void> | undefined) | undefined;

  /**
   * @param method The request method (a `HEAD` response has no body).
   * @param completed What says when the response was sent or failed
   *   (`info.completed`): asked only once the body streams, since a whole
   *   body needs no watching, and asking costs Deno.serve a wait per
   *   request.
   */
  constructor(method: string, completed?: () => Promise<void> | undefined) {
    this.#method = method;
    this.#completed = completed;
    const { promise, resolve, reject } = Promise.withResolvers<Response>();
    this.response = promise;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** {@inheritDoc ResponseOutput.start} */
  start(): void {
    this.#body = 0;
    this.#suppress_body = false;
  }

  /** {@inheritDoc ResponseOutput.buffered} */
  get buffered(): boolean {
    return !this.#sent && (this.#init !== null || this.#chunk_bytes > 0);
  }

  /** {@inheritDoc ResponseOutput.sent} */
  get sent(): boolean {
    return this.#sent;
  }

  /** {@inheritDoc ResponseOutput.body_bytes} */
  get body_bytes(): number {
    return this.#body;
  }

  /** {@inheritDoc ResponseOutput.discard} */
  discard(): void {
    if (this.#sent) return;
    this.#head_text = "";
    this.#init = null;
    this.#chunks = [];
    this.#chunk_bytes = 0;
  }

  /** {@inheritDoc ResponseOutput.head} */
  head(text: string): void {
    this.#head_text += text;
    this.#parse_heads();
  }

  /** Parses the complete heads in `#head_text`; interim ones are dropped. */
  #parse_heads(): Uint8Array | null {
    let text = this.#head_text;
    let end = BLANK_LINE.exec(text);
    while (end !== null && this.#init === null) {
      const head = parse_response_head(text.slice(0, end.index), this.#method);
      text = text.slice(end.index + end[0].length);
      // 100 Continue, 103 Early Hints: Deno.serve sends no interim response.
      if (head.status >= 200) {
        this.#init = {
          status: head.status,
          statusText: head.reason,
          headers: head.headers,
        };
        // Each from this head alone: a discarded head leaves nothing behind.
        this.#framing = head.framing;
        this.#left = head.framing.kind === "length" ? head.framing.length : 0;
        this.#decoder = head.framing.kind === "chunked"
          ? new ChunkedDecoder()
          : null;
        break;
      }
      end = BLANK_LINE.exec(text);
    }
    this.#head_text = this.#init === null ? text : "";
    // What follows a head that came through body writes is body.
    return this.#init !== null && text !== "" ? encode_latin1(text) : null;
  }

  /** {@inheritDoc ResponseOutput.start_body} */
  start_body(suppress_body: boolean): void {
    this.#body = 0;
    this.#suppress_body = suppress_body;
  }

  /** {@inheritDoc ResponseOutput.buffer} */
  buffer(data: Uint8Array): void {
    this.#body += data.length;
    if (!this.#suppress_body) this.#take(data.slice());
  }

  /** {@inheritDoc WFile.write} */
  write(data: Uint8Array | string): Promise<number> {
    if (this.#closed) return Promise.reject(gone());
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    const n = bytes.length;
    this.#body += n;
    if (this.#suppress_body || n === 0) return Promise.resolve(n);
    this.#take(typeof data === "string" ? bytes : bytes.slice());
    if (this.#controller === null && this.#chunk_bytes <= BUFFER_SIZE) {
      return Promise.resolve(n);
    }
    return this.flush().then(() => n);
  }

  /** Keeps bytes the handler wrote (its own copy), head text first. */
  #take(bytes: Uint8Array): void {
    if (this.#init === null) {
      // Bytes before a complete head are head: one the handler finishes
      // through writes (CGI output), or writes whole itself.
      this.#head_text += decode_latin1(bytes);
      const rest = this.#parse_heads();
      if (rest === null) return;
      bytes = rest;
    }
    this.#chunks.push(bytes);
    this.#chunk_bytes += bytes.length;
  }

  /** {@inheritDoc WFile.flush} */
  flush(): Promise<void> {
    if (this.#closed) return Promise.reject(gone());
    if (this.#init === null) return DONE;
    if (!this.#sent) this.#start_stream();
    this.#deliver();
    const controller = this.#controller;
    if (controller === null || (controller.desiredSize ?? 0) > 0) return DONE;
    const { promise, resolve } = Promise.withResolvers<void>();
    const earlier = this.#writer_waiting;
    this.#writer_waiting = earlier === null ? resolve : () => {
      earlier();
      resolve();
    };
    return promise.then(() => {
      if (this.#closed) throw gone();
    });
  }

  /** The handler is done: the response resolves, whole when it was kept. */
  end(): Promise<void> {
    if (this.#init === null || this.#sent) return this.flush();
    this.#sent = true;
    const body = this.#decode_all();
    if (body === null) return DONE;
    const init = this.#init;
    if (this.#framing.kind === "none") {
      this.#resolve(new Response(null, init));
      return DONE;
    }
    // Deno.serve sends a whole body's Content-Length itself: a header
    // fewer to check and copy.
    if (this.#framing.kind === "length") {
      init.headers = (init.headers as [string, string][]).filter(
        ([name]) =>
          name.length !== 14 || name.toLowerCase() !== "content-length",
      );
    }
    this.#resolve(new Response(body as Uint8Array<ArrayBuffer>, init));
    return DONE;
  }

  /**
   * The kept body, decoded, when it is the whole body its framing says;
   * `null` (and the response is streamed instead) when it is not.
   */
  #decode_all(): Uint8Array | null {
    const chunks = this.#chunks;
    let body: Uint8Array = chunks.length === 1 ? chunks[0]! : concat(chunks);
    this.#chunks = [];
    this.#chunk_bytes = 0;
    const framing = this.#framing.kind;
    if (framing === "chunked") {
      const decoder = this.#decoder!;
      const data = decoder.push(body);
      body = data.length === 1 ? data[0]! : concat(data);
      if (!decoder.done) return this.#stream_short(body);
    } else if (framing === "length") {
      if (body.length < this.#left) return this.#stream_short(body);
      body = body.subarray(0, this.#left);
    }
    return body;
  }

  /**
   * Streams a body that the handler left short of its framing's end: the
   * close that follows errors the stream, as a cut connection would.
   */
  #stream_short(body: Uint8Array): null {
    this.#start_stream();
    if (body.length > 0) this.#controller?.enqueue(body);
    return null;
  }

  #start_stream(): void {
    this.#sent = true;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#wake_writer(),
      cancel: () => this.abort(),
    }, new ByteLengthQueuingStrategy({ highWaterMark: HIGH_WATER }));
    if (this.#framing.kind === "none") {
      this.#resolve(new Response(null, this.#init!));
      this.#controller = null;
      return;
    }
    this.#resolve(new Response(stream, this.#init!));
    // Once Deno.serve has sent the body, or failed to (the client left),
    // the handler's further writes fail.
    const abort = () => this.abort();
    this.#completed?.()?.then(abort, abort);
  }

  /** Moves kept bytes into the stream, decoded and cut to the framing. */
  #deliver(): void {
    const controller = this.#controller;
    if (controller === null) {
      this.#chunks = [];
      this.#chunk_bytes = 0;
      return;
    }
    for (const chunk of this.#chunks) {
      const data = this.#decoder ? this.#decoder.push(chunk) : [chunk];
      for (let piece of data) {
        if (this.#framing.kind === "length") {
          if (this.#left === 0) break;
          if (piece.length > this.#left) piece = piece.subarray(0, this.#left);
          this.#left -= piece.length;
        }
        if (piece.length > 0) controller.enqueue(piece);
      }
      if (
        this.#decoder?.done ||
        (this.#framing.kind === "length" && this.#left === 0)
      ) {
        this.#finish_stream();
        break;
      }
    }
    this.#chunks = [];
    this.#chunk_bytes = 0;
  }

  #finish_stream(): void {
    const controller = this.#controller;
    this.#controller = null;
    controller?.close();
  }

  /**
   * The handler's connection closed: a response not begun is an error, a
   * streamed one ends (an error when short of its framing's end).
   */
  close(): void {
    if (this.#closed) return;
    if (!this.#sent) {
      this.#reject(new IncompleteResponseError("a response"));
    }
    const controller = this.#controller;
    this.#controller = null;
    this.#closed = true;
    if (controller !== null) {
      if (this.#framing.kind === "close") controller.close();
      else controller.error(new IncompleteResponseError("the response's end"));
    }
    this.#wake_writer();
  }

  /** The consumer stopped reading: the handler's writes fail from now on. */
  abort(): void {
    this.#controller = null;
    this.close();
  }

  #wake_writer(): void {
    const wake = this.#writer_waiting;
    this.#writer_waiting = null;
    wake?.();
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
