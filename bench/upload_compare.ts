/**
 * One large upload (1 GiB by default) sent by curl (`-F` for a form, `-T`
 * for PUT, `Expect:` off, Content-Length) to servers each started fresh in
 * a subprocess: `http_server.ts --upload` by POST (multipart) and by PUT
 * (raw body), `examples/post.ts` (which spools the part and throws it away;
 * here without its 64 MiB limit: `bench/servers/post_unlimited.ts`), a Node
 * `node:http` server that parses with busboy and writes the file to disk
 * (`bench/servers/busboy_upload.mjs`), and a CPython 3.12 `http.server`
 * handler that saves with `cgi.FieldStorage`
 * (`bench/servers/upload_saver.py`, what the `uploadserver` package does).
 * The server runs on CPU 0 and curl on CPU 1 when `taskset` and two cores
 * are there. Prints throughput, server RSS growth (peak minus RSS before)
 * and server CPU time (user and system, steadier than throughput on a
 * shared machine) per run, and the ratios of each round.
 *
 *     deno run -A bench/upload_compare.ts [MiB] [--rounds=N] [target...]
 *
 * Targets: `upload-post`, `upload-put`, `post`, `busboy`, `cpython` (all by
 * default); `deno run -A bench/upload_compare.ts 200 --rounds=3 post busboy`
 * is issue 14's comparison. busboy needs `cd bench && npm install`.
 * `PYENV_VERSION` defaults to 3.12.1 for the CPython peer.
 *
 * @module
 */

import { pinned } from "./_wrk.ts";

const MiB = 1024 * 1024;
const ROOT = new URL("..", import.meta.url).pathname;
const positional = Deno.args.filter((a) => !a.startsWith("--"));
const size = Number(positional[0] ?? 1024) * MiB;
const rounds = Number(
  Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 1,
);

/** User and system CPU time of a process so far, in ms (Linux). */
function cpu_ms(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The fields after the command, which is in parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime, fields 14 and 15, in clock ticks (100 a second).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function memory(pid: number): { rss: number; hwm: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = (key: string) =>
    Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1]) * 1024;
  return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
}

/** The file curl sends: random bytes with CRLFs and dashes, repeated. */
async function make_upload(path: string): Promise<void> {
  const pattern = new Uint8Array(MiB);
  for (let i = 0; i < pattern.length; i += 65536) {
    crypto.getRandomValues(pattern.subarray(i, i + 65536));
  }
  // Line breaks and dashes, which a parser must look at and pass.
  for (let i = 0; i < pattern.length; i += 4096) {
    pattern.set([13, 10, 45, 45], i);
  }
  using file = await Deno.open(path, { write: true, create: true });
  for (let done = 0; done < size; done += MiB) {
    const part = pattern.subarray(0, Math.min(MiB, size - done));
    for (let off = 0; off < part.length;) {
      off += await file.write(part.subarray(off));
    }
  }
}

interface Target {
  name: string;
  cmd: string;
  args: (dir: string) => string[];
  env?: Record<string, string>;
  method: "POST" | "PUT";
  /** Whether the response tells the size of the file it parsed. */
  echoes?: boolean;
}

