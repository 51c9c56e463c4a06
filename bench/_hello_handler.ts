/**
 * The hello-world handler of the benchmarks: keep-alive, a fixed body, no
 * request log (the servers it is compared with log nothing either).
 */
import { BaseHTTPRequestHandler } from "../mod.ts";

const body = new TextEncoder().encode("Hello, World!");

/** Answers every GET with "Hello, World!" and its length. */
export class Hello extends BaseHTTPRequestHandler {
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
