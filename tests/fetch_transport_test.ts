/**
 * The fetch transport: the same handlers answer the same requests with the
 * same status, headers and bytes through `Deno.serve(handler_to_fetch(H))`
 * as through `ThreadingHTTPServer`; HTTP/2 over TLS; `deno serve --parallel`.
 *
 * @module
 */

import {
  BaseHTTPRequestHandler,
  CGIHTTPRequestHandler,
  handler_to_fetch,
  type RequestHandlerClass,
  SimpleHTTPRequestHandler,
  ThreadingHTTPServer,
} from "../mod.ts";
import { GetHandler } from "../examples/get.ts";
import { PostHandler } from "../examples/post.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "./_assert.ts";
import { ROOT } from "./_subprocess.ts";
import { MTIME_HTTP, temp_dir, write_file } from "./_static_helpers.ts";
import { HAVE_OPENSSL, make_certificate } from "./_tls.ts";

/** What is compared between the transports. */
interface Answer {
  status: number;
  headers: [string, string][];
  body: string;
}

/** Headers of one connection or one moment, not of the handler's answer. */
const NOT_COMPARED = new Set([
  "date",
  "connection",
  "keep-alive",
  "transfer-encoding",
]);

async function answer_of(res: Response): Promise<Answer> {
  const headers = [...res.headers].filter(([name]) => !NOT_COMPARED.has(name));
  const bytes = new Uint8Array(await res.arrayBuffer());
  return {
    status: res.status,
    headers,
    body: String.fromCharCode(...bytes),
  };
}

/**
 * `on_fetch` without the Content-Length that the fetch transport gives a
 * body the handler wrote whole, where the wire ends it by closing; the
 * length must be the body's.
 */
function without_added_length(on_fetch: Answer, on_wire: Answer): Answer {
  const length = (a: Answer) =>
    a.headers.find(([name]) => name === "content-length")?.[1];
  if (length(on_wire) !== undefined || length(on_fetch) === undefined) {
    return on_fetch;
  }
  assertEquals(length(on_fetch), String(on_fetch.body.length));
  return {
    ...on_fetch,
    headers: on_fetch.headers.filter(([name]) => name !== "content-length"),
  };
}

function quiet(Base: typeof BaseHTTPRequestHandler): RequestHandlerClass {
  return class extends Base {
    override log_message() {}
  };
}

/** A request to make through both transports. */
type Ask = (origin: string) => Promise<Response>;

/**
 * Asks each request of `asks` of H on the wire and through the fetch
 * transport; returns both lists of answers after checking they are equal.
 */
async function both(
  H: typeof BaseHTTPRequestHandler,
  asks: Ask[],
  normalise: (a: Answer) => Answer = (a) => a,
): Promise<Answer[]> {
  const Handler = quiet(H);
  await using wire = new ThreadingHTTPServer(["127.0.0.1", 0], Handler);
  wire.serve_forever();
  await using served = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    handler_to_fetch(Handler),
  );
  const answers: Answer[] = [];
  for (const ask of asks) {
    const raw_wire = await answer_of(
      await ask(`http://127.0.0.1:${wire.server_port}`),
    );
    const raw_fetch = await answer_of(
      await ask(`http://127.0.0.1:${served.addr.port}`),
    );
    const on_wire = normalise(raw_wire);
    assertEquals(normalise(without_added_length(raw_fetch, raw_wire)), on_wire);
    answers.push(on_wire);
  }
  return answers;
}

/** GET with no compression (Deno.serve would gzip on its own). */
function get(path: string, headers: Record<string, string> = {}): Ask {
  return (origin) =>
    fetch(origin + path, {
      headers: { "accept-encoding": "identity", ...headers },
    });
}

Deno.test("handler_to_fetch() serves examples/get.ts's handler as the wire does", async () => {
  const [a] = await both(
    GetHandler,
    [get("/?foo=bar")],
    (a) => ({
      ...a,
      body: a.body.replace(/client_address=\('127\.0\.0\.1', \d+\)/, "PORT")
        .replace(/^host=.*$/m, "HOST"),
    }),
  );
  assertEquals(a!.status, 200);
  assertMatch(a!.body, /^command=GET\r$/m);
  assertMatch(a!.body, /^path=\/\?foo=bar\r$/m);
  assertMatch(a!.body, /^request_version=HTTP\/1\.1\r$/m);
  assertMatch(a!.body, /^accept-encoding=identity\r$/m);
});

