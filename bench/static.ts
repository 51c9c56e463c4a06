/**
 * Static files under load: our `http_server.ts` (run as `deno task serve`
 * runs it) against `python3 -m http.server` (`-p HTTP/1.1` and
 * `-p HTTP/1.0`), Deno std's file server and Node's http-server, in one
 * run, with the ratios and issue 14's targets.
 *
 *     deno run -A bench/static.ts
 *     DENO_STD_PATH=/tmp/std BENCH_SECONDS=10 deno run -A bench/static.ts
 *
 * - 1 KiB file, 1 MiB file: wrk, 50 keep-alive connections, requests/s; a
 *   1,000-entry directory listing: wrk, 10 connections.
 * - 100 MiB file: curl -o /dev/null, one connection, GiB/s (best of 3), and
 *   the server's memory from /proc/<pid>/status: VmRSS before, VmHWM after.
 *
 * Needs wrk and curl. Deno std's file server runs from a checkout of
 * github:denoland/std whose path DENO_STD_PATH gives (skipped without it);
 * http-server from bench/node_modules (`npm install` in bench/; skipped
 * without it). Each server runs on CPU 0, the client on CPU 1, when taskset
 * and two cores are there.
 */
import { haveWrk, pinned, wrk } from "./_wrk.ts";

const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
const here = new URL(".", import.meta.url).pathname;
const root = new URL("..", import.meta.url).pathname;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

if (!(await haveWrk())) {
  console.log("wrk is not installed: apt-get install wrk (skipping)");
  Deno.exit(0);
}

// deno.json's serve task, so that we measure what users run.
const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
const taskFlags = String(config.tasks.serve).split(/\s+/).slice(2, -1);

const dir = await Deno.makeTempDir({ prefix: "bench_static_" });
const pattern = new Uint8Array(MiB);
for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31) & 0xff;
await Deno.writeFile(`${dir}/1k.bin`, pattern.subarray(0, 1024));
await Deno.writeFile(`${dir}/1m.bin`, pattern);
{
  using f = await Deno.open(`${dir}/100m.bin`, { write: true, create: true });
  for (let i = 0; i < 100; i++) {
    let off = 0;
    while (off < pattern.length) off += await f.write(pattern.subarray(off));
  }
}
await Deno.mkdir(`${dir}/list`);
for (let i = 0; i < 1000; i++) {
  await Deno.writeTextFile(
    `${dir}/list/file-${String(i).padStart(4, "0")}.txt`,
    "x",
  );
}

interface ServerSpec {
  name: string;
  cmd: string;
  args: (port: number) => string[];
  cwd?: string;
}

const python = Deno.env.get("BENCH_PYTHON") ?? "python3";
const std = Deno.env.get("DENO_STD_PATH");
const httpServerBin = `${here}node_modules/http-server/bin/http-server`;
const haveHttpServer = await Deno.stat(httpServerBin).then(
  () => true,
  () => false,
);

const specs: ServerSpec[] = [
  {
    name: "ours",
    cmd: Deno.execPath(),
    args: (
      port,
    ) => [
      "run",
      ...taskFlags,
      `${root}http_server.ts`,
      String(port),
      "-b",
      "127.0.0.1",
      "-d",
      dir,
    ],
  },
  ...(["HTTP/1.1", "HTTP/1.0"] as const).map((version) => ({
    // -p HTTP/1.1: keep-alive, as ours; HTTP/1.0 (Python's default) closes
    // each connection.
    name: version === "HTTP/1.1" ? "python" : "python 1.0",
    cmd: python,
    args: (port: number) => [
      "-m",
      "http.server",
      String(port),
      "-b",
      "127.0.0.1",
      "-d",
      dir,
      "-p",
      version,
    ],
  })),
];
if (std) {
  specs.push({
    name: "deno std",
    cmd: Deno.execPath(),
    // std sends CORS headers by default; ours does not.
    args: (
      port,
    ) => [
      "run",
      "-A",
      `${std}/http/file_server.ts`,
      dir,
      "--host",
      "127.0.0.1",
      "-p",
      String(port),
      "--no-cors",
    ],
  });
} else {
  console.log("DENO_STD_PATH is not set: skipping Deno std's file server");
}
if (haveHttpServer) {
  specs.push({
    name: "http-server",
    cmd: "node",
    // -s: silent (ours and Python log to a discarded stderr), -c-1: no cache headers.
    args: (
      port,
    ) => [
      httpServerBin,
      dir,
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "-s",
      "-c-1",
    ],
  });
} else {
  console.log(
    "bench/node_modules/http-server is missing (npm install in bench/): skipping it",
  );
}

let nextPort = 19000 + Math.floor(Math.random() * 1000);

interface Running extends AsyncDisposable {
  port: number;
  pid: number;
}

