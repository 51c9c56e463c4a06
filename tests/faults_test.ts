/**
 * Faults: handlers that hang, or write to a connection that is gone;
 * clients that vanish mid-download; files that cannot be served; a disk that
 * fills while an upload is spooled; no file descriptors left; SIGTERM with
 * responses under way.
 */

import { SimpleHTTPRequestHandler } from "../http_server.ts";
import { FieldFile, FieldStorage } from "../cgi.ts";
import { PostHandler } from "../examples/post.ts";
import { percent_format } from "../_common/pyformat.ts";
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import {
  exchange,
  QuietHandler,
  RawClient,
  recorder_of,
  serve,
  spawn_server,
  type Spawned,
  split_response,
  tiny_disk,
  wait_for,
} from "./_helpers.ts";

/** The open file descriptors of a process (listed by `ls`: reading /proc needs --allow-all). */
async function fd_count(pid: number): Promise<number> {
  const ls = await new Deno.Command("ls", { args: [`/proc/${pid}/fd`] })
    .output();
  return new TextDecoder().decode(ls.stdout).trim().split("\n").length;
}

/**
 * Reads a response with a Content-Length body to its end, counting bytes
 * rather than keeping them; resolves to [head, body length, closed after].
 * `first` is what was read of it already.
 */
async function read_counted(
  conn: Deno.Conn,
  timeout_ms: number,
  first?: Uint8Array,
): Promise<[string, number, boolean]> {
  const buf = new Uint8Array(256 * 1024);
  let head = "";
  let body = 0;
  let length = -1;
  const timer = setTimeout(() => conn.close(), timeout_ms);
  try {
    for (let chunk = first;; chunk = undefined) {
      const n = chunk
        ? (buf.set(chunk), chunk.length)
        : await conn.read(buf).catch(() => null);
      if (n === null) return [head, body, true];
      if (length < 0) {
        head += new TextDecoder("latin1").decode(buf.subarray(0, n));
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) continue;
        body = head.length - end - 4;
        head = head.slice(0, end);
        length = Number(/Content-Length: (\d+)/.exec(head)?.[1]);
      } else {
        body += n;
      }
      if (body >= length) {
        const eof = await conn.read(buf).catch(() => null);
        return [head, body, eof === null];
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("BaseHTTPRequestHandler.request_timeout answers a hung handler with 503, logs it once, and the server keeps serving", async () => {
  const release = Promise.withResolvers<void>();
  const late_write = Promise.withResolvers<string>();
  class Hangs extends QuietHandler {
    override request_timeout = 0.2;
    async do_GET(): Promise<void> {
      if (this.path === "/hang") {
        await release.promise;
        // Writes after the server gave up on it: they fail quietly.
        this.send_response(200);
        this.end_headers();
        try {
          await this.wfile.write("late");
          await this.wfile.flush();
          late_write.resolve("written");
        } catch (err) {
          late_write.resolve((err as Error).name);
        }
        return;
      }
      this.send_response(204);
      this.end_headers();
    }
  }
  // HTTPServer serves one connection at a time: a hung handler would stop it.
  await using s = serve(Hangs, { threading: false });
  const hung = await exchange(s, "GET /hang HTTP/1.0\r\n\r\n");
  assertEquals(hung.closed, true);
  assertEquals(
    split_response(hung.text).status,
    "HTTP/1.0 503 Service Unavailable",
  );
  const ok = await exchange(s, "GET /ok HTTP/1.0\r\n\r\n");
  assertEquals(split_response(ok.text).status, "HTTP/1.0 204 No Content");
  assertEquals(
    s.logs.filter((l) => l.includes("did not finish")),
    ["do_GET() did not finish within 0.2 seconds"],
  );
  assertEquals(s.errors, []);
  release.resolve();
  assertEquals(await late_write.promise, "BrokenPipe");
});

Deno.test("BaseHTTPRequestHandler.request_timeout closes a hung handler's connection without a 503 once its response started", async () => {
  const release = Promise.withResolvers<void>();
  class Streams extends QuietHandler {
    override request_timeout = 0.2;
    async do_GET(): Promise<void> {
      this.send_response(200);
      this.end_headers();
      await this.wfile.write("partial");
      await this.wfile.flush();
      await release.promise;
    }
  }
  await using s = serve(Streams);
  const r = await exchange(s, "GET / HTTP/1.0\r\n\r\n");
  release.resolve();
  assertEquals(r.closed, true);
  assertEquals(split_response(r.text).status, "HTTP/1.0 200 OK");
  assertEquals(split_response(r.text).body, "partial");
  assertEquals(s.logs.filter((l) => l.includes("did not finish")).length, 1);
  assertEquals(s.errors, []);
});

Deno.test("BaseHTTPRequestHandler logs a handler that writes to a closed connection once and serves the next client", async () => {
  class Firehose extends QuietHandler {
    async do_GET(): Promise<void> {
      this.send_response(200);
      this.end_headers();
      if (this.path === "/small") return void await this.wfile.write("ok");
      const chunk = new Uint8Array(64 * 1024).fill(0x78);
      for (let i = 0; i < 10_000; i++) await this.wfile.write(chunk);
    }
  }
  await using s = serve(Firehose);
  {
    await using client = await RawClient.connect(s);
    await client.write("GET / HTTP/1.0\r\n\r\n");
    assert(await client.read_until((t) => t.length > 100_000));
  }
  // Wait for the server to notice.
  await wait_for(() => s.logs.some((l) => l.startsWith("Client")));
  const disconnects = s.logs.filter((l) => l.startsWith("Client disconnected"));
  assertEquals(disconnects.length, 1, String(s.logs));
  assertEquals(s.errors, []);
  const next = await exchange(s, "GET /small HTTP/1.0\r\n\r\n");
  assertEquals(split_response(next.text).body, "ok");
});

Deno.test("SimpleHTTPRequestHandler survives downloads abandoned midway, leaks no file descriptor, and serves the file whole after", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faults_" });
  const size = 8 * 1024 * 1024;
  await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(size).fill(0x61));
  // In a subprocess, whose descriptors no other test file opens or closes.
  const cli = await start_cli(dir);
  const enc = new TextEncoder();
  const download = async (abandon: boolean): Promise<number> => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: cli.port });
    await conn.write(
      enc.encode(
        "GET /big.bin HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
      ),
    );
    if (abandon) {
      await conn.read(new Uint8Array(64 * 1024));
      conn.close();
      return 0;
    }
    const [, body] = await read_counted(conn, 5000);
    conn.close();
    return body;
  };
  try {
    // Counted before any request: serving a file leaves no descriptor open.
    const before = await fd_count(cli.child.pid);
    assertEquals(await download(false), size);
    for (let i = 0; i < 5; i++) await download(true);
    assertEquals(await download(false), size);
    // The server notices each abandoned download when its next write fails,
    // and closes a finished one after the client's close: poll for the count.
    let after = NaN;
    await wait_for(async () =>
      (after = await fd_count(cli.child.pid)) === before
    );
    assertEquals(after, before);
  } finally {
    cli.child.kill("SIGTERM");
    const exit = await cli.child.status;
    await cli.stdout;
    const stderr = await cli.stderr;
    await Deno.remove(dir, { recursive: true });
    assertEquals(exit.code, 0);
    assertEquals(stderr.match(/Client disconnected/g)?.length, 5, stderr);
    assertEquals(stderr.includes("Exception occurred"), false);
  }
});

