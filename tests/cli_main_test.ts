/**
 * The command line as a user runs it: `deno task serve` and `deno run` with
 * the task's permissions, in subprocesses. Python's banner, log lines and
 * goodbye; one-line errors; HTTPS; and a Deno script run by URL from the
 * served repository.
 */

import { USAGE } from "../_cli/args.ts";
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import {
  run_deno,
  type RunResult,
  spawn_server,
  type Spawned as Running,
} from "./_helpers.ts";
import { HAVE_OPENSSL, make_certificate } from "./_tls.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const SCRIPT = `${ROOT}http_server.ts`;
const decoder = new TextDecoder();

/** `deno task serve`'s own flags, from deno.json, so the test runs what users run. */
const TASK_FLAGS: string[] = (() => {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words = String(config.tasks.serve).split(/\s+/);
  assertEquals(words.slice(0, 2), ["deno", "run"]);
  assertEquals(words.at(-1), "http_server.ts");
  return words.slice(2, -1);
})();

const BANNER =
  /^Serving (HTTPS?) on (\S+) port (\d+) \((https?):\/\/(\S+):(\d+)\/\) \.\.\.$/;

/** Starts deno with `args` and waits for the banner. */
function start(args: string[], cwd = ROOT): Promise<Running> {
  return spawn_server(args, { cwd });
}

/** `deno run <task flags> http_server.ts args`. */
function serve_args(...args: string[]): string[] {
  return ["run", ...TASK_FLAGS, SCRIPT, ...args];
}

/** Runs the CLI to completion; for the error paths. */
function run_cli(...args: string[]): Promise<RunResult> {
  return run_deno(serve_args(...args));
}

/** Sends `signal` and returns the exit status. */
async function stop(
  running: Running,
  signal: Deno.Signal = "SIGINT",
): Promise<Deno.CommandStatus> {
  running.child.kill(signal);
  return await running.child.status;
}

/** One raw HTTP/1.1 request with Connection: close; the response as text. */
async function get(port: number, target: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode(
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    ),
  );
  let text = "";
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += decoder.decode(buf.subarray(0, n), { stream: true });
  }
  conn.close();
  return text;
}

async function temp_dir(): Promise<string & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "cli_main_test_" });
  return Object.assign(new String(dir) as string, {
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  }) as string & AsyncDisposable;
}

const LOG_PREFIX = String
  .raw`^127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4} \d{2}:\d{2}:\d{2}\] `;

Deno.test("main() under deno task serves the user's directory, prints Python's banner and log lines, and exits 0 on Ctrl-C", async () => {
  await using dir = await temp_dir();
  await Deno.writeTextFile(`${dir}/hello.txt`, "Hello from INIT_CWD\n");
  await using running = await start(
    ["task", "--config", `${ROOT}deno.json`, "serve", "0", "-b", "127.0.0.1"],
    String(dir),
  );
  const port = running.port;
  assertEquals(
    running.banner,
    `Serving HTTP on 127.0.0.1 port ${port} (http://127.0.0.1:${port}/) ...`,
  );
  const ok = await get(port, "/hello.txt");
  // -p defaults to HTTP/1.1 (Python's to HTTP/1.0).
  assertMatch(ok, /^HTTP\/1\.1 200 OK\r\n/);
  assert(ok.endsWith("\r\n\r\nHello from INIT_CWD\n"), ok);
  assertMatch(
    await get(port, "/missing"),
    /^HTTP\/1\.1 404 File not found\r\n/,
  );
  const status = await stop(running);
  assertEquals(status.code, 0);
  assertEquals(
    await running.stdout,
    `${running.banner}\n\nKeyboard interrupt received, exiting.\n`,
  );
  const log = (await running.stderr).split("\n").filter((l) =>
    !l.startsWith("Task serve")
  );
  assertEquals(log.length, 4, log.join("\n"));
  assertMatch(
    log[0]!,
    new RegExp(`${LOG_PREFIX}"GET /hello.txt HTTP/1.1" 200 -$`),
  );
  assertMatch(
    log[1]!,
    new RegExp(`${LOG_PREFIX}code 404, message File not found$`),
  );
  assertMatch(
    log[2]!,
    new RegExp(`${LOG_PREFIX}"GET /missing HTTP/1.1" 404 -$`),
  );
  assertEquals(log[3], "");
});

Deno.test("main() binds every address by default and exits 0 with Python's message on SIGTERM", async () => {
  await using dir = await temp_dir();
  await using running = await start(serve_args("0", "-d", String(dir)));
  const port = running.port;
  const [, , host] = BANNER.exec(running.banner)!;
  // Dual stack where the system has IPv6, as Python's DualStackServer.
  if (host === "::") {
    assertEquals(
      running.banner,
      `Serving HTTP on :: port ${port} (http://[::]:${port}/) ...`,
    );
  } else {
    assertEquals(
      running.banner,
      `Serving HTTP on 0.0.0.0 port ${port} (http://0.0.0.0:${port}/) ...`,
    );
  }
  assertMatch(await get(port, "/"), /^HTTP\/1\.1 200 OK\r\n/);
  const status = await stop(running, "SIGTERM");
  assertEquals(status.code, 0);
  assertEquals(
    await running.stdout,
    `${running.banner}\n\nKeyboard interrupt received, exiting.\n`,
  );
});

Deno.test("main() takes -d, -p HTTP/1.0 and --cors", async () => {
  await using dir = await temp_dir();
  await Deno.mkdir(`${dir}/site`);
  await Deno.writeTextFile(`${dir}/site/index.html`, "<p>site</p>");
  await using running = await start(
    serve_args(
      "--cors",
      "-p",
      "HTTP/1.0",
      "-b",
      "127.0.0.1",
      "0",
      "-d",
      `${dir}/site`,
    ),
  );
  const text = await get(running.port, "/");
  assertMatch(text, /^HTTP\/1\.0 200 OK\r\n/);
  assert(text.includes("\r\nAccess-Control-Allow-Origin: *\r\n"), text);
  assert(text.endsWith("\r\n\r\n<p>site</p>"), text);
  assertEquals((await stop(running)).code, 0);
});

