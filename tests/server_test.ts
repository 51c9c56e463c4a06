import { HTTPServer, ThreadingHTTPServer } from "../mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import {
  error_response,
  exchange,
  normalize,
  QuietHandler,
  RawClient,
  serve,
  SERVER,
  wait_for,
} from "./_helpers.ts";

function ok(body: string, version = "HTTP/1.1", extra = ""): string {
  return `${version} 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\n` +
    `Content-Length: ${body.length}\r\n${extra}\r\n${body}`;
}

class Hello11 extends QuietHandler {
  override protocol_version = "HTTP/1.1";
  async do_GET(): Promise<void> {
    this.send_response(200);
    this.send_header("Content-Length", 5);
    this.end_headers();
    await this.wfile.write("hello");
  }
}

class Quick extends Hello11 {
  override header_timeout = 0.3;
  override keep_alive_timeout = 0.3;
}

const GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

Deno.test("BaseHTTPRequestHandler.keep_alive_timeout closes an idle keep-alive connection", async () => {
  await using s = serve(Quick);
  await using c = await RawClient.connect(s);
  await c.write(GET);
  const start = Date.now();
  assert(await c.read_to_eof(3000));
  assert(Date.now() - start >= 250, "closed before the timeout");
  assertEquals(normalize(c.text), ok("hello"));
  assertEquals(s.logs, ['"GET / HTTP/1.1" 200 -']);
});

Deno.test("BaseHTTPRequestHandler.header_timeout closes a connection that sends nothing or a slow head", async () => {
  await using s = serve(Quick);
  // Nothing at all.
  const idle = await exchange(s, [], { timeout_ms: 3000 });
  assertEquals(idle, { text: "", bytes: new Uint8Array(0), closed: true });
  // Slowloris: a byte every 100 ms never completes the head in 0.3 s.
  await using c = await RawClient.connect(s);
  let writes = 0;
  for (const ch of "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaa") {
    try {
      await c.write(ch);
    } catch {
      break; // the server closed the connection
    }
    writes++;
    if (await c.read_to_eof(100)) break;
  }
  assert(c.eof, "connection still open");
  assert(writes < 10, `the server waited for ${writes} bytes`);
  assertEquals(c.text, "");
  assert(s.logs.includes("Request timed out: 'timed out'"), String(s.logs));
});

Deno.test("BaseHTTPRequestHandler.handle_one_request() answers a throwing handler with 500, calls handle_error once and serves the next connection", async () => {
  class H extends QuietHandler {
    do_GET(): void {
      if (this.path === "/boom") throw new Error("boom");
      this.send_response(204);
      this.end_headers();
    }
  }
  await using s = serve(H);
  const r = await exchange(s, "GET /boom HTTP/1.0\r\n\r\n");
  assertEquals(
    normalize(r.text),
    error_response(
      500,
      "Internal Server Error",
      "Server got itself in trouble",
    ),
  );
  assert(r.closed);
  assertEquals(s.errors.length, 1);
  assertEquals((s.errors[0] as Error).message, "boom");
  const r2 = await exchange(s, "GET / HTTP/1.0\r\n\r\n");
  assertEquals(
    normalize(r2.text),
    `HTTP/1.0 204 No Content\r\nServer: ${SERVER}\r\nDate: DATE\r\n\r\n`,
  );
  assertEquals(s.errors.length, 1);
});

Deno.test("BaseHTTPRequestHandler.handle_one_request() closes the connection when a handler throws after its response was flushed", async () => {
  class H extends Hello11 {
    override async do_GET(): Promise<void> {
      this.send_response(200);
      this.send_header("Content-Length", 10);
      this.end_headers();
      await this.wfile.write("half.");
      await this.wfile.flush();
      throw new Error("late");
    }
  }
  await using s = serve(H);
  const r = await exchange(s, [GET, GET]);
  assertEquals(
    normalize(r.text),
    `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nContent-Length: 10\r\n\r\nhalf.`,
  );
  assert(r.closed);
  assertEquals(s.errors.length, 1);
});

Deno.test("BaseHTTPRequestHandler survives a client that disconnects mid-request and mid-response", async () => {
  const { promise: writing, resolve: started } = Promise.withResolvers<void>();
  const { promise: finished, resolve: finish } = Promise.withResolvers<
    unknown
  >();
  const reading = Promise.withResolvers<void>();
  class H extends QuietHandler {
    async do_POST(): Promise<void> {
      reading.resolve();
      await this.rfile.read();
      this.send_response(200);
      this.end_headers();
    }
    async do_GET(): Promise<void> {
      this.send_response(200);
      this.send_header("Content-Length", 10 * 1024 * 1024);
      this.end_headers();
      const block = new Uint8Array(64 * 1024);
      started();
      try {
        for (let i = 0; i < 160; i++) await this.wfile.write(block);
        finish("completed");
      } catch (err) {
        finish(err);
        throw err;
      }
    }
  }
  await using s = serve(H);
  // Half a body, then a full close.
  {
    const c = await RawClient.connect(s);
    await c.write("POST / HTTP/1.0\r\nContent-Length: 100\r\n\r\nhalf");
    await reading.promise;
    await c.close();
  }
  // A 10 MB response the client stops reading.
  {
    const c = await RawClient.connect(s);
    await c.write("GET / HTTP/1.0\r\n\r\n");
    await writing;
    await c.read_until_text("\r\n\r\n");
    await c.close();
  }
  const outcome = await finished;
  assert(outcome instanceof Error, String(outcome));
  assertEquals(s.errors, []);
  // The server still answers.
  const r = await exchange(s, "POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\nok");
  assertEquals(
    normalize(r.text),
    `HTTP/1.0 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\n\r\n`,
  );
  assert(
    s.logs.some((l) => l.startsWith("Client closed the connection after 4")),
    String(s.logs),
  );
  assert(
    s.logs.some((l) => l.startsWith("Client disconnected")),
    String(s.logs),
  );
});

