/**
 * The command line's file server options as a user runs them, over real
 * sockets: -H/--header, --content-type, --no-cache, --compress (with
 * `curl --compressed`), --tls-password-file, --spa, --error-page, and the
 * JSON listing with `curl -H 'Accept: application/json'`.
 */

import { assert, assertEquals, assertMatch } from "./_assert.ts";
import {
  curl,
  curl_version,
  exchange,
  run_deno,
  spawn_server,
  type Spawned,
} from "./_helpers.ts";
import {
  dechunk,
  decode,
  header,
  type Response1,
  some_js,
  split_bytes,
  temp_dir,
} from "./_static_helpers.ts";
import { HAVE_OPENSSL, make_certificate } from "./_tls.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SCRIPT = `${ROOT}http_server.ts`;
const decoder = new TextDecoder();
const HAVE_CURL = (await curl_version()) !== null;

/** `deno task serve`'s own flags, from deno.json. */
const TASK_FLAGS: string[] = (() => {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words = String(config.tasks.serve).split(/\s+/);
  return words.slice(2, -1);
})();

function start(...args: string[]): Promise<Spawned> {
  return spawn_server([
    "run",
    ...TASK_FLAGS,
    SCRIPT,
    "-b",
    "127.0.0.1",
    "0",
    ...args,
  ]);
}

async function stop(running: Spawned): Promise<number> {
  running.child.kill("SIGINT");
  return (await running.child.status).code;
}

