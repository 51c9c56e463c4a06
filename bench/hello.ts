/**
 * Hello world under load: our ThreadingHTTPServer against Deno.serve and a
 * raw Deno.listen canned responder, side by side in one run.
 *
 *     deno task bench            (needs wrk: apt-get install wrk)
 *     SECONDS=10 deno task bench
 */
import { haveWrk, start, wrk } from "./_wrk.ts";

const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
const here = new URL(".", import.meta.url).pathname;

if (!(await haveWrk())) {
  console.log(
    "wrk is not installed: apt-get install wrk (skipping the load benchmark)",
  );
  Deno.exit(0);
}

const servers = [
  ["Deno.serve", [`run`, `-A`, `${here}servers/deno_serve.ts`]],
  ["canned Deno.listen", [`run`, `-A`, `${here}servers/canned.ts`]],
  ["ThreadingHTTPServer", [`run`, `-A`, `${here}servers/hello.ts`]],
] as const;

const scenarios = [
  { name: "50 keep-alive connections", c: 50, extra: [] },
  { name: "1 connection", c: 1, extra: [] },
  { name: "Connection: close, 50", c: 50, extra: ["-H", "Connection: close"] },
];

console.log(
  `wrk, ${seconds} s a run, server on CPU 0, wrk on CPU 1 (${navigator.hardwareConcurrency} cores)`,
);
for (const sc of scenarios) {
  console.log(`\n## ${sc.name}`);
  let base = 0;
  for (const [name, args] of servers) {
    await using server = await start([...args]);
    await wrk(`http://127.0.0.1:${server.port}/`, sc.c, 1, sc.extra); // warm-up
    const r = await wrk(
      `http://127.0.0.1:${server.port}/`,
      sc.c,
      seconds,
      sc.extra,
    );
    if (name === "Deno.serve") base = r.rps;
    console.log(
      `${name.padEnd(22)} ${r.rps.toFixed(0).padStart(8)} req/s  ${
        (r.rps / base).toFixed(2)
      }x Deno.serve  p99 ${r.latency_p99}  errors ${r.errors}`,
    );
  }
}
