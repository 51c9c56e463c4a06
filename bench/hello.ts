/**
 * Under load, side by side in one run: a hello-world handler on our
 * ThreadingHTTPServer against Deno.serve, a raw Deno.listen canned
 * responder and CPython's ThreadingHTTPServer (stock, and with TCP_NODELAY);
 * and examples/get.ts against the same echo on Deno.serve, closing each
 * connection as the spec's handler must, and keep-alive with a
 * Content-Length added (bench/servers/get_echo_keep_alive.ts).
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

type Server = readonly [name: string, cmd: string, args: readonly string[]];

const deno = Deno.execPath();
const hello: Server[] = [
  ["Deno.serve", deno, ["run", "-A", `${here}servers/deno_serve.ts`]],
  ["canned Deno.listen", deno, ["run", "-A", `${here}servers/canned.ts`]],
  ["ThreadingHTTPServer", deno, ["run", "-A", `${here}servers/hello.ts`]],
  ["CPython", "python3", [`${here}servers/hello.py`]],
  ["CPython, TCP_NODELAY", "python3", [`${here}servers/hello.py`, "nodelay"]],
];
const echo: Server[] = [
  ["Deno.serve", deno, ["run", "-A", `${here}servers/get_echo_deno_serve.ts`]],
  ["examples/get.ts", deno, ["run", "-A", `${here}servers/get_echo.ts`]],
];
const echo_keep_alive: Server[] = [
  echo[0]!,
  [
    "examples/get.ts + length",
    deno,
    ["run", "-A", `${here}servers/get_echo_keep_alive.ts`],
  ],
];

const scenarios = [
  {
    name: "hello, 50 keep-alive connections",
    servers: hello,
    c: 50,
    extra: [],
  },
  { name: "hello, 1 connection", servers: hello, c: 1, extra: [] },
  {
    name: "hello, Connection: close, 50",
    servers: hello.slice(0, 3),
    c: 50,
    extra: ["-H", "Connection: close"],
  },
  // The spec's handler sends no length, so it cannot keep a connection
  // open: both sides close after each response.
  {
    name: "examples/get.ts, Connection: close, 50",
    servers: echo,
    c: 50,
    extra: ["-H", "Connection: close"],
  },
  // The same handler with a Content-Length added, so that it keeps the
  // connections open.
  {
    name: "examples/get.ts with a Content-Length, 50 keep-alive",
    servers: echo_keep_alive,
    c: 50,
    extra: [],
  },
];

const python = await new Deno.Command("python3", {
  args: ["--version"],
  stdout: "null",
})
  .output().then((o) => o.success, () => false);

console.log(
  `wrk, ${seconds} s a run, server on CPU 0, wrk on CPU 1 (${navigator.hardwareConcurrency} cores)`,
);
for (const sc of scenarios) {
  console.log(`\n## ${sc.name}`);
  const rps = new Map<string, number>();
  for (const [name, cmd, args] of sc.servers) {
    if (cmd === "python3" && !python) continue;
    await using server = await start([...args], cmd);
    await wrk(`http://127.0.0.1:${server.port}/`, sc.c, 1, sc.extra); // warm-up
    const r = await wrk(
      `http://127.0.0.1:${server.port}/`,
      sc.c,
      seconds,
      sc.extra,
    );
    rps.set(name, r.rps);
    const base = rps.get("Deno.serve")!;
    console.log(
      `${name.padEnd(22)} ${r.rps.toFixed(0).padStart(8)} req/s  ${
        (r.rps / base).toFixed(2)
      }x Deno.serve  p99 ${r.latency_p99}  errors ${r.errors}`,
    );
  }
  const ours = rps.get("ThreadingHTTPServer");
  for (const py of ["CPython", "CPython, TCP_NODELAY"]) {
    const theirs = rps.get(py);
    if (ours && theirs) {
      console.log(
        `ThreadingHTTPServer / ${py}: ${(ours / theirs).toFixed(1)}x`,
      );
    }
  }
}
