/**
 * Python's `http.server` and `cgi.FieldStorage`, ported to Deno: HTTP
 * servers and request handlers on raw `Deno.listen` connections, with
 * Python's names (`do_GET`, `send_response`, `wfile`, `serve_forever` ...),
 * so that Python code ports line by line.
 *
 * @example
 * ```ts
 * import { BaseHTTPRequestHandler, HTTPServer } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * class Handler extends BaseHTTPRequestHandler {
 *   async do_GET() {
 *     this.send_response(200);
 *     this.end_headers();
 *     await this.wfile.write("hi");
 *   }
 *   override log_message() {}
 * }
 *
 * await using server = new HTTPServer(["127.0.0.1", 0], Handler);
 * server.serve_forever();
 * const res = await fetch(`http://127.0.0.1:${server.server_port}/`);
 * assert.equal(await res.text(), "hi");
 * ```
 *
 * @module
 */

export * from "./http_server.ts";
export * from "./cgi.ts";
