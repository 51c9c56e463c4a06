/**
 * `ThreadingMixIn` and `ThreadingHTTPServer`: connections served
 * concurrently, as tasks on Deno's event loop.
 *
 * @module
 */

import { connection_of } from "../_protocol/conn.ts";
import { HTTPServer } from "./server.ts";

/** A server class, such as {@linkcode HTTPServer}: what a mixin extends. */
// deno-lint-ignore no-explicit-any
export type ServerClass = new (...args: any[]) => HTTPServer;

/**
 * Runs `Base`'s `process_request` without waiting for it: the connection
 * is served in a task of its own (errors are handled inside it).
 */
export function process_concurrently(
  server: HTTPServer,
  Base: ServerClass,
  request: Deno.Conn,
  client_address: [string, number],
): Promise<void> {
  connection_of(request).concurrent = true;
  void Base.prototype.process_request.call(server, request, client_address);
  return Promise.resolve();
}

/**
 * Makes a server class serve its connections concurrently, as Python's
 * `socketserver.ThreadingMixIn` does with threads. Here each connection is
 * a task on Deno's event loop: handlers run concurrently while they await
 * I/O, and one handler's CPU-bound work holds up the others.
 *
 * @example
 * ```ts
 * import { HTTPServer, ThreadingMixIn } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * class ThreadedHTTPServer extends ThreadingMixIn(HTTPServer) {}
 * assert.ok(new ThreadedHTTPServer(["127.0.0.1", 0], class {} as never, false) instanceof HTTPServer);
 * ```
 *
 * @param Base The server class, such as {@linkcode HTTPServer}.
 * @returns A subclass whose `process_request` returns at once.
 */
export function ThreadingMixIn<T extends ServerClass>(Base: T): T {
  return class ThreadingServer extends Base {
    override process_request(
      request: Deno.Conn,
      client_address: [string, number],
    ): Promise<void> {
      return process_concurrently(this, Base, request, client_address);
    }
  };
}

/**
 * An {@linkcode HTTPServer} that serves connections concurrently, as
 * Python's `http.server.ThreadingHTTPServer`.
 *
 * @example
 * ```ts
 * import { BaseHTTPRequestHandler, ThreadingHTTPServer } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * class Handler extends BaseHTTPRequestHandler {
 *   override protocol_version = "HTTP/1.1";
 *   async do_GET() {
 *     this.send_response(200);
 *     this.send_header("Content-Length", 2);
 *     this.end_headers();
 *     await this.wfile.write("ok");
 *   }
 *   override log_message() {}
 * }
 *
 * await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Handler);
 * server.serve_forever();
 * const url = `http://127.0.0.1:${server.server_port}/`;
 * const bodies = await Promise.all([1, 2, 3].map(() => fetch(url).then((r) => r.text())));
 * assert.deepEqual(bodies, ["ok", "ok", "ok"]);
 * ```
 */
// Not `ThreadingMixIn(HTTPServer)`: a class extending a call's result has
// no declared base that `deno doc --lint` can document (7b6e3d5), so it
// overrides process_request() itself; both ways share process_concurrently().
export class ThreadingHTTPServer extends HTTPServer {
  /**
   * Serves the connection in a task of its own and returns at once.
   *
   * @param request The socket.
   * @param client_address The client's `[host, port]`.
   * @returns At once.
   */
  override process_request(
    request: Deno.Conn,
    client_address: [string, number],
  ): Promise<void> {
    return process_concurrently(this, HTTPServer, request, client_address);
  }
}
