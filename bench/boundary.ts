/**
 * Boundary search on a friendly and a hostile upload: an 8,000,000-byte
 * file part with the boundary `"a".repeat(200)`, filled with random bytes
 * or with `a`s (where a naive or Horspool search compares about the whole
 * boundary at every byte). Prints MB/s of `FieldStorage.from()` for each,
 * and their ratio.
 *
 *     deno run -A bench/boundary.ts [runs]
 *
 * @module
 */

import { FieldStorage } from "../cgi.ts";

const SIZE = 8_000_000;
const CHUNK = 64 * 1024;
const runs = Number(Deno.args[0] ?? 3);

function body(fill: "random" | "adversarial", boundary: string): Uint8Array[] {
  const encoder = new TextEncoder();
  const file = new Uint8Array(SIZE);
  if (fill === "random") {
    for (let i = 0; i < SIZE; i += 65536) {
      crypto.getRandomValues(file.subarray(i, i + 65536));
    }
  } else {
    file.fill(0x61);
  }
  const chunks = [
    encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="f"; ` +
        `filename="f.bin"\r\n\r\n`,
    ),
  ];
  for (let i = 0; i < SIZE; i += CHUNK) chunks.push(file.slice(i, i + CHUNK));
  chunks.push(encoder.encode(`\r\n--${boundary}--\r\n`));
  return chunks;
}

async function time(chunks: Uint8Array[], boundary: string): Promise<number> {
  const start = performance.now();
  await using form = await FieldStorage.from({
    fp: chunks,
    environ: {
      REQUEST_METHOD: "POST",
      CONTENT_TYPE: `multipart/form-data; boundary=${boundary}`,
    },
  });
  const size = (form.get("f") as FieldStorage).file!.size;
  if (size !== SIZE) throw new RangeError(`Parsed ${size} bytes, not ${SIZE}`);
  return performance.now() - start;
}

const boundary = "a".repeat(200);
const results: Record<string, number> = {};
for (const fill of ["random", "adversarial"] as const) {
  const chunks = body(fill, boundary);
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    best = Math.min(best, await time(chunks, boundary));
  }
  results[fill] = SIZE / 1e6 / (best / 1000);
  console.log(
    `${fill.padEnd(12)} ${results[fill]!.toFixed(0).padStart(6)} MB/s`,
  );
}
console.log(
  `ratio random/adversarial: ${
    (results.random! / results.adversarial!).toFixed(1)
  }x`,
);