Deno.test("handler_to_fetch() gives the client's address from info.remoteAddr", async () => {
  await using served = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    handler_to_fetch(quiet(GetHandler)),
  );
  const res = await fetch(`http://127.0.0.1:${served.addr.port}/`);
  assertMatch(
    await res.text(),
    /client_address=\('127\.0\.0\.1', \d+\) \(127\.0\.0\.1\)/,
  );
});

Deno.test("handler_to_fetch() serves SimpleHTTPRequestHandler's ranges, ETags, 304, listings, redirects and 404 as the wire does", async () => {
  await using dir = await temp_dir();
  await write_file(`${dir.path}/a.txt`, "0123456789abcdef");
  await Deno.mkdir(`${dir.path}/sub`);
  await write_file(`${dir.path}/sub/b.txt`, "b");
  class Files extends SimpleHTTPRequestHandler {
    override directory = dir.path;
    override protocol_version = "HTTP/1.1";
  }
  const answers = await both(Files, [
    get("/a.txt"),
    get("/a.txt", { range: "bytes=2-5" }),
    get("/a.txt", { range: "bytes=99-" }),
    get("/a.txt", { "if-modified-since": MTIME_HTTP }),
    get("/sub/"),
    (origin) => fetch(origin + "/sub", { redirect: "manual" }),
    get("/missing"),
    (origin) => fetch(origin + "/a.txt", { method: "HEAD" }),
  ]);
  assertEquals(answers.map((a) => a.status), [
    200,
    206,
    416,
    304,
    200,
    301,
    404,
    200,
  ]);
  assertEquals(answers[1]!.body, "2345");
  assertMatch(answers[4]!.body, /href="b\.txt"/);
  assertEquals(answers[7]!.body, "");
  const tag = answers[0]!.headers.find(([n]) => n === "etag")![1];
  const [not_modified] = await both(Files, [
    get("/a.txt", { "if-none-match": tag }),
  ]);
  assertEquals(not_modified!.status, 304);
});

Deno.test("handler_to_fetch() serves a FieldStorage upload through examples/post.ts's handler as the wire does", async () => {
  const big = "x".repeat(100_000);
  const ask: Ask = (origin) => {
    const form = new FormData();
    form.append("name", "value");
    form.append("datafile", new Blob([big]), "big.txt");
    return fetch(origin + "/upload", {
      method: "POST",
      body: form,
      headers: { "user-agent": "test" },
    });
  };
  const [a] = await both(PostHandler, [ask], (a) => ({
    ...a,
    body: a.body.replace(/^Client: .*$/m, "CLIENT"),
  }));
  assertEquals(a!.status, 200);
  assertMatch(a!.body, /\tname=value\n/);
  assertMatch(a!.body, /\tUploaded datafile as 'big\.txt' \(100000 bytes\)\n/);
});

Deno.test({
  name:
    "handler_to_fetch() runs a CGI script whose head ends in its own output, LF lines included, as the wire does",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using dir = await temp_dir();
    await Deno.mkdir(`${dir.path}/cgi-bin`);
    await Deno.writeTextFile(
      `${dir.path}/cgi-bin/hello.sh`,
      "#!/bin/sh\nprintf 'Content-type: text/plain\\nX-Script: 1\\n\\nHello %s\\n' \"$QUERY_STRING\"\n",
    );
    await Deno.chmod(`${dir.path}/cgi-bin/hello.sh`, 0o755);
    class Cgi extends CGIHTTPRequestHandler {
      override directory = dir.path;
    }
    const [a] = await both(Cgi, [get("/cgi-bin/hello.sh?you")]);
    assertEquals(a!.status, 200);
    assertEquals(a!.body, "Hello you\n");
    assertEquals(a!.headers.find(([n]) => n === "x-script")?.[1], "1");
    assertEquals(
      a!.headers.find(([n]) => n === "content-type")?.[1],
      "text/plain",
    );
  },
});

