// Our static server for bench/compress.ts: `deno run -A static_dir.ts DIR
// COMPRESS PORT` serves DIR (precompressed siblings on, as by default; on-the-
// fly compression when COMPRESS is 1) and prints "ready".
import { SimpleHTTPRequestHandler, ThreadingHTTPServer } from "../../mod.ts";

const [dir, compress, port] = Deno.args;
class Handler extends SimpleHTTPRequestHandler {
  override directory = dir!;
  override compress = compress === "1";
  override protocol_version = "HTTP/1.1";
  override log_message(): void {}
}
const server = new ThreadingHTTPServer(["127.0.0.1", Number(port)], Handler);
console.log("ready");
await server.serve_forever();
