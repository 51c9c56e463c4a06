/**
 * The fetch transport under load, in one run: the hello handler class
 * through `Deno.serve(handler_to_fetch(Hello))` against a bare `Deno.serve`
 * hello, against a bare one doing only what the transport must do at
 * Deno's API (bench/servers/deno_serve_same_work.ts), and against the wire
 * transport (ThreadingHTTPServer), 50
 * keep-alive connections, server on CPU 0 and wrk on CPU 1; then
 * `deno serve --parallel` against `deno serve` (one process), neither
 * pinned, wrk on the same cores.
 *
 *     deno run -A bench/fetch_transport.ts     (needs wrk)
 */
import { haveWrk, start, wrk } from "./_wrk.ts";

const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
const here = new URL(".", import.meta.url).pathname;
if (!(await haveWrk())) {
  console.log("wrk is not installed: apt-get install wrk");
  Deno.exit(0);
}

const pinned_servers = [
  ["bare Deno.serve", `${here}servers/deno_serve.ts`],
  [
    "Deno.serve, the transport's own work",
    `${here}servers/deno_serve_same_work.ts`,
  ],
  ["Deno.serve(handler_to_fetch(Hello))", `${here}servers/fetch_hello.ts`],
  ["ThreadingHTTPServer (wire)", `${here}servers/hello.ts`],
] as const;

const results = new Map<string, number>();
console.log(`hello, 50 keep-alive connections, ${seconds} s each`);
for (const [name, script] of pinned_servers) {
  await using server = await start(["run", "-A", script]);
  await wrk(`http://127.0.0.1:${server.port}/`, 50, 1); // warm up
  const r = await wrk(`http://127.0.0.1:${server.port}/`, 50, seconds);
  results.set(name, r.rps);
  console.log(
    `  ${name.padEnd(38)} ${
      r.rps.toFixed(0).padStart(8)
    } req/s  p99 ${r.latency_p99}  errors ${r.errors}`,
  );
}
const bare = results.get("bare Deno.serve")!;
const ratio = (name: string, base = bare) =>
  (results.get(name)! / base).toFixed(2) + "x";
const fetch_name = "Deno.serve(handler_to_fetch(Hello))";
console.log(
  `  handler_to_fetch / bare Deno.serve: ${ratio(fetch_name)}; / the ` +
    `transport's own work on Deno.serve: ${
      ratio(fetch_name, results.get("Deno.serve, the transport's own work")!)
    }; wire / bare Deno.serve: ${ratio("ThreadingHTTPServer (wire)")}`,
);

/** `deno serve [--parallel]` on a free port, ready once it accepts. */
async function deno_serve(parallel: boolean, port: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      ...(parallel ? ["--parallel"] : []),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      `${here}servers/serve_hello.ts`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0;; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch (err) {
      if (i > 500) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return {
    port,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

console.log(
  `deno serve, hello handler class, 50 keep-alive connections, ${navigator.hardwareConcurrency} cores shared with wrk`,
);
const serve: number[] = [];
for (const parallel of [false, true]) {
  await using server = await deno_serve(
    parallel,
    19000 + Math.floor(Math.random() * 500),
  );
  await wrk(`http://127.0.0.1:${server.port}/`, 50, 1);
  const [c, a] = ["wrk", [
    "-t1",
    "-c50",
    `-d${seconds}s`,
    `http://127.0.0.1:${server.port}/`,
  ]];
  const out = await new Deno.Command(c, { args: a, stdout: "piped" }).output();
  const rps = Number(
    /Requests\/sec:\s+([\d.]+)/.exec(new TextDecoder().decode(out.stdout))?.[1],
  );
  serve.push(rps);
  console.log(
    `  ${(parallel ? "deno serve --parallel" : "deno serve").padEnd(38)} ${
      rps.toFixed(0).padStart(8)
    } req/s`,
  );
}
console.log(
  `  --parallel / one process: ${(serve[1]! / serve[0]!).toFixed(2)}x`,
);
