/**
 * Parses one 200 MiB multipart upload with `FieldStorage`, with Deno's
 * `Request.formData()` and with busboy on Node, each in its own subprocess,
 * and prints throughput and peak RSS growth.
 *
 *     deno run -A bench/multipart.ts [MiB]
 *
 * busboy is optional: `cd bench && npm install` (see bench/package.json).
 * Each parser gets the same body in 64 KiB chunks and must put the file
 * somewhere: FieldStorage spools it to a temporary file, busboy's file
 * stream is piped to a temporary file, formData() keeps it in memory.
 *
 * @module
 */

import { FieldStorage } from "../cgi.ts";

const BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
const CHUNK = 64 * 1024;
const PATTERN_SIZE = 1024 * 1024;

interface Result {
  seconds: number;
  base_rss: number;
  peak_rss: number;
  file_size: number;
}

/** The parts around the file's bytes. */
function envelope(): [head: string, tail: string] {
  const head = `--${BOUNDARY}\r\n` +
    `Content-Disposition: form-data; name="name"\r\n\r\nalvin\r\n` +
    `--${BOUNDARY}\r\n` +
    `Content-Disposition: form-data; name="datafile"; filename="big.bin"\r\n` +
    `Content-Type: application/octet-stream\r\n\r\n`;
  return [head, `\r\n--${BOUNDARY}--\r\n`];
}

/** Peak and current RSS from /proc (Linux), in bytes. */
function rss(): { current: number; peak: number } {
  const status = Deno.readTextFileSync("/proc/self/status");
  const kib = (key: string) =>
    Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1]) *
    1024;
  return { current: kib("VmRSS"), peak: kib("VmHWM") };
}

/** Random bytes (with CRLFs and dashes) repeated to `size`, in chunks. */
async function* upload(size: number): AsyncGenerator<Uint8Array> {
  const [head, tail] = envelope();
  const pattern = new Uint8Array(PATTERN_SIZE);
  for (let i = 0; i < pattern.length; i += 65536) {
    crypto.getRandomValues(pattern.subarray(i, i + 65536));
  }
  yield new TextEncoder().encode(head);
  for (let sent = 0; sent < size; sent += CHUNK) {
    const offset = sent % PATTERN_SIZE;
    yield pattern.slice(offset, offset + Math.min(CHUNK, size - sent));
  }
  yield new TextEncoder().encode(tail);
}

async function runChild(name: string, size: number): Promise<Result> {
  const base = rss().current;
  const start = performance.now();
  let fileSize: number;
  if (name === "FieldStorage") {
    await using form = await FieldStorage.from({
      fp: upload(size),
      environ: {
        REQUEST_METHOD: "POST",
        CONTENT_TYPE: `multipart/form-data; boundary=${BOUNDARY}`,
      },
    });
    fileSize = (form.get("datafile") as FieldStorage).file!.size;
  } else {
    const request = new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      body: ReadableStream.from(upload(size)),
    });
    const form = await request.formData();
    fileSize = (form.get("datafile") as File).size;
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, base_rss: base, peak_rss: rss().peak, file_size: fileSize };
}

const BUSBOY = `
const busboy = require("busboy");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { once } = require("node:events");
const crypto = require("node:crypto");
const [size, boundary, head, tail] = JSON.parse(process.argv[1]);
const rss = () => {
  const s = fs.readFileSync("/proc/self/status", "utf8");
  const kib = (k) => Number(s.match(new RegExp("^" + k + ":\\\\s+(\\\\d+) kB", "m"))[1]) * 1024;
  return { current: kib("VmRSS"), peak: kib("VmHWM") };
};
(async () => {
  const pattern = crypto.randomBytes(${PATTERN_SIZE});
  const base = rss().current;
  const start = performance.now();
  const file = path.join(os.tmpdir(), "busboy_bench_" + process.pid);
  let written;
  const bb = busboy({ headers: { "content-type": "multipart/form-data; boundary=" + boundary } });
  bb.on("file", (name, stream) => {
    const out = fs.createWriteStream(file);
    stream.pipe(out);
    written = once(out, "finish").then(() => out.bytesWritten);
  });
  bb.on("field", () => {});
  const closed = once(bb, "close");
  const write = async (chunk) => { if (!bb.write(chunk)) await once(bb, "drain"); };
  await write(Buffer.from(head));
  for (let sent = 0; sent < size; sent += ${CHUNK}) {
    const offset = sent % ${PATTERN_SIZE};
    await write(Buffer.from(pattern.subarray(offset, offset + Math.min(${CHUNK}, size - sent))));
  }
  await write(Buffer.from(tail));
  bb.end();
  await closed;
  const fileSize = await written;
  const seconds = (performance.now() - start) / 1000;
  fs.unlinkSync(file);
  console.log(JSON.stringify({ seconds, base_rss: base, peak_rss: rss().peak, file_size: fileSize }));
})();
`;

async function spawn(command: string, args: string[], cwd?: string) {
  const out = await new Deno.Command(command, {
    args,
    cwd,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`${command} failed (${out.code})`);
  return JSON.parse(new TextDecoder().decode(out.stdout)) as Result;
}

function busboyInstalled(benchDir: string): boolean {
  try {
    Deno.statSync(`${benchDir}/node_modules/busboy/package.json`);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const child = Deno.args.find((a) => a.startsWith("--child="));
  const mib = Number(Deno.args.find((a) => !a.startsWith("--")) ?? 200);
  const size = mib * 1024 * 1024;
  if (child !== undefined) {
    console.log(JSON.stringify(await runChild(child.slice(8), size)));
    return;
  }
  const self = new URL(import.meta.url).pathname;
  const benchDir = new URL(".", import.meta.url).pathname;
  const runs: [string, () => Promise<Result>][] = [
    [
      "FieldStorage",
      () =>
        spawn(Deno.execPath(), [
          "run",
          "-A",
          self,
          "--child=FieldStorage",
          String(mib),
        ]),
    ],
    [
      "Request.formData()",
      () =>
        spawn(Deno.execPath(), [
          "run",
          "-A",
          self,
          "--child=formData",
          String(mib),
        ]),
    ],
  ];
  if (busboyInstalled(benchDir)) {
    runs.push([
      "busboy (Node)",
      () =>
        spawn("node", [
          "-e",
          BUSBOY,
          JSON.stringify([size, BOUNDARY, ...envelope()]),
        ], benchDir),
    ]);
  } else {
    console.log(
      "busboy skipped: not installed. Install it with: cd bench && npm install",
    );
  }
  console.log(`Parsing a ${mib} MiB multipart upload (64 KiB chunks):`);
  console.log("parser               MiB/s   seconds  peak RSS growth (MiB)");
  for (const [name, run] of runs) {
    const r = await run();
    if (r.file_size !== size) {
      throw new Error(`${name} saw ${r.file_size} bytes, expected ${size}`);
    }
    const growth = (r.peak_rss - r.base_rss) / 2 ** 20;
    console.log(
      `${name.padEnd(20)} ${(mib / r.seconds).toFixed(0).padStart(6)}  ${
        r.seconds.toFixed(3).padStart(7)
      }  ${growth.toFixed(1).padStart(8)}`,
    );
  }
}

await main();
