// The soak tests' upload server: examples/post.ts's PostHandler spooling
// uploads into a given directory.
// Usage: deno run -A bench/soak/post_server.ts <port> <spool dir>
import { ThreadingHTTPServer } from "../../http_server.ts";
import { FieldFile, FieldStorage } from "../../cgi.ts";
import { PostHandler } from "../../examples/post.ts";

const dir = Deno.args[1]!;

class Spool extends FieldStorage {
  override async make_file(): Promise<FieldFile> {
    const path = await Deno.makeTempFile({ dir, prefix: "cgi_" });
    const file = await Deno.open(path, { read: true, write: true });
    return new FieldFile({ file, path, remove: true });
  }
}

class Handler extends PostHandler {
  override form_class = Spool;
  override log_message(): void {}
}

const server = new ThreadingHTTPServer(
  ["127.0.0.1", Number(Deno.args[0] ?? 0)],
  Handler,
);
server.handle_error = () => {}; // the 500s are expected here
console.log(`port ${server.server_port}`);
const stop = () => void server.shutdown();
Deno.addSignalListener("SIGTERM", stop);
await server.serve_forever();
server.server_close();
Deno.removeSignalListener("SIGTERM", stop);