Deno.test("BaseHTTPRequestHandler.end_headers() adds Connection: close to a response without a length on a keep-alive connection", async () => {
  class H extends Hello11 {
    override async do_GET(): Promise<void> {
      this.send_response(200);
      this.end_headers();
      await this.wfile.write("until close");
    }
  }
  await using s = serve(H);
  const r = await exchange(s, [GET + GET]);
  assertEquals(
    normalize(r.text),
    `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nConnection: close\r\n\r\nuntil close`,
  );
  assert(r.closed);
});

Deno.test("BaseHTTPRequestHandler closes the connection when the body does not match Content-Length", async () => {
  class H extends Hello11 {
    override async do_GET(): Promise<void> {
      this.send_response(200);
      this.send_header("Content-Length", 5);
      this.end_headers();
      await this.wfile.write(this.path === "/short" ? "abc" : "abcdefg");
    }
  }
  await using s = serve(H);
  for (const path of ["/short", "/long"]) {
    const r = await exchange(s, [
      `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n` + GET,
    ]);
    const body = path === "/short" ? "abc" : "abcdefg";
    assertEquals(
      normalize(r.text),
      `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nContent-Length: 5\r\n\r\n${body}`,
      path,
    );
    assert(r.closed, path);
  }
  assertEquals(s.logs.filter((l) => l.includes("Content-Length said")), [
    "do_GET() wrote 3 body bytes, Content-Length said 5",
    "do_GET() wrote 7 body bytes, Content-Length said 5",
  ]);
});

/** A handler whose requests wait until the test releases them. */
function gated() {
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const entered: string[] = [];
  class H extends Hello11 {
    override async do_GET(): Promise<void> {
      entered.push(this.path);
      if (this.path === "/wait") await gate;
      await super.do_GET();
    }
  }
  return { H, entered, release };
}

Deno.test("HTTPServer serves one connection at a time", async () => {
  const { H, entered, release } = gated();
  await using s = serve(H, { threading: false });
  const a = exchange(s, "GET /wait HTTP/1.0\r\n\r\n");
  assert(await wait_for(() => entered.includes("/wait")));
  const b = exchange(s, "GET /other HTTP/1.0\r\n\r\n");
  // The second request is not served while the first waits: give it the
  // time to be served if it were.
  assert(!(await wait_for(() => entered.length > 1, 200)), String(entered));
  assertEquals(entered, ["/wait"]);
  release();
  const [ra, rb] = await Promise.all([a, b]);
  assertEquals(entered, ["/wait", "/other"]);
  assertEquals(
    normalize(ra.text),
    ok("hello", "HTTP/1.1", "Connection: close\r\n"),
  );
  assertEquals(normalize(rb.text), normalize(ra.text));
});

Deno.test("ThreadingHTTPServer serves connections concurrently", async () => {
  const { H, entered, release } = gated();
  await using s = serve(H, { threading: true });
  const a = exchange(s, "GET /wait HTTP/1.0\r\n\r\n");
  assert(await wait_for(() => entered.includes("/wait")));
  const rb = await exchange(s, "GET /other HTTP/1.0\r\n\r\n");
  assertEquals(entered, ["/wait", "/other"]);
  release();
  const ra = await a;
  assertEquals(normalize(ra.text), normalize(rb.text));
  assertEquals(
    normalize(ra.text),
    ok("hello", "HTTP/1.1", "Connection: close\r\n"),
  );
});

Deno.test("HTTPServer.max_connections caps concurrent connections", async () => {
  const { H, entered, release } = gated();
  await using s = serve(H, { threading: true, max_connections: 1 });
  const a = exchange(s, "GET /wait HTTP/1.0\r\n\r\n");
  assert(await wait_for(() => entered.includes("/wait")));
  const b = exchange(s, "GET /other HTTP/1.0\r\n\r\n");
  // As above: the second connection waits for the first to end.
  assert(!(await wait_for(() => entered.length > 1, 200)), String(entered));
  assertEquals(entered, ["/wait"]);
  release();
  await Promise.all([a, b]);
  assertEquals(entered, ["/wait", "/other"]);
});

