/**
 * The spec's example servers: their output compared line by line with the
 * spec's curl sessions, run as scripts, by URL, and the module imported by
 * URL from outside the repository.
 */

import { BaseHTTPRequestHandler, HTTPServer } from "../mod.ts";
import { GetHandler } from "../examples/get.ts";
import { ErrorHandler } from "../examples/errors.ts";
import { GetHandler as HeadersHandler } from "../examples/headers.ts";
import {
  Handler as ThreadsHandler,
  ThreadedHTTPServer,
} from "../examples/threads.ts";
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import {
  curl,
  curl_version,
  error_page,
  listening_port,
  ROOT,
  run_deno,
  spawn_server,
  type Spawned,
} from "./_helpers.ts";

/** The spec, kept in the repository so that a clone checks against it. */
const SPEC = await Deno.readTextFile(
  new URL("./fixtures/http_server_article.txt", import.meta.url),
);
const DENO = `Deno/${Deno.version.deno}`;
const DATE = String
  .raw`(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT`;

const HAVE_CURL = (await curl_version()) !== null;

/** What the spec shows for `! <command>`, up to the next cell or section. */
function spec_output(command: string): string {
  const start = SPEC.indexOf(`! ${command}\n\n`);
  assert(start !== -1, `the spec runs ${command}`);
  const from = start + command.length + 4;
  const ends = ["\n\nIn [", "\n\n## "].map((e) => SPEC.indexOf(e, from));
  return SPEC.slice(from, Math.min(...ends.filter((i) => i !== -1)));
}

/**
 * A response as curl prints it, with what differs between runs and
 * implementations (dates, ports, Python's or Deno's version) replaced.
 */
function comparable(text: string): string {
  return text.replaceAll("\r\n", "\n")
    .replaceAll(new RegExp(DATE, "g"), "DATE")
    .replaceAll(/Python\/3\.5\.1|Deno\/\d+\.\d+\.\d+/g, "VERSION")
    .replaceAll(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT")
    .replaceAll(/\('127\.0\.0\.1', \d+\)/g, "('127.0.0.1', PORT)");
}

/** Fetches like curl -i: the status line, headers as sent, a blank line, the body. */
async function raw_get(
  port: number,
  target: string,
  extra_headers = "",
): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: curl/7.51.0\r\nAccept: */*\r\n${extra_headers}\r\n`,
  ));
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    chunks.push(buf.slice(0, n));
  }
  conn.close();
  return new TextDecoder().decode(
    new Uint8Array(chunks.flatMap((c) => [...c])),
  );
}

// deno-lint-ignore no-explicit-any
function quiet<T extends new (...a: any[]) => BaseHTTPRequestHandler>(
  Base: T,
): T {
  return class extends Base {
    override log_message(): void {}
  };
}

/** Asserts that `text` matches `lines`: strings exactly, RegExps as patterns. */
function assertLines(text: string, lines: (string | RegExp)[]): void {
  const got = text.split("\r\n");
  assertEquals(
    got.length,
    lines.length,
    `line count of ${JSON.stringify(text)}`,
  );
  lines.forEach((want, i) => {
    if (typeof want === "string") assertEquals(got[i], want, `line ${i}`);
    else assertMatch(got[i]!, want, `line ${i}`);
  });
}

Deno.test("examples/get.ts answers as the spec shows", async () => {
  await using server = new HTTPServer(["127.0.0.1", 0], quiet(GetHandler));
  server.serve_forever();
  const port = server.server_port;
  assertEquals(
    comparable(await raw_get(port, "/")),
    comparable(spec_output("curl -i http://127.0.0.1:8080/")),
  );
  const text = await raw_get(port, "/?foo=bar");
  assertLines(text, [
    "HTTP/1.0 200 OK",
    `Server: BaseHTTP/0.6 ${DENO}`,
    new RegExp(`^Date: ${DATE}$`),
    "Content-Type: text/plain; charset=utf-8",
    "",
    "CLIENT VALUES:",
    /^client_address=\('127\.0\.0\.1', \d+\) \(127\.0\.0\.1\)$/,
    "command=GET",
    "path=/?foo=bar",
    "real path=/",
    "query=foo=bar",
    "request_version=HTTP/1.1",
    "",
    "SERVER VALUES:",
    "server_version=BaseHTTP/0.6",
    `sys_version=${DENO}`,
    "protocol_version=HTTP/1.0",
    "",
    "HEADERS RECEIVED:",
    "Accept=*/*",
    `Host=127.0.0.1:${port}`,
    "User-Agent=curl/7.51.0",
    "",
  ]);
});

Deno.test("examples/get.ts prints headers as Python's sorted(items()): by name, then value", async () => {
  await using server = new HTTPServer(["127.0.0.1", 0], quiet(GetHandler));
  server.serve_forever();
  const port = server.server_port;
  const text = await raw_get(
    port,
    "/",
    "X-B: 2\r\nX-A: z\r\nX-B: 1\r\nX-A: a\r\n",
  );
  const lines = text.split(/\r?\n/);
  const start = lines.indexOf("HEADERS RECEIVED:") + 1;
  const headers = lines.slice(start, lines.indexOf("", start)).join("\n");
  assertEquals(
    headers,
    [
      "Accept=*/*",
      `Host=127.0.0.1:${port}`,
      "User-Agent=curl/7.51.0",
      "X-A=a",
      "X-A=z",
      "X-B=1",
      "X-B=2",
    ].join("\n"),
  );
});

Deno.test("examples/get.ts answers curl's POST with the spec's 501", async () => {
  await using server = new HTTPServer(["127.0.0.1", 0], quiet(GetHandler));
  server.serve_forever();
  const port = server.server_port;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(
    `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 10\r\n\r\nname=alvin`,
  ));
  const text = await new Response(conn.readable).text();
  const [head, body] = text.split("\r\n\r\n") as [string, string];
  assertLines(head, [
    "HTTP/1.0 501 Unsupported method ('POST')",
    `Server: BaseHTTP/0.6 ${DENO}`,
    new RegExp(`^Date: ${DATE}$`),
    "Content-Type: text/html;charset=utf-8",
    "Connection: close",
    `Content-Length: ${body.length}`,
  ]);
  assert(body.includes("<p>Message: Unsupported method ('POST').</p>"));
  assert(
    body.includes(
      "<p>Error code explanation: 501 - Server does not support this operation.</p>",
    ),
  );
});