Deno.test("SimpleHTTPRequestHandler answers 404 for a FIFO and a dangling symlink, without blocking the server", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faults_" });
  const mkfifo = await new Deno.Command("mkfifo", { args: [`${dir}/pipe`] })
    .output();
  assert(mkfifo.success, "mkfifo failed");
  await Deno.symlink(`${dir}/missing`, `${dir}/dangling`);
  await Deno.writeTextFile(`${dir}/ok.txt`, "ok");
  // In a subprocess: opening the FIFO blocked the whole process.
  const cli = await start_cli(dir);
  try {
    for (const name of ["pipe", "dangling"]) {
      const r = await exchange(
        cli.port,
        `GET /${name} HTTP/1.0\r\n\r\n`,
        { timeout_ms: 2000 },
      );
      assertEquals(r.text.split("\r\n")[0], "HTTP/1.1 404 File not found");
    }
    const r = await exchange(cli.port, "GET /ok.txt HTTP/1.0\r\n\r\n", {
      timeout_ms: 2000,
    });
    assertEquals(r.text.split("\r\n\r\n")[1], "ok");
  } finally {
    cli.child.kill("SIGKILL");
    await cli.child.status;
    await cli.stdout;
    await cli.stderr;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SimpleHTTPRequestHandler closes the connection after a file that shrinks while it is sent, and keeps serving", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faults_" });
  // 64 MiB, sparse: more than the socket buffers hold, so that the file
  // shrinks while the response is being sent.
  const size = 64 * 1024 * 1024;
  await Deno.writeFile(`${dir}/shrinks.bin`, new Uint8Array(0));
  await Deno.truncate(`${dir}/shrinks.bin`, size);
  class Files extends SimpleHTTPRequestHandler {
    override protocol_version = "HTTP/1.1";
    override directory = dir;
    override log_message(format: string, ...args: unknown[]): void {
      recorder_of(this.server).logs.push(percent_format(format, args));
    }
  }
  try {
    await using s = serve(Files);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    await conn.write(
      new TextEncoder().encode("GET /shrinks.bin HTTP/1.1\r\nHost: a\r\n\r\n"),
    );
    // The file shrinks once the response has started.
    await wait_for(() => s.logs.some((l) => l.includes('" 200')));
    await Deno.truncate(`${dir}/shrinks.bin`, 1000);
    const [head, body, closed] = await read_counted(conn, 5000);
    conn.close();
    assertMatch(head, new RegExp(`\r\nContent-Length: ${size}\r\n`));
    assert(body < size, `got all ${body} bytes`);
    assertEquals(closed, true);
    assertEquals(
      s.logs.filter((l) => l.includes("Content-Length said")).length,
      1,
    );
    assertEquals(s.errors, []);
    const r = await exchange(
      s,
      "GET /shrinks.bin HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assertEquals(split_response(r.text).body.length, 1000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PostHandler.do_POST() answers 500 when the disk fills while an upload is spooled, and leaves no partial file", async () => {
  const disk = await tiny_disk();
  const dir = disk ?? await Deno.makeTempDir({ prefix: "faults_" });
  const spooled: string[] = [];
  class Spool extends FieldStorage {
    override async make_file(): Promise<FieldFile> {
      const path = await Deno.makeTempFile({ dir, prefix: "cgi_" });
      spooled.push(path);
      // Without a tmpfs, writes to /dev/full fail as a full disk does.
      const file = await Deno.open(disk ? path : "/dev/full", {
        read: true,
        write: true,
      });
      return new FieldFile({ file, path, remove: true });
    }
  }
  class Handler extends PostHandler {
    override form_class = Spool;
    override log_message(format: string, ...args: unknown[]): void {
      recorder_of(this.server).logs.push(percent_format(format, args));
    }
  }
  try {
    await using s = serve(Handler);
    const form = new FormData();
    form.append("a", "1");
    form.append("upload", new File([new Uint8Array(1024 * 1024)], "big.bin"));
    const res = await fetch(`http://127.0.0.1:${s.port}/`, {
      method: "POST",
      body: form,
    });
    assertEquals(res.status, 500);
    await res.body?.cancel();
    assertEquals(spooled.length, 1);
    assertEquals([...Deno.readDirSync(dir)], []);
    assertEquals(s.errors.length, 1);
    assertEquals((s.errors[0] as Error).message.includes("os error 28"), true);
    const ok = new FormData();
    ok.append("a", "1");
    const next = await fetch(`http://127.0.0.1:${s.port}/`, {
      method: "POST",
      body: ok,
    });
    assertEquals(next.status, 200);
    await next.body?.cancel();
  } finally {
    if (disk) {
      await new Deno.Command("umount", { args: [disk] }).output();
    }
    await Deno.remove(dir, { recursive: true });
  }
});

/** The command line in a subprocess, under `ulimit -n` when given. */
function start_cli(dir: string, nofile?: number): Promise<Spawned> {
  return spawn_server([
    "run",
    "--allow-net",
    "--allow-read",
    "--allow-env",
    "http_server.ts",
    "0",
    "-b",
    "127.0.0.1",
    "-d",
    dir,
    "-p",
    "HTTP/1.1",
  ], { nofile });
}

Deno.test("HTTPServer.serve_forever() backs off while file descriptors are exhausted and serves again when they are back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faults_" });
  await Deno.writeTextFile(`${dir}/ok.txt`, "ok");
  const cli = await start_cli(dir, 64);
  const clients: RawClient[] = [];
  try {
    // More clients than descriptors: each holds an unfinished request.
    for (let i = 0; i < 80; i++) {
      const c = await RawClient.connect(cli.port);
      await c.write("GET /ok.txt HTTP/1.1\r\n");
      clients.push(c);
    }
    // The server runs out of descriptors and says so.
    assert(
      await wait_for(() => cli.stderr_so_far.includes("os error 24"), 10_000),
      cli.stderr_so_far,
    );
    for (const c of clients) await c.close();
    clients.length = 0;
    // It serves again once its back-off has passed.
    let status = "";
    await wait_for(async () => {
      const r = await exchange(
        cli.port,
        "GET /ok.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        { timeout_ms: 2000 },
      );
      status = r.text.split("\r\n")[0] ?? "";
      return status !== "";
    }, 10_000);
    assertEquals(status, "HTTP/1.1 200 OK");
  } finally {
    for (const c of clients) await c.close();
    cli.child.kill("SIGTERM");
    const exit = await cli.child.status;
    await cli.stdout;
    const stderr = await cli.stderr;
    await Deno.remove(dir, { recursive: true });
    assertEquals(exit.code, 0);
    assertMatch(
      stderr,
      /Error accepting a connection \(retrying in \d+ ms\): .*os error 24/,
    );
  }
});

