/**
 * The spec's header server: sets `Last-Modified` to the current time.
 *
 *     deno run --allow-net examples/headers.ts [port]
 *     curl -i http://127.0.0.1:8085/
 *
 * @module
 */

import { BaseHTTPRequestHandler, HTTPServer } from "../mod.ts";

/** Answers every GET with a plain-text body and a `Last-Modified` header. */
export class GetHandler extends BaseHTTPRequestHandler {
  /** Sends the response. */
  async do_GET(): Promise<void> {
    this.send_response(200);
    this.send_header("Content-Type", "text/plain; charset=utf-8");
    this.send_header("Last-Modified", this.date_time_string(Date.now() / 1000));
    this.end_headers();
    await this.wfile.write("Response body\n");
  }
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? 8085);
  const server = new HTTPServer(["127.0.0.1", port], GetHandler);
  console.log("Starting server, use <Ctrl-C> to stop");
  Deno.addSignalListener("SIGINT", () => server.shutdown());
  await server.serve_forever();
  server.server_close();
  Deno.exit(0);
}
