/**
 * Unix sockets, the PROXY protocol and trusted `Forwarded` headers.
 *
 * @module
 */

import {
  BaseHTTPRequestHandler,
  clear_stale_socket,
  forwarded_of,
  HTTPServer,
  type HTTPServerOptions,
  ThreadingHTTPServer,
} from "../mod.ts";
import { parse_proxy_header } from "../_server/proxy_protocol.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertThrows,
} from "./_assert.ts";
import { spawn_server } from "./_subprocess.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Answers with the client address it sees and logs into `logs`. */
function whoami(logs: string[] = []): typeof BaseHTTPRequestHandler {
  return class extends BaseHTTPRequestHandler {
    override protocol_version = "HTTP/1.1";
    async do_GET() {
      const body = `${this.client_address[0]} ${this.client_address[1]} ${
        forwarded_of(this)?.proto ?? "-"
      }`;
      this.send_response(200);
      this.send_header("Content-Length", String(body.length));
      this.end_headers();
      await this.wfile.write(body);
    }
    override log_message(format: string, ...args: unknown[]) {
      logs.push(`${this.address_string()} ${format} ${args.join(" ")}`);
    }
  };
}

/** Writes `bytes` on a new connection and reads until the server closes it. */
async function exchange(
  connect: () => Promise<Deno.Conn>,
  bytes: Uint8Array,
): Promise<string> {
  const conn = await connect();
  await conn.write(bytes);
  let text = "";
  for await (const chunk of conn.readable) text += decoder.decode(chunk);
  return text;
}

function tcp(port: number): () => Promise<Deno.Conn> {
  return () => Deno.connect({ hostname: "127.0.0.1", port });
}

/** Leaves a stale socket at `path`: a process that listens there is killed. */
async function stale_socket(path: string): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `Deno.listen({ transport: "unix", path: ${
        JSON.stringify(path)
      } }); console.log("up"); setInterval(() => {}, 1000);`,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read();
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
}

const GET_CLOSE = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

