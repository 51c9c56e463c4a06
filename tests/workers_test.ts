/**
 * The `workers` option: threads that accept on one port, restarted when
 * they die, stopped with the server. Runs a fixture in a subprocess, since
 * each worker runs the main module again.
 */

import { assert, assertEquals } from "./_assert.ts";

const FIXTURE = new URL("./fixtures/workers_server.ts", import.meta.url);

async function start(): Promise<
  {
    child: Deno.ChildProcess;
    port: number;
    lines: ReadableStreamDefaultReader<string>;
  }
> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--unstable-net",
      "--allow-net",
      "--allow-read",
      FIXTURE.pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await lines.read();
  return { child, port: Number(value!.trim()), lines };
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
  const { child, port, lines } = await start();
  const stderr = new Response(child.stderr).text();
  try {
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
    // It dies 20 ms after answering; the pool restarts it 100 ms later.
    await new Promise((r) => setTimeout(r, 60));
    let back = false;
    for (let i = 0; i < 400 && !back; i++) {
      back = (await who(port)) === "worker";
      if (!back) await new Promise((r) => setTimeout(r, 10));
    }
    assert(back, "a worker serves again after the crash");
  } finally {
    child.kill("SIGTERM");
  }
  const status = await child.status;
  const { value } = await lines.read();
  await lines.cancel();
  assertEquals(status.code, 0);
  assertEquals(value, "stopped\n");
  const log = await stderr;
  assert(log.includes("Worker 1 died"), log);
  assert(log.includes("worker crash requested"), log);
});
