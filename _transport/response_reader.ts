/**
 * The bytes a handler writes to a {@linkcode LoopbackConn}, read back as a
 * web `Response`: it resolves once the head is complete, and its body
 * streams the handler's later writes, pulled only as the consumer reads.
 *
 * @module
 */

import { concat } from "../_common/bytes.ts";
import { decode_latin1 } from "../_common/latin1.ts";
import { ChunkedDecoder } from "./chunked_decoder.ts";
import type { LoopbackConn } from "./loopback_conn.ts";
import { type BodyFraming, parse_response_head } from "./response_head.ts";

/** The handler closed the connection before its response was complete. */
export class IncompleteResponseError extends Deno.errors.UnexpectedEof {
  /** @param what What was missing. */
  constructor(what: string) {
    super(`The handler closed the connection before ${what}`);
    this.name = "IncompleteResponseError";
  }
}

/** Where `\r\n\r\n` starts in `buf`, searching from `from`; -1 if absent. */
function head_end(buf: Uint8Array, from: number): number {
  for (let i = Math.max(from, 0); i + 3 < buf.length; i++) {
    if (
      buf[i] === 0x0d && buf[i + 1] === 0x0a && buf[i + 2] === 0x0d &&
      buf[i + 3] === 0x0a
    ) return i;
  }
  return -1;
}

/**
 * Reads the response the handler writes to `conn`: interim (1xx) responses
 * are skipped, the final one becomes a `Response`.
 *
 * @param conn The connection the handler writes to.
 * @param method The request method (a `HEAD` response has no body).
 * @returns The response, once its head is complete.
 * @throws {IncompleteResponseError} When the handler closes the connection
 * before a final response head.
 */
export async function read_response(
  conn: LoopbackConn,
  method: string,
): Promise<Response> {
  let buf: Uint8Array = new Uint8Array(0);
  let searched = 0;
  while (true) {
    const end = head_end(buf, searched - 3);
    if (end < 0) {
      const chunk = await conn.take();
      if (chunk === null) throw new IncompleteResponseError("a response");
      searched = buf.length;
      buf = buf.length === 0 ? chunk : concat([buf, chunk]);
      continue;
    }
    const head = parse_response_head(
      decode_latin1(buf.subarray(0, end)),
      method,
    );
    buf = buf.subarray(end + 4);
    searched = 0;
    if (head.status < 200) continue; // 100 Continue, 103 Early Hints
    const headers = new Headers();
    for (const [name, value] of head.headers) headers.append(name, value);
    const init = { status: head.status, statusText: head.reason, headers };
    const framing = head.framing;
    if (framing.kind === "none") {
      conn.finish_response();
      return new Response(null, init);
    }
    if (framing.kind === "length" && buf.length >= framing.length) {
      // The usual small response: head and body came in one write.
      conn.finish_response();
      return new Response(
        buf.subarray(0, framing.length) as Uint8Array<ArrayBuffer>,
        init,
      );
    }
    return new Response(body_stream(conn, framing, buf), init);
  }
}

/** The body after the head: `first` holds what came with the head. */
function body_stream(
  conn: LoopbackConn,
  framing: BodyFraming,
  first: Uint8Array,
): ReadableStream<Uint8Array> {
  let pending: Uint8Array | null = first.length > 0 ? first : null;
  let left = framing.kind === "length" ? framing.length : 0;
  const decoder = framing.kind === "chunked" ? new ChunkedDecoder() : null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (true) {
        const chunk = pending ?? await conn.take();
        pending = null;
        if (chunk === null) {
          if (framing.kind === "close") {
            controller.close();
          } else {
            controller.error(new IncompleteResponseError("the response's end"));
          }
          return;
        }
        if (framing.kind === "length") {
          if (chunk.length >= left) {
            controller.enqueue(chunk.subarray(0, left));
            controller.close();
            conn.finish_response();
          } else {
            controller.enqueue(chunk);
            left -= chunk.length;
          }
          return;
        }
        if (decoder !== null) {
          const data = decoder.push(chunk);
          for (const piece of data) controller.enqueue(piece);
          if (decoder.done) {
            controller.close();
            conn.finish_response();
            return;
          }
          if (data.length > 0) return;
          continue;
        }
        controller.enqueue(chunk);
        return;
      }
    },
    cancel() {
      conn.abort();
    },
  }, { highWaterMark: 0 });
}
