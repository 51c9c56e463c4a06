// The soak tests' server: a hello handler on ThreadingHTTPServer, HTTP/1.1,
// whose GET /stats answers the requests served and the process's RSS.
// Usage: deno run -A bench/soak/server.ts <port> [header_timeout]
import {
  BaseHTTPRequestHandler,
  ThreadingHTTPServer,
} from "../../http_server.ts";

let served = 0;
const hello = new TextEncoder().encode("Hello, World!");
const header_timeout = Number(Deno.args[1] ?? 60);

class Hello extends BaseHTTPRequestHandler {
  override protocol_version = "HTTP/1.1";
  override header_timeout = header_timeout;
  override log_message(): void {}
  override log_error(format: string, ...args: unknown[]): void {
    if (format.startsWith("Request timed out")) timeouts++;
    else super.log_error(format, ...args);
  }
  async do_GET(): Promise<void> {
    served++;
    let body = hello;
    if (this.path === "/stats") {
      body = new TextEncoder().encode(
        JSON.stringify({ served, rss: Deno.memoryUsage().rss, timeouts }),
      );
    }
    this.send_response(200);
    this.send_header("Content-Type", "text/plain");
    this.send_header("Content-Length", body.length);
    this.end_headers();
    await this.wfile.write(body);
  }
}
let timeouts = 0;

const server = new ThreadingHTTPServer(
  ["127.0.0.1", Number(Deno.args[0] ?? 0)],
  Hello,
);
server.max_connections = 4096;
console.log(`port ${server.server_port}`);
const stop = () => void server.shutdown();
Deno.addSignalListener("SIGTERM", stop);
await server.serve_forever();
server.server_close();
Deno.removeSignalListener("SIGTERM", stop);
