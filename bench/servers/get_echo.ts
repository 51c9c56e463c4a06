// examples/get.ts's handler on ThreadingHTTPServer, logging off, for
// bench/hello.ts. The spec's handler sends no Content-Length, so each
// response ends its connection; under HTTP/1.1 the server says so with
// Connection: close. (wrk counts each such response, delimited by the
// close, as a read error: they are not failures.)
import { ThreadingHTTPServer } from "../../mod.ts";
import { GetHandler } from "../../examples/get.ts";

class Quiet extends GetHandler {
  override protocol_version = "HTTP/1.1";
  override log_message(): void {}
}

const server = new ThreadingHTTPServer(
  ["127.0.0.1", Number(Deno.args[0])],
  Quiet,
);
console.log("ready");
await server.serve_forever();