Deno.test("handler_to_fetch() answers send_error pages, 501 and HEAD as the wire does", async () => {
  class Errors extends BaseHTTPRequestHandler {
    do_GET() {
      this.send_error(404, "Not here");
    }
    do_HEAD() {
      this.send_response(200);
      this.send_header("Content-Length", "5");
      this.end_headers();
    }
  }
  const [not_found, unsupported, head] = await both(Errors, [
    get("/x"),
    (origin) => fetch(origin + "/x", { method: "DELETE" }),
    (origin) => fetch(origin + "/x", { method: "HEAD" }),
  ]);
  assertEquals(not_found!.status, 404);
  assertMatch(not_found!.body, /<p>Message: Not here\.<\/p>/);
  assertEquals(unsupported!.status, 501);
  assertEquals(head!.body, "");
  assertEquals(head!.headers.find(([n]) => n === "content-length")?.[1], "5");
});

Deno.test("handler_to_fetch() streams a chunked body and the handler waits while the consumer does not read", async () => {
  let written = 0;
  class Stream extends BaseHTTPRequestHandler {
    override protocol_version = "HTTP/1.1";
    async do_GET() {
      this.send_response(200);
      this.end_headers();
      const chunk = new Uint8Array(16 * 1024).fill(0x61);
      for (let i = 0; i < 256; i++) {
        await this.wfile.write(chunk);
        written += chunk.length;
      }
    }
    override log_message() {}
  }
  const fetch_handler = handler_to_fetch(Stream);
  const res = await fetch_handler(new Request("http://localhost/"));
  assertEquals(res.headers.get("transfer-encoding"), null);
  // Let the handler run as far as it can without a reader.
  for (let i = 0; i < 100; i++) await new Promise((r) => setTimeout(r, 0));
  assert(written < 1024 * 1024, `the handler wrote ${written} bytes unread`);
  const body = new Uint8Array(await res.arrayBuffer());
  assertEquals(body.length, 4 * 1024 * 1024);
  assertEquals(written, 4 * 1024 * 1024);
});

Deno.test("handler_to_fetch() resolves the response at a flush(), before the handler returns, and errors a body left short of its Content-Length", async () => {
  const go_on = Promise.withResolvers<void>();
  class Flush extends BaseHTTPRequestHandler {
    override protocol_version = "HTTP/1.1";
    async do_GET() {
      this.send_response(200);
      this.send_header("Content-Length", "6");
      this.end_headers();
      await this.wfile.write("abc");
      await this.wfile.flush();
      await go_on.promise;
      if (this.path === "/whole") await this.wfile.write("def");
    }
    override log_message() {}
  }
  const fetch_handler = handler_to_fetch(Flush);
  const whole = await fetch_handler(new Request("http://localhost/whole"));
  assertEquals(whole.headers.get("content-length"), "6");
  const reader = whole.body!.getReader();
  assertEquals(new TextDecoder().decode((await reader.read()).value), "abc");
  go_on.resolve();
  assertEquals(new TextDecoder().decode((await reader.read()).value), "def");
  assertEquals((await reader.read()).done, true);

  const short = await fetch_handler(new Request("http://localhost/short"));
  await assertRejects(() => short.text(), Deno.errors.UnexpectedEof);
});

Deno.test("handler_to_fetch() takes a response the handler writes to wfile itself, head included", async () => {
  class Raw extends BaseHTTPRequestHandler {
    async do_GET() {
      await this.wfile.write("HTTP/1.0 203 Mine\r\nX-Raw: 1\r\n\r\nraw body");
    }
    override log_message() {}
  }
  const res = await handler_to_fetch(Raw)(new Request("http://localhost/"));
  assertEquals(res.status, 203);
  assertEquals(res.statusText, "Mine");
  assertEquals(res.headers.get("x-raw"), "1");
  assertEquals(await res.text(), "raw body");
});