async function start(spec: ServerSpec): Promise<Running> {
  const port = nextPort++;
  const [c, a] = pinned(0, spec.cmd, spec.args(port));
  const child = new Deno.Command(c, {
    args: a,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${spec.name} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    pid: child.pid,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/** kB values of /proc/<pid>/status, or NaN where /proc is not there. */
async function memory(pid: number): Promise<{ rss: number; hwm: number }> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = (key: string) =>
      Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
    return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** Downloads `url` with curl to /dev/null; bytes per second. */
async function curlSpeed(url: string): Promise<number> {
  const [c, a] = pinned(1, "curl", [
    "-s",
    "-o",
    "/dev/null",
    "-w",
    "%{speed_download} %{size_download}",
    url,
  ]);
  const out = await new Deno.Command(c, { args: a, stdout: "piped" }).output();
  const [speed, size] = new TextDecoder().decode(out.stdout).split(" ").map(
    Number,
  );
  if (size !== 100 * MiB) throw new Error(`${url}: got ${size} bytes`);
  return speed!;
}

interface Result {
  k1: number;
  m1: number;
  listing: number;
  gibps: number;
  rss_before: number;
  rss_growth: number;
  errors: number;
}

const results = new Map<string, Result>();
console.log(
  `wrk -c50 (listing -c10) ${seconds} s a run; 100 MiB: curl, best of 3; ${navigator.hardwareConcurrency} cores, server on CPU 0, client on CPU 1`,
);
try {
  for (const spec of specs) {
    await using server = await start(spec);
    const base = `http://127.0.0.1:${server.port}`;
    await (await fetch(`${base}/1k.bin`)).arrayBuffer(); // compile, warm up
    const before = await memory(server.pid);
    let best = 0;
    for (let i = 0; i < 3; i++) {
      best = Math.max(best, await curlSpeed(`${base}/100m.bin`));
    }
    const after = await memory(server.pid);
    let errors = 0;
    // wrk gives up on a request after 2 s by default; http-server takes
    // ~250 ms a listing, so 50 connections on one core would all time out.
    const load = async (path: string, c = 50) => {
      const extra = ["--timeout", "10s"];
      await wrk(`${base}${path}`, c, 1, extra); // warm-up
      const r = await wrk(`${base}${path}`, c, seconds, extra);
      errors += r.errors;
      return r.rps;
    };
    const r: Result = {
      k1: await load("/1k.bin"),
      m1: await load("/1m.bin"),
      listing: await load("/list/", 10),
      gibps: best / GiB,
      rss_before: before.rss,
      rss_growth: after.hwm - before.rss,
      errors,
    };
    results.set(spec.name, r);
    console.log(
      `${spec.name.padEnd(12)} 1 KiB ${
        r.k1.toFixed(0).padStart(7)
      } req/s | 1 MiB ${r.m1.toFixed(0).padStart(6)} req/s | listing ${
        r.listing.toFixed(0).padStart(6)
      } req/s | 100 MiB ${r.gibps.toFixed(2)} GiB/s, RSS ${
        (r.rss_before / MiB).toFixed(0)
      } MiB + peak growth ${
        (r.rss_growth / MiB).toFixed(1)
      } MiB | errors ${r.errors}`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}

const ours = results.get("ours")!;
console.log("\n## ours / other (above 1 = ours faster)");
for (const [name, r] of results) {
  if (name === "ours") continue;
  console.log(
    `vs ${name.padEnd(12)} 1 KiB ${(ours.k1 / r.k1).toFixed(2)}x | 1 MiB ${
      (ours.m1 / r.m1).toFixed(2)
    }x | listing ${(ours.listing / r.listing).toFixed(2)}x | 100 MiB ${
      (ours.gibps / r.gibps).toFixed(2)
    }x`,
  );
}

console.log("\n## targets");
const check = (what: string, ok: boolean | undefined) =>
  console.log(`${ok === undefined ? "skip" : ok ? "ok  " : "MISS"} ${what}`);
const py = results.get("python");
const py10 = results.get("python 1.0");
const st = results.get("deno std");
check(
  ">= 1.2x CPython -p HTTP/1.1 on the 100 MiB file",
  py && ours.gibps >= 1.2 * py.gibps,
);
check(
  ">= 1.2x CPython -p HTTP/1.0 on the 100 MiB file",
  py10 && ours.gibps >= 1.2 * py10.gibps,
);
check("< 32 MiB RSS growth on the 100 MiB file", ours.rss_growth < 32 * MiB);
check(">= 1.2x Deno std on the 1 MiB file", st && ours.m1 >= 1.2 * st.m1);
check(
  ">= 3x CPython on the 1,000-entry listing",
  py && ours.listing >= 3 * py.listing,
);
