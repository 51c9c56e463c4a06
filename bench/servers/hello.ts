// Hello world on ThreadingHTTPServer, keep-alive, no request log (the other
// servers in the benchmark log nothing either).
import { BaseHTTPRequestHandler, ThreadingHTTPServer } from "../../mod.ts";

const body = new TextEncoder().encode("Hello, World!");

class Hello extends BaseHTTPRequestHandler {
  override protocol_version = "HTTP/1.1";
  async do_GET(): Promise<void> {
    this.send_response(200);
    this.send_header("Content-Type", "text/plain");
    this.send_header("Content-Length", body.length);
    this.end_headers();
    await this.wfile.write(body);
  }
  override log_message(): void {}
}

const server = new ThreadingHTTPServer(
  ["127.0.0.1", Number(Deno.args[0])],
  Hello,
);
console.log("ready");
await server.serve_forever();