Deno.test("HTTPServer reports the real port of port 0 in server_address and server_port", () => {
  const server = new HTTPServer(["127.0.0.1", 0], Hello11);
  try {
    const [host, port] = server.server_address;
    assertEquals(host, "127.0.0.1");
    assert(port > 0);
    assertEquals(server.server_port, port);
    assertEquals(server.server_name, "127.0.0.1");
    assertEquals((server.socket!.addr as Deno.NetAddr).port, port);
  } finally {
    server.server_close();
  }
  // Not bound until server_bind().
  const later = new HTTPServer(["127.0.0.1", 0], Hello11, false);
  assertEquals(later.socket, null);
  assertEquals(later.server_port, 0);
  later.server_bind();
  later.server_activate();
  assert(later.server_port > 0);
  later.server_close();
});

function has_ipv6(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "ThreadingHTTPServer serves on IPv6 ::1",
  ignore: !has_ipv6(),
  fn: async () => {
    await using s = serve(Hello11, { host: "::1" });
    assertEquals(s.server.server_address[0], "::1");
    const r = await exchange(
      s,
      "GET / HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n",
    );
    assertEquals(
      normalize(r.text),
      ok("hello", "HTTP/1.1", "Connection: close\r\n"),
    );
    assertEquals(s.logs, ['"GET / HTTP/1.1" 200 -']);
  },
});

Deno.test("HTTPServer.shutdown() lets an in-flight request finish and closes idle keep-alive connections at once", async () => {
  const { H, entered, release } = gated();
  const s = serve(H);
  try {
    // An idle keep-alive connection.
    await using idle = await RawClient.connect(s);
    await idle.write(GET);
    assert(await idle.read_until_text("hello"));
    // An in-flight request.
    await using busy = await RawClient.connect(s);
    await busy.write("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n");
    assert(await wait_for(() => entered.includes("/wait")));
    const stopping = s.server.shutdown();
    // The idle connection closes at once (well before keep_alive_timeout).
    assert(await idle.read_to_eof(1000));
    // The listener is closed. (Not checked by connecting to the port: a
    // server of a test running in parallel may already have its number.)
    // Were it open, the connection made here would be accepted.
    const accepting = s.server.socket!.accept().then((conn) => {
      conn.close();
      return false;
    }, (err) => err instanceof Deno.errors.BadResource);
    const probe = await Deno.connect({ hostname: "127.0.0.1", port: s.port })
      .catch(() => null);
    const refused = await accepting;
    probe?.close();
    assert(refused, "still accepting");
    release();
    assert(await busy.read_to_eof(3000));
    assertEquals(normalize(busy.text), ok("hello"));
    await stopping;
    await s.serving;
  } finally {
    release();
    s.server.server_close();
  }
});

Deno.test("HTTPServer option signal shuts the server down", async () => {
  const controller = new AbortController();
  const s = serve(Hello11, { signal: controller.signal });
  try {
    const r = await exchange(
      s,
      "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assertEquals(
      normalize(r.text),
      ok("hello", "HTTP/1.1", "Connection: close\r\n"),
    );
    controller.abort();
    await s.serving;
  } finally {
    s.server.server_close();
  }
  // An aborted signal: serve_forever() returns at once.
  const server = new ThreadingHTTPServer(["127.0.0.1", 0], Hello11, true, {
    signal: AbortSignal.abort(),
  });
  await server.serve_forever();
  server.server_close();
});

Deno.test("HTTPServer.handle_request() serves one connection", async () => {
  const server = new HTTPServer(["127.0.0.1", 0], Hello11);
  try {
    const served = server.handle_request();
    const r = await exchange(server.server_port, "GET / HTTP/1.0\r\n\r\n");
    await served;
    assertEquals(
      normalize(r.text),
      ok("hello", "HTTP/1.1", "Connection: close\r\n"),
    );
  } finally {
    server.server_close();
  }
});

Deno.test("HTTPServer.verify_request() refusing closes the connection unanswered", async () => {
  class S extends ThreadingHTTPServer {
    override verify_request(): boolean {
      return false;
    }
  }
  await using server = new S(["127.0.0.1", 0], Hello11);
  const serving = server.serve_forever();
  const r = await exchange(server.server_port, GET);
  assertEquals(r, { text: "", bytes: new Uint8Array(0), closed: true });
  await server.shutdown();
  await serving;
});

class Refuses extends QuietHandler {
  do_POST(): void {
    // Refuse at once, without reading the body.
    this.send_error(413);
  }
}

Deno.test("BaseHTTPRequestHandler.handle_one_request() lingers before closing: a client still sending is not reset, and reads the error", async () => {
  await using s = serve(Refuses);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  const size = 8 * 1024 * 1024;
  await conn.write(new TextEncoder().encode(
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`,
  ));
  // Send the body as a client that does not wait for an answer does. The
  // server answered at once and half-closed, but still reads: no write
  // meets a reset (without the linger, one did).
  const chunk = new Uint8Array(64 * 1024);
  let sent = 0;
  try {
    while (sent < size) sent += await conn.write(chunk);
  } catch (err) {
    assert(false, `reset after ${sent} bytes: ${err}`);
  }
  let text = "";
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  conn.close();
  assertEquals(text.split("\r\n")[0], "HTTP/1.0 413 Content Too Large");
});
