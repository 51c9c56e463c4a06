/**
 * The spec's GET server: echoes what the handler knows about the request.
 *
 *     deno run --allow-net examples/get.ts [port]
 *     curl -i 'http://127.0.0.1:8080/?foo=bar'
 *
 * @module
 */

import { BaseHTTPRequestHandler, HTTPServer } from "../mod.ts";

/** Answers every GET with the request's and the server's values. */
export class GetHandler extends BaseHTTPRequestHandler {
  /** Sends the values as plain text. */
  async do_GET(): Promise<void> {
    const parsed_path = new URL(this.path, "http://host");
    const message_parts = [
      "CLIENT VALUES:",
      `client_address=('${this.client_address[0]}', ${
        this.client_address[1]
      }) (${this.address_string()})`,
      `command=${this.command}`,
      `path=${this.path}`,
      `real path=${parsed_path.pathname}`,
      `query=${parsed_path.search.slice(1)}`,
      `request_version=${this.request_version}`,
      "",
      "SERVER VALUES:",
      `server_version=${this.server_version}`,
      `sys_version=${this.sys_version}`,
      `protocol_version=${this.protocol_version}`,
      "",
      "HEADERS RECEIVED:",
    ];
    // Python's sorted() orders the (name, value) pairs: by name, then value.
    const items = this.headers.items().sort(([a, x], [b, y]) =>
      a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0
    );
    for (const [name, value] of items) {
      message_parts.push(`${name}=${value.trimEnd()}`);
    }
    message_parts.push("");
    const message = message_parts.join("\r\n");
    this.send_response(200);
    this.send_header("Content-Type", "text/plain; charset=utf-8");
    this.end_headers();
    await this.wfile.write(message);
  }
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? 8080);
  const server = new HTTPServer(["127.0.0.1", port], GetHandler);
  console.log("Starting server, use <Ctrl-C> to stop");
  Deno.addSignalListener("SIGINT", () => server.shutdown());
  await server.serve_forever();
  server.server_close();
  Deno.exit(0);
}