/** One HTTP/1.1 request with Connection: close. */
async function get(
  port: number,
  target: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<Response1> {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  const res = await exchange(
    port,
    `${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${lines}\r\n`,
  );
  return split_bytes(res.bytes);
}

Deno.test("main() adds -H/--header values and --no-cache to every response, 404s included", async () => {
  await using dir = await temp_dir();
  await Deno.writeTextFile(`${dir.path}/a.txt`, "A");
  await using running = await start(
    "-d",
    dir.path,
    "-H",
    "Cross-Origin-Opener-Policy: same-origin",
    "--header=Cross-Origin-Embedder-Policy:require-corp",
    "-H",
    "X-Twice: 1",
    "-H",
    "X-Twice: 2",
    "--no-cache",
  );
  const expected = [
    "Cross-Origin-Opener-Policy: same-origin",
    "Cross-Origin-Embedder-Policy: require-corp",
    "X-Twice: 1",
    "X-Twice: 2",
    "Cache-Control: no-store",
  ];
  for (const target of ["/a.txt", "/", "/missing"]) {
    const res = await get(running.port, target);
    const tail = res.headers.filter((h) => !h.startsWith("Connection:"))
      .slice(-expected.length);
    assertEquals(tail, expected, target);
  }
  assertEquals(await stop(running), 0);
});

Deno.test("main() refuses an invalid -H with a usage error, exit 2", async () => {
  for (const bad of ["NoColon", "Bad Name: x", "X-A: a\rb"]) {
    const out = await run_deno(["run", ...TASK_FLAGS, SCRIPT, "-H", bad]);
    assertEquals(out.code, 2, bad);
    assertMatch(out.stderr, /^usage: http_server\.ts /);
    assertMatch(
      out.stderr,
      /\nhttp_server\.ts: error: argument -H\/--header: /,
    );
  }
});

Deno.test("main() serves unknown extensions with --content-type", async () => {
  await using dir = await temp_dir();
  await Deno.writeTextFile(`${dir.path}/notes.unknownext`, "x");
  await Deno.writeTextFile(`${dir.path}/README`, "x");
  await Deno.writeTextFile(`${dir.path}/a.png`, "x");
  await using running = await start(
    "-d",
    dir.path,
    "--content-type",
    "text/plain; charset=utf-8",
  );
  assertEquals(
    header(await get(running.port, "/notes.unknownext"), "Content-type"),
    "text/plain; charset=utf-8",
  );
  assertEquals(
    header(await get(running.port, "/README"), "Content-type"),
    "text/plain; charset=utf-8",
  );
  assertEquals(
    header(await get(running.port, "/a.png"), "Content-type"),
    "image/png",
  );
  assertEquals(await stop(running), 0);
  // Without it: Python's application/octet-stream.
  await using plain = await start("-d", dir.path);
  assertEquals(
    header(await get(plain.port, "/README"), "Content-type"),
    "application/octet-stream",
  );
  assertEquals(await stop(plain), 0);
});

Deno.test("main() with --compress gzips for curl --compressed, and sends identity without it", async () => {
  await using dir = await temp_dir();
  const js = some_js(100_000);
  await Deno.writeTextFile(`${dir.path}/app.js`, js);
  await using running = await start("-d", dir.path, "--compress");
  const res = await get(running.port, "/app.js", { "Accept-Encoding": "gzip" });
  assertEquals(header(res, "Content-Encoding"), "gzip");
  assertEquals(header(res, "Transfer-Encoding"), "chunked");
  assertEquals(header(res, "Vary"), "Accept-Encoding");
  assertEquals(decoder.decode(decode("gzip", dechunk(res.body))), js);
  if (HAVE_CURL) {
    const url = `http://127.0.0.1:${running.port}/app.js`;
    const compressed = await curl("--compressed", "-D", "-", url);
    assertEquals(compressed.code, 0, compressed.stderr);
    assertMatch(compressed.stdout, /\r\nContent-Encoding: gzip\r\n/);
    assert(compressed.stdout.endsWith(`\r\n\r\n${js}`));
    const identity = await curl("-D", "-", url);
    assert(!identity.stdout.includes("Content-Encoding"), identity.stdout);
    assertMatch(
      identity.stdout,
      new RegExp(`\r\nContent-Length: ${js.length}\r\n`),
    );
  }
  assertEquals(await stop(running), 0);
});

Deno.test({
  name:
    "main() serves HTTPS with an encrypted --tls-key and --tls-password-file",
  ignore: !HAVE_OPENSSL,
  async fn() {
    await using dir = await temp_dir();
    const d = dir.path;
    const openssl = (args: string[]) =>
      new Deno.Command("openssl", {
        args,
        cwd: d,
        stdout: "null",
        stderr: "null",
      }).output();
    await make_certificate(d, "plain.pem");
    await Deno.writeTextFile(`${d}/pass.txt`, "correct horse\n");
    assert(
      (await openssl([
        "pkcs8",
        "-topk8",
        "-in",
        "plain.pem",
        "-out",
        "k.pem",
        "-v2",
        "aes-256-cbc",
        "-passout",
        "file:pass.txt",
      ])).success,
      "openssl pkcs8 failed",
    );
    assertMatch(
      await Deno.readTextFile(`${d}/k.pem`),
      /^-----BEGIN ENCRYPTED PRIVATE KEY-----/,
    );
    await Deno.writeTextFile(`${d}/hello.txt`, "over TLS, decrypted");
    await using running = await start(
      "-d",
      d,
      "--tls-cert",
      `${d}/c.pem`,
      "--tls-key",
      `${d}/k.pem`,
      "--tls-password-file",
      `${d}/pass.txt`,
    );
    assertMatch(running.banner, /^Serving HTTPS on 127\.0\.0\.1 port \d+ /);
    using client = Deno.createHttpClient({
      caCerts: [await Deno.readTextFile(`${d}/c.pem`)],
    });
    const res = await fetch(`https://localhost:${running.port}/hello.txt`, {
      client,
    });
    assertEquals(res.status, 200);
    assertEquals(await res.text(), "over TLS, decrypted");
    assertEquals(await stop(running), 0);
    // A wrong password: one line, exit 1.
    await Deno.writeTextFile(`${d}/wrong.txt`, "wrong");
    const out = await run_deno([
      "run",
      ...TASK_FLAGS,
      SCRIPT,
      "0",
      "-d",
      d,
      "--tls-cert",
      `${d}/c.pem`,
      "--tls-key",
      `${d}/k.pem`,
      "--tls-password-file",
      `${d}/wrong.txt`,
    ]);
    assertEquals(out.code, 1);
    assertMatch(
      out.stderr,
      /^http_server\.ts: error: cannot use the certificate or key: cannot decrypt the key: .+\n$/,
    );
  },
});

Deno.test("main() with --spa answers a browser's missing route with index.html; --error-page serves 404.html", async () => {
  await using dir = await temp_dir();
  await Deno.writeTextFile(`${dir.path}/index.html`, "<p>app</p>");
  await Deno.writeTextFile(`${dir.path}/404.html`, "<p>lost</p>");
  const browser = { Accept: "text/html,*/*;q=0.8" };
  await using spa = await start("-d", dir.path, "--spa");
  const route = await get(spa.port, "/some/route", browser);
  assertMatch(route.status, /^HTTP\/1\.1 200 OK$/);
  assertEquals(decoder.decode(route.body), "<p>app</p>");
  const script = await get(spa.port, "/some/route.js");
  assertMatch(script.status, /^HTTP\/1\.1 404 /);
  assertEquals(await stop(spa), 0);
  await using pages = await start("-d", dir.path, "--error-page");
  const lost = await get(pages.port, "/nope", browser);
  assertEquals(lost.status, "HTTP/1.1 404 File not found");
  assertEquals(decoder.decode(lost.body), "<p>lost</p>");
  assertEquals(await stop(pages), 0);
  // Plain serve: Python's page, 404.html or not.
  await using plain = await start("-d", dir.path);
  const python = await get(plain.port, "/nope", browser);
  assert(decoder.decode(python.body).includes("<p>Error code: 404</p>"));
  assertEquals(await stop(plain), 0);
});

Deno.test({
  name: "main() answers curl -H 'Accept: application/json' with a JSON listing",
  ignore: !HAVE_CURL,
  async fn() {
    await using dir = await temp_dir();
    await Deno.writeTextFile(`${dir.path}/a.txt`, "abc");
    await using running = await start("-d", dir.path);
    const out = await curl(
      "-H",
      "Accept: application/json",
      `http://127.0.0.1:${running.port}/`,
    );
    const [entry] = JSON.parse(out.stdout);
    assertEquals([entry.name, entry.type, entry.size], ["a.txt", "file", 3]);
    assertEquals(typeof entry.mtime, "number");
    assertEquals(await stop(running), 0);
  },
});
