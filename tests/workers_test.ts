/**
 * The `workers` option: threads that accept on one port, restarted when
 * they die, stopped with the server. Runs a fixture in a subprocess, since
 * each worker runs the main module again.
 */

import { assert, assertEquals } from "./_assert.ts";
import { spawn_server, type Spawned, wait_for } from "./_helpers.ts";

const FIXTURE = new URL("./fixtures/workers_server.ts", import.meta.url);

/** Starts the fixture; its first line is its port. */
async function start(): Promise<Spawned> {
  const child = await spawn_server([
    "run",
    "--unstable-net",
    "--allow-net",
    "--allow-read",
    FIXTURE.pathname,
  ]);
  child.port = Number(child.banner);
  return child;
}

/**
 * GETs a path on a new connection; returns the thread that answered, or
 * "reset": a connection queued on a worker's socket as the worker dies is
 * lost with it (SO_REUSEPORT has no hand-over).
 */
async function who(port: number, path = "/"): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return await res.text();
  } catch (err) {
    if (err instanceof TypeError) return "reset";
    throw err;
  }
}

Deno.test("HTTPServer({ workers }) serves one port from several threads, restarts a dead one, stops them all", async () => {
  await using server = await start();
  const port = server.port;
  // SO_REUSEPORT spreads new connections over both threads.
  const seen = new Set<string>();
  for (let i = 0; i < 200 && seen.size < 2; i++) seen.add(await who(port));
  assertEquals([...seen].sort(), ["main", "worker"]);
  // Until a worker dies, no connection is lost.

  // Kill the worker, then find a worker again once it is restarted.
  let crashed = false;
  for (let i = 0; i < 200 && !crashed; i++) {
    crashed = (await who(port, "/crash")) === "worker";
  }
  assert(crashed, "a worker served /crash");
  // It dies 20 ms after answering; the pool says so, then restarts it.
  assert(
    await wait_for(() => server.stderr_so_far.includes("Worker 1 died")),
    server.stderr_so_far,
  );
  assert(
    await wait_for(async () => (await who(port)) === "worker"),
    "a worker serves again after the crash",
  );
  const status = await server.stop("SIGTERM");
  assertEquals(status.code, 0);
  assertEquals(await server.stdout, `${port}\nstopped\n`);
  const log = await server.stderr;
  assert(log.includes("Worker 1 died"), log);
  assert(log.includes("worker crash requested"), log);
});