Deno.test("examples/errors.ts answers as the spec shows, byte for byte", async () => {
  await using server = new HTTPServer(["127.0.0.1", 0], quiet(ErrorHandler));
  server.serve_forever();
  const text = await raw_get(server.server_port, "/");
  const page = error_page(404, "Not Found", "Nothing matches the given URI");
  assert(SPEC.includes(page), "the page is the spec's");
  assertEquals(
    comparable(text),
    comparable(spec_output("curl -i http://127.0.0.1:8084/")),
  );
  assertEquals(
    text.replace(new RegExp(`Date: ${DATE}`), "Date: D"),
    `HTTP/1.0 404 Not Found\r\nServer: BaseHTTP/0.6 ${DENO}\r\nDate: D\r\n` +
      "Content-Type: text/html;charset=utf-8\r\nConnection: close\r\nContent-Length: 447\r\n\r\n" +
      page,
  );
});

Deno.test("examples/headers.ts sends Last-Modified as an IMF-fixdate", async () => {
  await using server = new HTTPServer(["127.0.0.1", 0], quiet(HeadersHandler));
  server.serve_forever();
  const text = await raw_get(server.server_port, "/");
  assertEquals(
    comparable(text),
    comparable(spec_output("curl -i http://127.0.0.1:8085/")),
  );
  assertLines(text, [
    "HTTP/1.0 200 OK",
    `Server: BaseHTTP/0.6 ${DENO}`,
    new RegExp(`^Date: ${DATE}$`),
    "Content-Type: text/plain; charset=utf-8",
    new RegExp(`^Last-Modified: ${DATE}$`),
    "",
    "Response body\n",
  ]);
});

