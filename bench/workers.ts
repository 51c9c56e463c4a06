/**
 * Scaling with `workers`: a CPU-bound handler (about 0.2 ms a request)
 * served by 1 and by N threads sharing the port, under wrk.
 *
 *     deno run -A bench/workers.ts [N]      (N defaults to the core count)
 *
 * On a two-core machine wrk shares the cores with the server, so the gain
 * is bounded by what wrk leaves; the figure to read is the ratio.
 */
import { haveWrk, wrk } from "./_wrk.ts";

const here = new URL(".", import.meta.url).pathname;
const n = Number(Deno.args[0] ?? navigator.hardwareConcurrency);
const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 5);

if (!(await haveWrk())) {
  console.log("wrk is not installed: apt-get install wrk (skipping)");
  Deno.exit(0);
}

async function run(workers: number): Promise<number> {
  const port = 18000 + Math.floor(Math.random() * 1000);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-net",
      `${here}servers/cpu_bound.ts`,
      String(workers),
      String(port),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("ready")) seen += (await reader.read()).value ?? "";
  try {
    await wrk(`http://127.0.0.1:${port}/`, 16, 1);
    return (await wrk(`http://127.0.0.1:${port}/`, 16, seconds)).rps;
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await reader.cancel();
  }
}

console.log(
  `CPU-bound handler, wrk -c16, ${seconds} s, ${navigator.hardwareConcurrency} cores shared with wrk`,
);
const one = await run(1);
console.log(`workers 1   ${one.toFixed(0).padStart(7)} req/s`);
const many = await run(n);
console.log(
  `workers ${String(n).padEnd(3)} ${many.toFixed(0).padStart(7)} req/s  ${
    (many / one).toFixed(2)
  }x`,
);