Deno.test("HTTPServer() listens on unix:/path, answers curl --unix-socket and removes the file at shutdown", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.sock`;
  try {
    const server = new ThreadingHTTPServer([`unix:${path}`, 0], whoami());
    const serving = server.serve_forever();
    try {
      const out = await new Deno.Command("curl", {
        args: ["-sS", "--unix-socket", path, "http://localhost/"],
        stdout: "piped",
      }).output();
      assertEquals(decoder.decode(out.stdout), " 0 -");
      assert((await Deno.lstat(path)).isSocket);
    } finally {
      await server.shutdown();
      await serving;
      server.server_close();
    }
    await assertRejects(() => Deno.lstat(path), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("clear_stale_socket() replaces a dead socket, never a live one or another file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.sock`;
  try {
    const live = Deno.listen({ transport: "unix", path });
    await assertRejects(() => clear_stale_socket(path), Deno.errors.AddrInUse);
    assertThrows(
      () => new HTTPServer([`unix:${path}`, 0], whoami()),
      Deno.errors.AddrInUse,
    );
    live.close();
    // What a crash leaves: the file, nobody listening.
    await stale_socket(path);
    assert((await Deno.lstat(path)).isSocket);
    assertEquals(await clear_stale_socket(path), true);
    await Deno.writeTextFile(`${dir}/plain`, "x");
    await assertRejects(
      () => clear_stale_socket(`${dir}/plain`),
      Deno.errors.AddrInUse,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task serve --bind unix:/path replaces a stale socket and serves over it", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/cli.sock`;
  try {
    await stale_socket(path);
    await Deno.writeTextFile(`${dir}/hello.txt`, "hello");
    await using running = await spawn_server([
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "http_server.ts",
      "--bind",
      `unix:${path}`,
      "-d",
      dir,
    ]);
    assertEquals(running.banner, `Serving HTTP on unix:${path} ...`);
    const out = await new Deno.Command("curl", {
      args: ["-sS", "--unix-socket", path, "http://localhost/hello.txt"],
      stdout: "piped",
    }).output();
    assertEquals(decoder.decode(out.stdout), "hello");
    // A second server on the same path refuses: this one is alive.
    await using second = await spawn_server([
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "http_server.ts",
      "--bind",
      `unix:${path}`,
      "-d",
      dir,
    ]).catch((err: Error) => ({
      failed: err.message,
      async [Symbol.asyncDispose]() {},
    }));
    assertMatch(
      (second as { failed: string }).failed,
      /a server is listening there/,
    );
    await running.stop("SIGTERM");
    await running.stdout;
    await assertRejects(() => Deno.lstat(path), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function with_server(
  options: HTTPServerOptions,
  logs: string[],
  fn: (port: number) => Promise<void>,
): Promise<void> {
  await using server = new ThreadingHTTPServer(
    ["127.0.0.1", 0],
    whoami(logs),
    true,
    options,
  );
  server.serve_forever();
  await fn(server.server_port);
}

Deno.test("HTTPServer() with proxy_protocol takes the client from a v1 or v2 header and logs it", async () => {
  const logs: string[] = [];
  await with_server({ proxy_protocol: true }, logs, async (port) => {
    const v1 = await exchange(
      tcp(port),
      encoder.encode(
        "PROXY TCP4 203.0.113.7 127.0.0.1 51234 80\r\n" + GET_CLOSE,
      ),
    );
    assertMatch(v1, /\r\n\r\n203\.0\.113\.7 51234 -$/);
    const v2_head = new Uint8Array([
      0x0d,
      0x0a,
      0x0d,
      0x0a,
      0x00,
      0x0d,
      0x0a,
      0x51,
      0x55,
      0x49,
      0x54,
      0x0a,
      0x21,
      0x21,
      0x00,
      36,
      0x20,
      0x01,
      0x0d,
      0xb8,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0x09,
      ...new Uint8Array(16),
      0x04,
      0xd2,
      0x00,
      0x50,
    ]);
    const v2 = await exchange(
      tcp(port),
      new Uint8Array([...v2_head, ...encoder.encode(GET_CLOSE)]),
    );
    assertMatch(v2, /\r\n\r\n2001:db8::9 1234 -$/);
  });
  assertMatch(logs[0]!, /^203\.0\.113\.7 "%s" %s %s GET \/ HTTP\/1\.1 200/);
});

Deno.test("HTTPServer() with proxy_protocol closes a connection with a missing or malformed header without a response", async () => {
  await with_server({ proxy_protocol: true }, [], async (port) => {
    assertEquals(await exchange(tcp(port), encoder.encode(GET_CLOSE)), "");
    assertEquals(
      await exchange(
        tcp(port),
        encoder.encode("PROXY TCP4 1.2.3 4.5.6.7 1 2\r\n" + GET_CLOSE),
      ),
      "",
    );
  });
});

Deno.test("HTTPServer() with proxy_protocol cuts a connection that sends nothing at the header timeout", async () => {
  class Quick extends BaseHTTPRequestHandler {
    override header_timeout = 0.3;
    override log_message() {}
  }
  await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Quick, true, {
    proxy_protocol: true,
  });
  server.serve_forever();
  const started = Date.now();
  assertEquals(await exchange(tcp(server.server_port), new Uint8Array(0)), "");
  const took = Date.now() - started;
  assert(took >= 250 && took < 3000, `closed after ${took} ms`);
});

Deno.test("parse_proxy_header() refuses what is not a header and names UNKNOWN and LOCAL as no client", () => {
  const b = (s: string) => encoder.encode(s);
  assertEquals(parse_proxy_header(b("PROXY UNKNOWN\r\n")), {
    kind: "ok",
    length: 15,
    source: null,
  });
  assertEquals(
    parse_proxy_header(b("PROXY TCP4 1.2.3.4 5.6.7.8 99999 1\r\n")).kind,
    "bad",
  );
  assertEquals(parse_proxy_header(b("PROXY " + "1".repeat(120))).kind, "bad");
  assertEquals(parse_proxy_header(b("GET / HTTP/1.1\r\n")).kind, "bad");
  const local = new Uint8Array([
    0x0d,
    0x0a,
    0x0d,
    0x0a,
    0x00,
    0x0d,
    0x0a,
    0x51,
    0x55,
    0x49,
    0x54,
    0x0a,
    0x20,
    0x00,
    0,
    0,
  ]);
  assertEquals(parse_proxy_header(local), {
    kind: "ok",
    length: 16,
    source: null,
  });
});

Deno.test("HTTPServer() with trust_proxy believes Forwarded and X-Forwarded-For from trusted peers only", async () => {
  const ask = (port: number, headers: string) =>
    exchange(
      tcp(port),
      encoder.encode(
        `GET / HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`,
      ),
    );
  await with_server({ trust_proxy: ["127.0.0.0/8"] }, [], async (port) => {
    assertMatch(
      await ask(port, "Forwarded: for=198.51.100.17;proto=https\r\n"),
      /\r\n\r\n198\.51\.100\.17 0 https$/,
    );
    assertMatch(
      await ask(
        port,
        "X-Forwarded-For: 192.0.2.1, 198.51.100.9\r\nX-Forwarded-Proto: https\r\n",
      ),
      /\r\n\r\n198\.51\.100\.9 0 https$/,
    );
    // A spoofed left-most entry is not believed: the right-most untrusted one is the client.
    assertMatch(
      await ask(port, "X-Forwarded-For: 6.6.6.6, 192.0.2.1, 127.0.0.5\r\n"),
      /\r\n\r\n192\.0\.2\.1 0 -$/,
    );
  });
  // From a peer that is not trusted, the headers are ignored (spoofing).
  await with_server({ trust_proxy: ["10.0.0.0/8"] }, [], async (port) => {
    assertMatch(
      await ask(
        port,
        "Forwarded: for=6.6.6.6;proto=https\r\nX-Forwarded-For: 6.6.6.6\r\n",
      ),
      /\r\n\r\n127\.0\.0\.1 \d+ -$/,
    );
  });
});

Deno.test("two servers behind a proxy the test runs both see the real client address", async () => {
  const logs: string[] = [];
  await using a = new ThreadingHTTPServer(
    ["127.0.0.1", 0],
    whoami(logs),
    true,
    { trust_proxy: ["127.0.0.1"] },
  );
  await using b = new ThreadingHTTPServer(
    ["127.0.0.1", 0],
    whoami(logs),
    true,
    { trust_proxy: ["127.0.0.1"] },
  );
  a.serve_forever();
  b.serve_forever();
  const upstreams = [a.server_port, b.server_port];
  let next = 0;
  // A small round-robin reverse proxy that adds X-Forwarded-For, as nginx does.
  await using proxy = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  }, (req, info) => {
    const url = new URL(req.url);
    const upstream = upstreams[next++ % upstreams.length];
    const headers = new Headers(req.headers);
    // The client as the proxy saw it: a made-up public address in this test.
    headers.set(
      "x-forwarded-for",
      req.headers.get("x-test-client") ?? info.remoteAddr.hostname,
    );
    return fetch(`http://127.0.0.1:${upstream}${url.pathname}`, { headers });
  });
  const seen: string[] = [];
  for (const client of ["198.51.100.1", "198.51.100.2"]) {
    const res = await fetch(`http://127.0.0.1:${proxy.addr.port}/`, {
      headers: { "x-test-client": client },
    });
    seen.push(await res.text());
  }
  assertEquals(seen, ["198.51.100.1 0 -", "198.51.100.2 0 -"]);
  assertEquals(logs.map((l) => l.split(" ")[0]).sort(), [
    "198.51.100.1",
    "198.51.100.2",
  ]);
});
