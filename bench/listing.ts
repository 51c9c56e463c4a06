/**
 * The time to render a directory listing, and to serve one: `deno run -A
 * bench/listing.ts`. `render_listing()` alone for 1,000 and 10,000 entries
 * (names to escape and quote, directories, symlinks), and a GET of a
 * 1,000-file directory from `SimpleHTTPRequestHandler` over a socket (read
 * the directory, stat each file, render, send). Median and best of 50 runs
 * after 5 to warm up.
 *
 * @module
 */
import { SimpleHTTPRequestHandler, ThreadingHTTPServer } from "../mod.ts";
import { type ListingEntry, render_listing } from "../_static/listing.ts";

const RUNS = 50;

function entries(count: number): ListingEntry[] {
  const list: ListingEntry[] = [];
  for (let i = 0; i < count; i++) {
    list.push({
      name: `File ${(i * 7919) % count} <ü>.txt`,
      is_dir: i % 10 === 0,
      is_symlink: i % 97 === 0,
      size: i * 1000,
      mtime: 1_700_000_000_000 + i,
    });
  }
  return list;
}

/** Median and best of RUNS timed calls of `fn`, in milliseconds. */
async function time(fn: () => unknown): Promise<[number, number]> {
  for (let i = 0; i < 5; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  return [ms[RUNS >> 1]!, ms[0]!];
}

function report(what: string, [median, best]: [number, number]): void {
  console.log(
    `${what.padEnd(44)} median ${median.toFixed(2).padStart(7)} ms, best ${
      best.toFixed(2).padStart(7)
    } ms`,
  );
}

for (const count of [1_000, 10_000]) {
  const list = entries(count);
  report(
    `render_listing(), ${count.toLocaleString("en")} entries`,
    await time(() => render_listing("/big/", list)),
  );
}

const dir = await Deno.makeTempDir({ prefix: "bench_listing_" });
try {
  for (let i = 0; i < 1000; i++) {
    await Deno.writeTextFile(
      `${dir}/file-${String(i).padStart(4, "0")}.txt`,
      "x",
    );
  }
  class Files extends SimpleHTTPRequestHandler {
    override directory = dir;
    override log_message(): void {}
  }
  await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Files);
  server.serve_forever();
  report(
    "GET of a 1,000-file directory (in process)",
    await time(() => get(`http://127.0.0.1:${server.server_port}/`)),
  );
  // Side by side, each server in a process of its own.
  const ours = await spawn(Deno.execPath(), [
    "run",
    "-A",
    new URL("../http_server.ts", import.meta.url).pathname,
    "-b",
    "127.0.0.1",
    "-d",
    dir,
    "0",
  ]);
  const cpython = await spawn("python3", [
    "-u",
    "-m",
    "http.server",
    "-b",
    "127.0.0.1",
    "-d",
    dir,
    "0",
  ]);
  try {
    const a = await time(() => get(`http://127.0.0.1:${ours.port}/`));
    const b = await time(() => get(`http://127.0.0.1:${cpython.port}/`));
    report("GET of a 1,000-file directory, http_server.ts", a);
    report("GET of a 1,000-file directory, CPython", b);
    console.log(`ours / CPython (median times): ${(b[0] / a[0]).toFixed(2)}x`);
  } finally {
    for (const p of [ours, cpython]) {
      p.child.kill("SIGTERM");
      await p.child.status;
    }
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}

async function get(url: string): Promise<void> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`Status ${res.status}.`);
  await res.arrayBuffer();
}

/** Starts a server that prints `... port N ...` first; its port. */
async function spawn(
  cmd: string,
  args: string[],
): Promise<{ child: Deno.ChildProcess; port: number }> {
  const child = new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "null",
    env: { PYENV_VERSION: "3.13.0" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!/port (\d+)/.test(seen)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${cmd} exited: ${seen}`);
    seen += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return { child, port: Number(/port (\d+)/.exec(seen)![1]) };
}
