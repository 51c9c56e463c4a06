// A CPU-bound handler (about 0.2 ms of arithmetic a request) for
// bench/workers.ts: `deno run -A --unstable-net cpu_bound.ts WORKERS PORT`.
import { BaseHTTPRequestHandler, ThreadingHTTPServer } from "../../mod.ts";

function work(): number {
  let x = 0;
  for (let i = 0; i < 400_000; i++) x = (x * 31 + i) % 1_000_003;
  return x;
}

class Busy extends BaseHTTPRequestHandler {
  override protocol_version = "HTTP/1.1";
  async do_GET(): Promise<void> {
    const body = new TextEncoder().encode(`${work()}\n`);
    this.send_response(200);
    this.send_header("Content-Length", body.length);
    this.end_headers();
    await this.wfile.write(body);
  }
  override log_message(): void {}
}

const server = new ThreadingHTTPServer(
  ["127.0.0.1", Number(Deno.args[1])],
  Busy,
  true,
  { workers: Number(Deno.args[0]) },
);
if (!(globalThis as { name?: string }).name) console.log("ready");
await server.serve_forever();
