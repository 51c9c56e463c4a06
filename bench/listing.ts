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
  const url = `http://127.0.0.1:${server.server_port}/`;
  report(
    "GET of a 1,000-file directory",
    await time(async () => {
      const res = await fetch(url);
      if (res.status !== 200) throw new Error(`Status ${res.status}.`);
      await res.arrayBuffer();
    }),
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