Deno.test("main() reports a port in use, a missing directory and a bad certificate in one line, exit 1", async () => {
  await using dir = await temp_dir();
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const used = listener.addr.port;
  await Deno.writeTextFile(`${dir}/junk.pem`, "not a certificate\n");
  const cases: [string[], RegExp][] = [
    [
      [String(used), "-b", "127.0.0.1", "-d", String(dir)],
      new RegExp(`^http_server\\.ts: error: port ${used} is in use: .+\\n$`),
    ],
    [
      ["0", "-d", `${dir}/nowhere`],
      new RegExp(
        `^http_server\\.ts: error: no such directory: '${dir}/nowhere'\\n$`,
      ),
    ],
    [
      ["0", "-d", `${dir}/junk.pem`],
      new RegExp(
        `^http_server\\.ts: error: not a directory: '${dir}/junk.pem'\\n$`,
      ),
    ],
    [
      [
        "0",
        "-b",
        "127.0.0.1",
        "-d",
        String(dir),
        "--tls-cert",
        `${dir}/none.pem`,
        "--tls-key",
        `${dir}/none.pem`,
      ],
      /^http_server\.ts: error: cannot read the certificate or key: .*none\.pem.*\n$/,
    ],
    [
      [
        "0",
        "-b",
        "127.0.0.1",
        "-d",
        String(dir),
        "--tls-cert",
        `${dir}/junk.pem`,
        "--tls-key",
        `${dir}/junk.pem`,
      ],
      /^http_server\.ts: error: cannot use the certificate or key: .+\n$/,
    ],
    [
      ["0", "-b", "192.0.2.1", "-d", String(dir)], // TEST-NET-1: not ours
      /^http_server\.ts: error: cannot serve on 192\.0\.2\.1 port 0: .+\n$/,
    ],
  ];
  for (const [args, stderr] of cases) {
    const out = await run_cli(...args);
    assertEquals(out.code, 1, args.join(" "));
    assertEquals(out.stdout, "", args.join(" "));
    assertMatch(out.stderr, stderr, args.join(" "));
  }
});

Deno.test("main() answers usage errors as argparse (exit 2) and -h with the usage (exit 0)", async () => {
  const bad = await run_cli("--bogus");
  assertEquals(bad.code, 2);
  assertEquals(bad.stdout, "");
  assertEquals(
    bad.stderr,
    USAGE.split("\n\n", 1)[0] +
      "\nhttp_server.ts: error: unrecognized arguments: --bogus\n",
  );
  const help = await run_cli("-h");
  assertEquals(help.code, 0);
  assertEquals(help.stdout, USAGE.trimEnd() + "\n");
  assertEquals(help.stderr, "");
});

Deno.test({
  name: "main() serves HTTPS with --tls-cert and --tls-key",
  ignore: !HAVE_OPENSSL,
  async fn() {
    await using dir = await temp_dir();
    await make_certificate(String(dir));
    await Deno.writeTextFile(`${dir}/hello.txt`, "over TLS");
    await using running = await start(serve_args(
      "0",
      "-b",
      "127.0.0.1",
      "-d",
      String(dir),
      "--tls-cert",
      `${dir}/c.pem`,
      "--tls-key",
      `${dir}/k.pem`,
    ));
    const port = running.port;
    assertEquals(
      running.banner,
      `Serving HTTPS on 127.0.0.1 port ${port} (https://127.0.0.1:${port}/) ...`,
    );
    using client = Deno.createHttpClient({
      caCerts: [await Deno.readTextFile(`${dir}/c.pem`)],
    });
    const res = await fetch(`https://localhost:${port}/hello.txt`, { client });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/plain; charset=UTF-8");
    assertEquals(await res.text(), "over TLS");
    // Plain HTTP on the TLS port gets no HTTP answer, and one log line:
    // a client's mistake, not a traceback.
    const plain = await get(port, "/hello.txt").catch(() => "");
    assert(!plain.startsWith("HTTP/"), plain);
    assertEquals((await stop(running)).code, 0);
    const log = await running.stderr;
    assertMatch(log, /Cannot read a request: received corrupt message/);
    assertEquals(log.includes("Exception occurred"), false, log);
  },
});

Deno.test("main() serves the repository so that deno run http://.../examples/get.ts works", async () => {
  await using files = await start(
    serve_args("0", "-b", "127.0.0.1", "-d", ROOT),
  );
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port2 = l.addr.port;
  l.close();
  await using cwd = await temp_dir();
  await using example = await start(
    [
      "run",
      "--allow-net",
      `http://127.0.0.1:${files.port}/examples/get.ts`,
      String(port2),
    ],
    String(cwd),
  );
  assertEquals(example.banner, "Starting server, use <Ctrl-C> to stop");
  const res = await fetch(`http://127.0.0.1:${port2}/?foo=bar`);
  assertEquals(res.status, 200);
  assert((await res.text()).includes("\r\nquery=foo=bar\r\n"));
  assertEquals((await stop(example)).code, 0);
  assertEquals((await stop(files)).code, 0);
  // Deno fetched the example and every module it imports from us.
  const log = await files.stderr;
  assertMatch(log, /"GET \/examples\/get\.ts HTTP\/1\.1" 200 -/);
  assertMatch(log, /"GET \/mod\.ts HTTP\/1\.1" 200 -/);
});
