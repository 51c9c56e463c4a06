/**
 * One large upload (1 GiB by default) to four servers, each in a
 * subprocess, over a raw socket with Content-Length: `http_server.ts
 * --upload` by POST (multipart) and by PUT (raw body), `examples/post.ts`
 * (which spools the part and throws it away; here without its 64 MiB
 * limit: `bench/servers/post_unlimited.ts`), and a CPython 3.12
 * `http.server` handler that saves with `cgi.FieldStorage`
 * (`bench/servers/upload_saver.py`, what the `uploadserver` package does).
 * Prints throughput and RSS growth (peak minus RSS before), and the ratios.
 *
 *     deno run -A bench/upload_compare.ts [MiB]
 *
 * `PYENV_VERSION` defaults to 3.12.1 for the CPython peer.
 *
 * @module
 */

const MiB = 1024 * 1024;
const BOUNDARY = "------------------------6350146384064063";
const WRITE_SIZE = 256 * 1024;
const ROOT = new URL("..", import.meta.url).pathname;
const size = Number(Deno.args[0] ?? 1024) * MiB;
const encoder = new TextEncoder();

function memory(pid: number): { rss: number; hwm: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = (key: string) =>
    Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1]) * 1024;
  return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
}

const pattern = new Uint8Array(MiB);
for (let i = 0; i < pattern.length; i += 65536) {
  crypto.getRandomValues(pattern.subarray(i, i + 65536));
}
for (let i = 0; i < pattern.length; i += 4096) pattern.set([13, 10, 45, 45], i);

interface Target {
  name: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  method: "POST" | "PUT";
  /** How the process tells its port. */
  port: "banner" | "python";
}

async function write_all(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let done = 0; done < data.length;) {
    done += await conn.write(data.subarray(done));
  }
}

async function send(port: number, method: "POST" | "PUT"): Promise<string> {
  const head = method === "POST"
    ? encoder.encode(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n`,
    )
    : new Uint8Array(0);
  const tail = method === "POST"
    ? encoder.encode(`\r\n--${BOUNDARY}--\r\n`)
    : new Uint8Array(0);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await write_all(
    conn,
    encoder.encode(
      `${method} /${
        method === "PUT" ? "big.bin" : ""
      } HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Content-Length: ${
          head.length + size + tail.length
        }\r\nConnection: close\r\n` +
        (method === "POST"
          ? `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n`
          : "") +
        "\r\n",
    ),
  );
  await write_all(conn, head);
  for (let sent = 0; sent < size; sent += WRITE_SIZE) {
    const off = sent % MiB;
    await write_all(
      conn,
      pattern.subarray(off, off + Math.min(WRITE_SIZE, size - sent)),
    );
  }
  await write_all(conn, tail);
  return await new Response(conn.readable).text();
}

async function run(target: Target, dir: string) {
  const child = new Deno.Command(target.cmd, {
    args: target.args,
    cwd: ROOT,
    env: { NO_COLOR: "1", TMPDIR: dir, ...target.env },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let seen = "";
    while (!seen.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`${target.name} exited early`);
      seen += value;
    }
    const port = Number(/port (\d+)/.exec(seen)![1]);
    const before = memory(child.pid);
    let peak = before.rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, memory(child.pid).rss);
    }, 50);
    const start = performance.now();
    const response = await send(port, target.method);
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    const after = memory(child.pid);
    const status = response.split("\r\n", 1)[0];
    if (!/^HTTP\/1\.[01] (200|201|303)/.test(status ?? "")) {
      throw new Error(`${target.name}: ${response.slice(0, 500)}`);
    }
    const growth = Math.max(after.hwm, peak) - before.rss;
    return { mibs: size / MiB / seconds, growth, seconds };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await lines.cancel().catch(() => {});
  }
}

const deno_upload = (method: "POST" | "PUT", dir: string): Target => ({
  name: `http_server.ts --upload (${method})`,
  cmd: Deno.execPath(),
  args: [
    "run",
    "--allow-net",
    "--allow-read",
    `--allow-write=${dir}`,
    "http_server.ts",
    "0",
    "-b",
    "127.0.0.1",
    "-d",
    dir,
    "--upload",
  ],
  method,
  port: "banner",
});

const results: Record<string, { mibs: number; growth: number }> = {};
for (
  const make of [
    (dir: string) => deno_upload("POST", dir),
    (dir: string) => deno_upload("PUT", dir),
    (dir: string): Target => ({
      name: "examples/post.ts",
      cmd: Deno.execPath(),
      args: [
        "run",
        "--allow-net",
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        "--allow-env=TMPDIR",
        "bench/servers/post_unlimited.ts",
      ],
      method: "POST",
      port: "banner",
    }),
    (dir: string): Target => ({
      name: "CPython 3.12 cgi.FieldStorage saver",
      cmd: "python3",
      args: ["-W", "ignore", "bench/servers/upload_saver.py", dir],
      env: { PYENV_VERSION: Deno.env.get("PYENV_VERSION") ?? "3.12.1" },
      method: "POST",
      port: "python",
    }),
  ]
) {
  const dir = await Deno.makeTempDir({ prefix: "upload_compare_" });
  try {
    const target = make(dir);
    const r = await run(target, dir);
    results[target.name] = r;
    const left = [...Deno.readDirSync(dir)].filter((e) =>
      e.name.startsWith(".upload-")
    ).length;
    console.log(
      `${target.name.padEnd(38)} ${r.mibs.toFixed(0).padStart(5)} MiB/s  ` +
        `RSS growth ${
          (r.growth / MiB).toFixed(1)
        } MiB  temp files left ${left}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
const py = results["CPython 3.12 cgi.FieldStorage saver"]!.mibs;
const post = results["examples/post.ts"]!.mibs;
for (const method of ["POST", "PUT"]) {
  const r = results[`http_server.ts --upload (${method})`]!.mibs;
  console.log(
    `--upload ${method}: ${(r / py).toFixed(1)}x the CPython saver, ${
      (r / post).toFixed(2)
    }x examples/post.ts`,
  );
}