const deno_upload = (method: "POST" | "PUT"): Target => ({
  name: `http_server.ts --upload (${method})`,
  cmd: Deno.execPath(),
  args: (dir) => [
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
});

const TARGETS: Record<string, Target> = {
  "upload-post": deno_upload("POST"),
  "upload-put": deno_upload("PUT"),
  post: {
    name: "examples/post.ts",
    cmd: Deno.execPath(),
    args: (dir) => [
      "run",
      "--allow-net",
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      "--allow-env=TMPDIR",
      "bench/servers/post_unlimited.ts",
    ],
    method: "POST",
    echoes: true,
  },
  busboy: {
    name: "busboy (node:http)",
    cmd: "node",
    args: () => ["bench/servers/busboy_upload.mjs"],
    method: "POST",
    echoes: true,
  },
  cpython: {
    name: "CPython 3.12 cgi.FieldStorage saver",
    cmd: "python3",
    args: (dir) => ["-W", "ignore", "bench/servers/upload_saver.py", dir],
    env: { PYENV_VERSION: Deno.env.get("PYENV_VERSION") ?? "3.12.1" },
    method: "POST",
  },
};

/** curl's upload of `file`; resolves to the response (head and body). */
async function send(
  port: number,
  method: "POST" | "PUT",
  file: string,
): Promise<string> {
  const args = method === "POST"
    ? ["-F", `file=@${file};filename=big.bin`, `http://127.0.0.1:${port}/`]
    : ["-T", file, `http://127.0.0.1:${port}/big.bin`];
  const [cmd, curl_args] = pinned(1, "curl", [
    "-sS",
    "-i",
    "-H",
    "Expect:",
    ...args,
  ]);
  const out = await new Deno.Command(cmd, {
    args: curl_args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`curl failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

async function run(target: Target, dir: string, file: string) {
  const [cmd, args] = pinned(0, target.cmd, target.args(dir));
  const child = new Deno.Command(cmd, {
    args,
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
    const cpu_before = cpu_ms(child.pid);
    const start = performance.now();
    const response = await send(port, target.method, file);
    const seconds = (performance.now() - start) / 1000;
    const cpu = cpu_ms(child.pid) - cpu_before;
    clearInterval(sampler);
    const after = memory(child.pid);
    const status = response.split("\r\n", 1)[0];
    if (!/^HTTP\/1\.[01] (200|201|303)/.test(status ?? "")) {
      throw new Error(`${target.name}: ${response.slice(0, 500)}`);
    }
    if (target.echoes && !response.includes(`(${size} bytes)`)) {
      throw new Error(`${target.name}: ${response.slice(0, 500)}`);
    }
    const growth = Math.max(after.hwm, peak) - before.rss;
    return { mibs: size / MiB / seconds, growth, seconds, cpu };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await lines.cancel().catch(() => {});
  }
}

const chosen = positional.length > 1
  ? positional.slice(1)
  : Object.keys(TARGETS);
for (const key of chosen) {
  if (!(key in TARGETS)) throw new Error(`Unknown target ${key}`);
}
const work = await Deno.makeTempDir({ prefix: "upload_compare_src_" });
const upload = `${work}/big.bin`;
try {
  await make_upload(upload);
  for (let round = 1; round <= rounds; round++) {
    const results: Record<string, { mibs: number; cpu: number }> = {};
    for (const key of chosen) {
      const target = TARGETS[key]!;
      const dir = await Deno.makeTempDir({ prefix: "upload_compare_" });
      try {
        const r = await run(target, dir, upload);
        results[key] = r;
        const left = [...Deno.readDirSync(dir)].filter((e) =>
          e.name !== "big.bin"
        ).length;
        console.log(
          `${target.name.padEnd(38)} ${r.mibs.toFixed(0).padStart(5)} MiB/s  ` +
            `RSS growth ${
              (r.growth / MiB).toFixed(1).padStart(5)
            } MiB  server CPU ${
              String(r.cpu).padStart(5)
            } ms  files left ${left}`,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
    const ratio = (a: string, b: string) =>
      results[a] !== undefined && results[b] !== undefined
        ? (results[a].mibs / results[b].mibs).toFixed(2) + "x"
        : null;
    const lines = [
      ["examples/post.ts / busboy", ratio("post", "busboy")],
      [
        "by server CPU",
        results.post && results.busboy
          ? (results.busboy.cpu / results.post.cpu).toFixed(2) + "x"
          : null,
      ],
      ["--upload POST / CPython", ratio("upload-post", "cpython")],
      ["--upload PUT / CPython", ratio("upload-put", "cpython")],
      ["--upload POST / examples/post.ts", ratio("upload-post", "post")],
      ["--upload PUT / examples/post.ts", ratio("upload-put", "post")],
    ].filter(([, r]) => r !== null);
    console.log(
      `round ${round}: ` + lines.map(([k, r]) => `${k} ${r}`).join(", "),
    );
  }
} finally {
  await Deno.remove(work, { recursive: true });
}
