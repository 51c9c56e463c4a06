/**
 * The README's Python-to-TypeScript idioms, run: a server subclass with its
 * own attribute that its handler reads through `this.server`, `await using`
 * for `with ... as httpd`, a file copied to `wfile` for
 * `shutil.copyfileobj`, and an awaited timer for `time.sleep`.
 */

import {
  BaseHTTPRequestHandler,
  type RequestHandlerClass,
  ThreadingHTTPServer,
} from "../mod.ts";
import { assertEquals, assertMatch } from "./_assert.ts";
import { exchange, normalize, serve, SERVER } from "./_helpers.ts";
import { listening_port, spawn_server } from "./_subprocess.ts";

// Python:
//     class MyServer(ThreadingHTTPServer):
//         def __init__(self, address, handler, base_path):
//             super().__init__(address, handler)
//             self.base_path = base_path
//
//     class Handler(BaseHTTPRequestHandler):
//         def do_GET(self):
//             time.sleep(0.01)
//             with open(self.server.base_path + "/hello.txt", "rb") as f:
//                 self.send_response(200)
//                 self.end_headers()
//                 shutil.copyfileobj(f, self.wfile)
//
//     with MyServer(("127.0.0.1", 0), Handler, base) as httpd: ...

class MyServer extends ThreadingHTTPServer {
  readonly base_path: string;
  constructor(
    address: [string, number],
    handler: RequestHandlerClass,
    base_path: string,
  ) {
    super(address, handler);
    // Set after super(): the constructor binds and listens, and serves
    // nothing until serve_forever().
    this.base_path = base_path;
  }
}

class Handler extends BaseHTTPRequestHandler {
  // The type of this handler's server; no code, only the declaration.
  declare readonly server: MyServer;

  async do_GET(): Promise<void> {
    // time.sleep() would stop every connection: await a timer.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const file = await Deno.open(`${this.server.base_path}/hello.txt`);
    this.send_response(200);
    this.end_headers();
    // shutil.copyfileobj(f, self.wfile); the readable closes the file.
    for await (const chunk of file.readable) await this.wfile.write(chunk);
  }

  override log_message(): void {}
}

Deno.test("README's porting idioms: a server attribute read by the handler, await using, a file copied to wfile, an awaited sleep", async () => {
  const base = await Deno.makeTempDir({ prefix: "porting_" });
  try {
    await Deno.writeTextFile(`${base}/hello.txt`, "hello from base_path\n");
    await using httpd = new MyServer(["127.0.0.1", 0], Handler, base);
    httpd.serve_forever();
    assertEquals(httpd.base_path, base);
    const r = await exchange(httpd.server_port, "GET / HTTP/1.0\r\n\r\n");
    assertEquals(
      normalize(r.text),
      `HTTP/1.0 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\n\r\n` +
        "hello from base_path\n",
    );
    assertEquals(r.closed, true);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test({
  name:
    "Ctrl-C: serve_forever() rejects with KeyboardInterrupt on SIGINT, so except and finally run; uncaught, the program exits 130",
  ignore: Deno.build.os === "windows",
  async fn() {
    const script = "tests/fixtures/keyboard_interrupt.ts";
    await using caught = await spawn_server(["run", "--allow-net", script]);
    assertEquals(caught.banner.startsWith("port "), true);
    assertEquals((await caught.stop("SIGINT")).code, 0);
    assertEquals(
      await caught.stdout,
      `${caught.banner}\ninterrupted\nclosed\n`,
    );
    assertEquals(await caught.stderr, "");

    await using uncaught = await spawn_server([
      "run",
      "--allow-net",
      script,
      "uncaught",
    ]);
    assertEquals((await uncaught.stop("SIGINT")).code, 130);
    assertEquals(await uncaught.stderr, "KeyboardInterrupt\n");
  },
});

Deno.test("Ctrl-C: a program's own SIGINT listener that shuts the server down keeps serve_forever() resolving", async () => {
  // The examples' shape: Deno.addSignalListener("SIGINT", () => server.shutdown()).
  await using out = await spawn_server([
    "run",
    "--allow-net",
    "examples/get.ts",
    "0",
  ]);
  // Once a request is served, its listener is installed.
  const port = await listening_port(out.child.pid);
  await (await fetch(`http://127.0.0.1:${port}/`)).body?.cancel();
  assertEquals((await out.stop("SIGINT")).code, 0);
  // The request's log line, and no KeyboardInterrupt.
  assertMatch(
    await out.stderr,
    /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 -\n$/,
  );
});

Deno.test("rfile.read() of parseInt(a missing Content-Length) throws TypeError, as Python's int(None) does, and the client gets 500", async () => {
  const seen: string[] = [];
  class Handler extends BaseHTTPRequestHandler {
    async do_POST() {
      // length = int(self.headers["Content-Length"]); self.rfile.read(length)
      const length = parseInt(this.headers.get("Content-Length")!);
      for (const size of [length, 1.5, Infinity, "3" as unknown as number]) {
        try {
          await this.rfile.read(size);
        } catch (err) {
          seen.push(`${(err as Error).name}: ${(err as Error).message}`);
        }
      }
      await this.rfile.read(length);
    }
    override log_message() {}
  }
  await using srv = serve(Handler);
  const res = await exchange(
    srv,
    "POST / HTTP/1.0\r\n\r\n",
  );
  assertEquals(seen, [
    "TypeError: rfile.read() takes an integer size (-1 for all), not NaN",
    "TypeError: rfile.read() takes an integer size (-1 for all), not 1.5",
    "TypeError: rfile.read() takes an integer size (-1 for all), not Infinity",
    'TypeError: rfile.read() takes an integer size (-1 for all), not "3"',
  ]);
  assertMatch(res.text, /^HTTP\/1\.0 500 Internal Server Error\r\n/);
});