Deno.test("handler_to_fetch() under Deno.serve fails the handler's writes once the client of a streamed body leaves", async () => {
  const failed = Promise.withResolvers<unknown>();
  class Endless extends BaseHTTPRequestHandler {
    override protocol_version = "HTTP/1.1";
    async do_GET() {
      this.send_response(200);
      this.end_headers();
      const chunk = new Uint8Array(16 * 1024).fill(0x61);
      try {
        for (;;) await this.wfile.write(chunk);
      } catch (err) {
        failed.resolve(err);
        throw err;
      }
    }
    override log_message() {}
  }
  await using served = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    handler_to_fetch(Endless),
  );
  const client = new AbortController();
  const res = await fetch(`http://127.0.0.1:${served.addr.port}/`, {
    signal: client.signal,
  });
  const reader = res.body!.getReader();
  assertEquals((await reader.read()).done, false);
  client.abort();
  await reader.cancel().catch(() => {});
  const err = await failed.promise;
  assert(err instanceof Deno.errors.BrokenPipe, String(err));
});

Deno.test("handler_to_fetch() feeds a chunked request body to rfile", async () => {
  class Echo extends BaseHTTPRequestHandler {
    override protocol_version = "HTTP/1.1";
    async do_POST() {
      const body = await this.rfile.read();
      this.send_response(200);
      this.send_header("Content-Length", String(body.length));
      this.end_headers();
      await this.wfile.write(body);
    }
    override log_message() {}
  }
  const stream = ReadableStream.from(
    ["ab", "cd", "ef"].map((s) => new TextEncoder().encode(s)),
  );
  const res = await handler_to_fetch(Echo)(
    new Request("http://localhost/", { method: "POST", body: stream }),
  );
  assertEquals(await res.text(), "abcdef");
});

const CURL_FEATURES = await new Deno.Command("curl", {
  args: ["-V"],
  stdout: "piped",
  stderr: "null",
}).output().then((o) => new TextDecoder().decode(o.stdout), () => "");

Deno.test({
  name:
    "handler_to_fetch() under Deno.serve with TLS answers curl --http2 with HTTP/2 200",
  ignore: !HAVE_OPENSSL || !/\bHTTP2\b/.test(CURL_FEATURES),
  async fn() {
    await using dir = await temp_dir();
    await make_certificate(dir.path);
    await using served = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert: await Deno.readTextFile(`${dir.path}/c.pem`),
      key: await Deno.readTextFile(`${dir.path}/k.pem`),
      onListen() {},
    }, handler_to_fetch(quiet(GetHandler)));
    const out = await new Deno.Command("curl", {
      args: [
        "-sS",
        "-i",
        "--http2",
        "--cacert",
        `${dir.path}/c.pem`,
        `https://127.0.0.1:${served.addr.port}/h2?x=1`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert(out.success, new TextDecoder().decode(out.stderr));
    assertMatch(text, /^HTTP\/2 200 \r?\n/);
    assertMatch(text, /path=\/h2\?x=1\r\n/);
    assertMatch(text, /request_version=HTTP\/1\.1\r\n/);
  },
});

/** One request on its own connection (so that the kernel may pick another worker). */
async function get_once(port: number, path: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ));
    let text = "";
    for await (
      const chunk of conn.readable.pipeThrough(new TextDecoderStream())
    ) {
      text += chunk;
    }
    return text;
  } catch (err) {
    conn.close();
    throw err;
  }
}

Deno.test("examples/serve_parallel.ts answers under deno serve --parallel from more than one worker", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "--parallel",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "examples/serve_parallel.ts",
    ],
    cwd: ROOT,
    env: { DENO_JOBS: "2", NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let seen = "";
    let port = 0;
    while (port === 0) {
      const { done, value } = await lines.read();
      if (done) throw new Error(`deno serve ended: ${seen}`);
      seen += value;
      port = Number(/Listening on http:\/\/[^ ]*:(\d+)\//.exec(seen)?.[1] ?? 0);
    }
    const workers = new Set<string>();
    for (let i = 0; i < 200 && workers.size < 2; i++) {
      const text = await get_once(port, `/n${i}`);
      assertMatch(text, /^HTTP\/1\.1 200 OK\r\n/);
      const id = /Hello from worker (\w+) for \/n\d+\n$/.exec(text)?.[1];
      assert(id !== undefined, text);
      workers.add(id);
    }
    assertEquals(workers.size, 2);
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await lines.cancel();
  }
});
