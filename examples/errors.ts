/**
 * The spec's error server: answers every GET with `404 Not Found`.
 *
 *     deno run --allow-net examples/errors.ts [port]
 *     curl -i http://127.0.0.1:8084/
 *
 * @module
 */

import { BaseHTTPRequestHandler, HTTPServer } from "../mod.ts";

/** Answers every GET with a 404 error page. */
export class ErrorHandler extends BaseHTTPRequestHandler {
  /** Sends the error. */
  do_GET(): void {
    this.send_error(404);
  }
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? 8084);
  const server = new HTTPServer(["127.0.0.1", port], ErrorHandler);
  console.log("Starting server, use <Ctrl-C> to stop");
  Deno.addSignalListener("SIGINT", () => server.shutdown());
  await server.serve_forever();
  server.server_close();
  Deno.exit(0);
}
