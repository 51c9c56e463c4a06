/**
 * `handler_to_fetch`: a handler class as a fetch handler, for `Deno.serve`,
 * `deno serve` and Deno Deploy.
 *
 * @module
 */

import { close_conn, Connection } from "../_protocol/conn.ts";
import { HTTPServer, type RequestHandlerClass } from "../_server/server.ts";
import { BodyConn } from "./body_conn.ts";
import { FetchWriter } from "./fetch_writer.ts";
import { request_source } from "./request_bytes.ts";

/** A fetch handler, as `Deno.serve` and `deno serve` take it. */
export type FetchHandler = (
  request: Request,
  info?: Deno.ServeHandlerInfo,
) => Promise<Response>;

/** Options of {@linkcode handler_to_fetch}. */
export interface HandlerToFetchOptions {
  /**
   * The object handlers see as `this.server`; by default a
   * {@linkcode FetchServer} (what a subclass's handlers need of their
   * server, such as its own attributes, goes on a subclass of it).
   */
  server?: HTTPServer;
  /**
   * `server.server_name` of the default server.
   *
   * @default {"localhost"}
   */
  server_name?: string;
  /**
   * `server.server_port` of the default server; by default the port of
   * the first request's URL.
   */
  server_port?: number;
}

/**
 * The stand-in server of {@linkcode handler_to_fetch}: what handlers read
 * of `this.server` (`server_name`, `server_port`, `server_address`,
 * `RequestHandlerClass`, `handle_error`, which logs as `HTTPServer`'s
 * does). It never binds a socket: `Deno.serve` accepts the connections, so
 * `serve_forever()` and `shutdown()` have nothing to serve or stop.
 *
 * @example
 * ```ts
 * import { BaseHTTPRequestHandler, FetchServer } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const server = new FetchServer(BaseHTTPRequestHandler, "example.com", 443);
 * assert.deepEqual(server.server_address, ["example.com", 443]);
 * assert.equal(server.socket, null);
 * ```
 */
export class FetchServer extends HTTPServer {
  /**
   * Makes the stand-in server; it binds nothing.
   *
   * @param RequestHandlerClass The handler class.
   * @param server_name The server's host name.
   * @param server_port The server's port.
   */
  constructor(
    RequestHandlerClass: RequestHandlerClass,
    server_name = "localhost",
    server_port = 0,
  ) {
    super([server_name, server_port], RequestHandlerClass, false);
    this.server_name = server_name;
    this.server_port = server_port;
  }
}

/**
 * Turns a handler class into a fetch handler: each `Request` is given to a
 * new handler as the HTTP/1.1 head a client would have sent, through the
 * handler's own request loop (`handle_one_request()`), and the head and
 * body the handler sends become the `Response`, with no bytes parsed back. So a `BaseHTTPRequestHandler` subclass,
 * `SimpleHTTPRequestHandler` (ranges, ETags, listings, uploads) or a
 * `FieldStorage` form handler runs unchanged under `Deno.serve` (HTTP/1.1
 * and HTTP/2), `deno serve --parallel` and Deno Deploy.
 *
 * A body the handler writes whole (up to 32 KiB) before it returns is the
 * `Response`'s body, resolved when the handler returns, with its
 * `Content-Length` (Deno.serve gives one even where the wire would end the
 * body by closing). A larger body, or one after a `wfile.flush()`, streams:
 * the `Response` resolves at that point, its body carries the handler's
 * later writes (chunked coding decoded), and the writes wait while the
 * consumer does not read. `client_address` is
 * `info.remoteAddr`'s. What differs from the wire: `request_version` is
 * `HTTP/1.1` whatever the client spoke (HTTP/2 included); `path` is the
 * URL's path and query as `Deno.serve` parsed it (dot segments resolved);
 * `close_connection` and the keep-alive timeouts have no effect (the
 * connection is `Deno.serve`'s); hop-by-hop headers (`Connection`,
 * `Transfer-Encoding`) are dropped from the response, and `Date` is
 * Deno.serve's own; interim (1xx) responses are not sent; a handler that
 * closes without answering makes the promise reject (`Deno.serve` then
 * answers 500), and a body cut short of its `Content-Length` errors the
 * stream (the client's connection is cut, as on the wire).
 *
 * @example
 * ```ts
 * import { BaseHTTPRequestHandler, handler_to_fetch } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * class Handler extends BaseHTTPRequestHandler {
 *   async do_GET() {
 *     this.send_response(200);
 *     this.send_header("Content-Type", "text/plain");
 *     this.end_headers();
 *     await this.wfile.write(`${this.command} ${this.path}`);
 *   }
 *   override log_message() {}
 * }
 *
 * const fetch_handler = handler_to_fetch(Handler);
 * const res = await fetch_handler(new Request("http://localhost/a?b=1"));
 * assert.equal(res.status, 200);
 * assert.equal(await res.text(), "GET /a?b=1");
 * ```
 *
 * @param HandlerClass The handler class.
 * @param options The server the handlers see.
 * @returns The fetch handler.
 */
export function handler_to_fetch(
  HandlerClass: RequestHandlerClass,
  options: HandlerToFetchOptions = {},
): FetchHandler {
  const server = options.server ??
    new FetchServer(HandlerClass, options.server_name, options.server_port);
  let port_known = options.server !== undefined ||
    options.server_port !== undefined;
  const local: Deno.NetAddr = {
    transport: "tcp",
    hostname: server.server_name,
    port: server.server_port,
  };
  return (request, info) => {
    if (!port_known) {
      port_known = true;
      const url = new URL(request.url);
      server.server_port = local.port = Number(url.port) ||
        (url.protocol === "https:" ? 443 : 80);
      server.server_address = [server.server_name, server.server_port];
    }
    const remote: Deno.Addr = info?.remoteAddr ??
      { transport: "tcp", hostname: "", port: 0 };
    const source = request_source(request);
    const output = new FetchWriter(request.method, () => info?.completed);
    const conn = new BodyConn(source, output, remote, local);
    // The head is in memory already: the handler's connection starts with
    // it, and its responses go to the writer.
    const io = new Connection(conn as unknown as Deno.Conn, source.head);
    io.concurrent = true;
    io.output = output;
    void serve_one(server, conn, address_of(remote));
    return output.response;
  };
}

/** `[host, port]` of an address; a Unix socket's path with port 0. */
function address_of(addr: Deno.Addr): [string, number] {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    return [addr.hostname, addr.port];
  }
  return [(addr as Deno.UnixAddr).path ?? "", 0];
}

/** Runs one handler for one request on its in-memory connection. */
async function serve_one(
  server: HTTPServer,
  body_conn: BodyConn,
  client_address: [string, number],
): Promise<void> {
  const conn = body_conn as unknown as Deno.Conn;
  try {
    const handler = new server.RequestHandlerClass(
      conn,
      client_address,
      server,
    );
    handler.setup();
    try {
      await handler.handle_one_request();
    } finally {
      handler.finish();
    }
  } catch (err) {
    server.handle_error(conn, client_address, err);
  } finally {
    close_conn(conn);
  }
}
