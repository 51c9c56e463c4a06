// examples/get.ts's handler, unchanged, with a Content-Length added so that
// it can keep connections open (the spec's handler sends none), for
// bench/hello.ts: end_headers() waits for the body's one write, which then
// sends the length, ends the head and writes the body.
import { ThreadingHTTPServer, type WFile } from "../../mod.ts";
import { GetHandler } from "../../examples/get.ts";

const encoder = new TextEncoder();

class KeepAlive extends GetHandler {
  override protocol_version = "HTTP/1.1";
  #head_pending = false;
  override log_message(): void {}
  override end_headers(): void {
    this.#head_pending = true;
  }
  override get wfile(): WFile {
    const wfile = super.wfile;
    if (!this.#head_pending) return wfile;
    return {
      write: (data: Uint8Array | string) => {
        const bytes = typeof data === "string" ? encoder.encode(data) : data;
        this.#head_pending = false;
        this.send_header("Content-Length", bytes.length);
        super.end_headers();
        return wfile.write(bytes);
      },
      flush: () => wfile.flush(),
      writable: wfile.writable,
    };
  }
}

const server = new ThreadingHTTPServer(
  ["127.0.0.1", Number(Deno.args[0])],
  KeepAlive,
);
console.log("ready");
await server.serve_forever();