Deno.test("http_server.ts on SIGTERM finishes the downloads under way, refuses new ones and exits 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "faults_" });
  const size = 16 * 1024 * 1024;
  await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(size).fill(0x62));
  const cli = await start_cli(dir);
  try {
    const clients = await Promise.all(
      [0, 1, 2].map(() =>
        Deno.connect({ hostname: "127.0.0.1", port: cli.port })
      ),
    );
    const enc = new TextEncoder();
    for (const c of clients) {
      await c.write(enc.encode("GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n"));
    }
    // The responses have started (their first bytes are here, most of the
    // file not yet read) when the signal comes.
    const firsts = await Promise.all(clients.map(async (c) => {
      const buf = new Uint8Array(64 * 1024);
      const n = await c.read(buf);
      assert(n !== null, "a response starts");
      return buf.subarray(0, n);
    }));
    const started = Date.now();
    cli.child.kill("SIGTERM");
    // The server says it stops, then closes its listener while the
    // downloads go on.
    assert(
      await wait_for(() =>
        cli.stdout_so_far.includes("\nKeyboard interrupt received, exiting.\n")
      ),
      cli.stdout_so_far,
    );
    const results = await Promise.all(
      clients.map((c, i) => read_counted(c, 10_000, firsts[i])),
    );
    for (const c of clients) c.close();
    for (const [head, body, closed] of results) {
      assertMatch(head, /^HTTP\/1\.1 200 OK\r\n/);
      assertMatch(head, new RegExp(`\r\nContent-Length: ${size}\r\n`));
      assertEquals(body, size);
      assertEquals(closed, true);
    }
    const exit = await cli.child.status;
    assertEquals(exit.code, 0);
    assert(Date.now() - started < 8000, "exited after the shutdown bound");
    await Deno.connect({ hostname: "127.0.0.1", port: cli.port }).then(
      (c) => {
        c.close();
        throw new Error("still accepting");
      },
      (err) => assert(err instanceof Deno.errors.ConnectionRefused),
    );
  } finally {
    try {
      cli.child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await cli.child.status;
    await cli.stdout;
    await cli.stderr;
    await Deno.remove(dir, { recursive: true });
  }
});