Deno.test("examples/threads.ts names each connection's task in turn", async () => {
  await using server = new ThreadedHTTPServer(
    ["127.0.0.1", 0],
    quiet(ThreadsHandler),
  );
  server.serve_forever();
  const url = `http://127.0.0.1:${server.server_port}/`;
  const names = [];
  for (let i = 0; i < 3; i++) names.push(await (await fetch(url)).text());
  const n = Number(/^Thread-(\d+)\n$/.exec(names[0]!)?.[1]);
  assertEquals(names, [
    `Thread-${n}\n`,
    `Thread-${n + 1}\n`,
    `Thread-${n + 2}\n`,
  ]);
});

/**
 * Runs an example as a script on port 0 and waits for its banner; the
 * example prints no port, so it is read from the process's socket.
 */
async function run_example(
  args: string[],
  cwd = ROOT,
): Promise<Spawned & { port: number }> {
  const running = await spawn_server([...args, "0"], { cwd });
  running.port = await listening_port(running.child.pid);
  return running;
}

Deno.test({
  name:
    "examples/get.ts runs as a script, answers curl, and exits cleanly on Ctrl-C",
  ignore: !HAVE_CURL,
  async fn() {
    await using running = await run_example([
      "run",
      "--allow-net",
      "examples/get.ts",
    ]);
    const port = running.port;
    assertEquals(running.banner, "Starting server, use <Ctrl-C> to stop");
    const text = (await curl("-i", `http://127.0.0.1:${port}/?foo=bar`)).stdout;
    assertMatch(text, /^HTTP\/1\.0 200 OK\r\n/);
    assert(text.includes("\r\nquery=foo=bar\r\n"));
    const status = await running.stop();
    assertEquals(status.code, 0);
  },
});

/** Serves the repository's files, TypeScript as Deno expects it. */
class RepoFiles extends BaseHTTPRequestHandler {
  override log_message(): void {}
  async do_GET(): Promise<void> {
    const path = new URL(this.path, "http://x").pathname;
    let data: Uint8Array;
    try {
      if (path.includes("..")) throw new Error("outside");
      data = await Deno.readFile(ROOT + path.slice(1));
    } catch {
      this.send_error(404);
      return;
    }
    this.send_response(200);
    this.send_header("Content-Type", "application/typescript; charset=utf-8");
    this.send_header("Content-Length", data.length);
    this.end_headers();
    await this.wfile.write(data);
  }
}

Deno.test("examples/get.ts runs by URL", async () => {
  await using files = new HTTPServer(["127.0.0.1", 0], RepoFiles);
  files.serve_forever();
  const host = `127.0.0.1:${files.server_port}`;
  const cwd = await Deno.makeTempDir();
  try {
    await using running = await run_example(
      ["run", "--allow-net", `http://${host}/examples/get.ts`],
      cwd,
    );
    try {
      assertEquals(running.banner, "Starting server, use <Ctrl-C> to stop");
      const res = await fetch(`http://127.0.0.1:${running.port}/?foo=bar`);
      assertEquals(res.status, 200);
      assert((await res.text()).includes("\r\nquery=foo=bar\r\n"));
    } finally {
      assertEquals((await running.stop()).code, 0);
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("mod.ts imports by URL from a script outside the repository", async () => {
  await using files = new HTTPServer(["127.0.0.1", 0], RepoFiles);
  files.serve_forever();
  const host = `127.0.0.1:${files.server_port}`;
  const cwd = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${cwd}/main.ts`,
      `import { BaseHTTPRequestHandler, HTTPServer } from "http://${host}/mod.ts";
class H extends BaseHTTPRequestHandler {
  async do_GET() {
    this.send_response(200);
    this.end_headers();
    await this.wfile.write("by URL");
  }
  override log_message() {}
}
await using server = new HTTPServer(["127.0.0.1", 0], H);
server.serve_forever();
console.log(await (await fetch("http://127.0.0.1:" + server.server_port + "/")).text());
`,
    );
    // A local script needs --allow-import for a host outside Deno's
    // default list; a main module run by URL may import from its own host.
    const out = await run_deno(
      ["run", "--allow-net", `--allow-import=${host}`, "main.ts"],
      cwd,
    );
    // Deno reports each module it downloads; nothing else may appear.
    assertEquals(
      out.stderr.split("\n").filter((l) => l && !l.startsWith("Download ")),
      [],
    );
    assertEquals(out.stdout, "by URL\n");
    assertEquals(out.code, 0);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
