/**
 * `deno task soak [scenario...]`: the long load and fault scenarios of
 * issue 7, each against a server in a subprocess on 127.0.0.1, printing its
 * figures (requests, errors, RSS, file descriptors, p99). Scenarios:
 * keepalive, churn, slowloris, million, sigterm, fdlimit, diskfull; all by
 * default. Needs wrk.
 *
 * @module
 */

const REPO = new URL("../", import.meta.url).pathname;
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Server {
  child: Deno.ChildProcess;
  port: number;
  stderr: Promise<string>;
}

/** Starts a server script in a subprocess, under `ulimit -n` if given. */
async function start(args: string[], nofile?: number): Promise<Server> {
  const cmd = `exec "${Deno.execPath()}" run -A ${args.join(" ")}`;
  const child = new Deno.Command("sh", {
    args: ["-c", nofile ? `ulimit -n ${nofile}; ${cmd}` : cmd],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  let out = "";
  while (!/port (\d+)/.test(out)) {
    const r = await reader.read();
    if (r.done) throw new Error(`server did not start: ${out}`);
    out += dec.decode(r.value);
  }
  // Keep draining stdout so that the child never blocks on it.
  (async () => {
    while (!(await reader.read()).done) { /* drained */ }
  })();
  return {
    child,
    port: Number(/port (\d+)/.exec(out)![1]),
    stderr: new Response(child.stderr).text(),
  };
}

async function stop(s: Server): Promise<{ code: number; ms: number }> {
  const t0 = Date.now();
  s.child.kill("SIGTERM");
  const status = await s.child.status;
  return { code: status.code, ms: Date.now() - t0 };
}

/** RSS of a process in MiB. */
function rss_mib(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Open file descriptors of a process. */
function fds(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

interface WrkResult {
  requests: number;
  errors: number;
  /** wrk's socket errors: connect, read, write, timeout. */
  error_kinds: string;
  non2xx: number;
  p99_ms: number;
  rps: number;
}

function to_ms(v: string, unit: string): number {
  const n = Number(v);
  return unit === "us" ? n / 1000 : unit === "s" ? n * 1000 : n;
}

/** Runs wrk (2 threads) and parses its summary. */
async function wrk(
  port: number,
  connections: number,
  seconds: number,
  threads = 2,
): Promise<WrkResult> {
  const out = await new Deno.Command("wrk", {
    args: [
      `-t${threads}`,
      `-c${connections}`,
      `-d${seconds}s`,
      "--latency",
      "--timeout",
      "10s",
      `http://127.0.0.1:${port}/`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = dec.decode(out.stdout);
  const errors =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
      .exec(text);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(text);
  return {
    requests: Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN),
    errors: errors ? errors.slice(1).reduce((n, v) => n + Number(v), 0) : 0,
    error_kinds: errors ? errors[0] : "none",
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
    p99_ms: p99 ? to_ms(p99[1]!, p99[2]!) : NaN,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function stats(port: number): Promise<{ served: number; rss: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/stats`, {
    headers: { Connection: "close" },
  });
  return await res.json();
}

function report(name: string, figures: Record<string, unknown>): void {
  console.log(`${name}: ${JSON.stringify(figures)}`);
}

/** 1,000 concurrent keep-alive connections for 30 s. */
async function keepalive(): Promise<void> {
  const s = await start(["bench/soak/server.ts", "0"]);
  const pid = s.child.pid;
  const fds_before = fds(pid);
  const rss_before = rss_mib(pid);
  let rss_max = 0;
  const sampling = (async () => {
    for (let i = 0; i < 31; i++) {
      await delay(1000);
      rss_max = Math.max(rss_max, rss_mib(pid));
    }
  })();
  const r = await wrk(s.port, 1000, 30);
  await sampling;
  await delay(6000); // keep_alive_timeout closes what wrk left open
  report("keepalive 1000 conns 30 s", {
    ...r,
    rss_before_mib: rss_before.toFixed(1),
    rss_max_mib: rss_max.toFixed(1),
    rss_after_mib: rss_mib(pid).toFixed(1),
    fds_before,
    fds_after: fds(pid),
    exit: await stop(s),
  });
}

/** 10,000 connections opened and closed as fast as possible. */
async function churn(): Promise<void> {
  const s = await start(["bench/soak/server.ts", "0"]);
  const pid = s.child.pid;
  const fds_before = fds(pid);
  const request = enc.encode(
    "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
  );
  let next = 0, ok = 0, errors = 0;
  const t0 = Date.now();
  const worker = async () => {
    const buf = new Uint8Array(4096);
    while (next < 10_000) {
      next++;
      try {
        const conn = await Deno.connect({
          hostname: "127.0.0.1",
          port: s.port,
        });
        await conn.write(request);
        let text = "";
        for (;;) {
          const n = await conn.read(buf);
          if (n === null) break;
          text += dec.decode(buf.subarray(0, n));
        }
        conn.close();
        if (
          text.startsWith("HTTP/1.1 200 OK") && text.endsWith("Hello, World!")
        ) {
          ok++;
        } else errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  const ms = Date.now() - t0;
  await delay(1000);
  report("churn 10,000 connections", {
    connections: next,
    ok,
    errors,
    seconds: (ms / 1000).toFixed(1),
    fds_before,
    fds_after: fds(pid),
    rss_mib: rss_mib(pid).toFixed(1),
    exit: await stop(s),
  });
}

/** 500 connections trickling header bytes; normal clients measured by wrk. */
async function slowloris(): Promise<void> {
  const header_timeout = 10;
  const s = await start(["bench/soak/server.ts", "0", String(header_timeout)]);
  const unloaded = await wrk(s.port, 10, 10, 1);
  const slow: Deno.Conn[] = [];
  const cut_after: number[] = [];
  let still_open_at_end = 0;
  const t0 = Date.now();
  for (let i = 0; i < 500; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    slow.push(conn);
    await conn.write(enc.encode("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: "));
  }
  let trickling = true;
  const tricklers = slow.map(async (conn) => {
    const started = Date.now();
    const closed = conn.read(new Uint8Array(16)).then(
      () => true,
      () => true,
    );
    let done = false;
    closed.then(() => {
      done = true;
      cut_after.push((Date.now() - started) / 1000);
    });
    while (!done && trickling) {
      try {
        await conn.write(enc.encode("a"));
      } catch {
        break;
      }
      await Promise.race([delay(1000), closed]);
    }
    if (!done) still_open_at_end++;
  });
  await delay(500);
  const loaded = await wrk(s.port, 10, 10, 1);
  await delay(Math.max(0, (header_timeout + 2) * 1000 - (Date.now() - t0)));
  trickling = false;
  for (const c of slow) {
    try {
      c.close();
    } catch { /* closed */ }
  }
  await Promise.all(tricklers);
  cut_after.sort((a, b) => a - b);
  report("slowloris 500 trickling connections", {
    header_timeout,
    unloaded_p99_ms: unloaded.p99_ms,
    loaded_p99_ms: loaded.p99_ms,
    ratio: (loaded.p99_ms / unloaded.p99_ms).toFixed(2),
    unloaded_requests: unloaded.requests,
    loaded_requests: loaded.requests,
    loaded_errors: loaded.errors + loaded.non2xx,
    slow_cut: cut_after.length,
    cut_after_s_min: cut_after[0]?.toFixed(1),
    cut_after_s_max: cut_after.at(-1)?.toFixed(1),
    still_open_at_end,
    exit: await stop(s),
  });
}

/** One million requests: RSS at the end against RSS after 100,000. */
async function million(): Promise<void> {
  const s = await start(["bench/soak/server.ts", "0"]);
  const pid = s.child.pid;
  let requests = 0, errors = 0;
  let rss_100k = 0;
  while (requests < 1_000_000) {
    const r = await wrk(s.port, 50, 2);
    requests += r.requests;
    errors += r.errors + r.non2xx;
    if (rss_100k === 0 && requests >= 100_000) rss_100k = rss_mib(pid);
  }
  const served = (await stats(s.port)).served;
  const rss_end = rss_mib(pid);
  report("one million requests", {
    requests,
    served,
    errors,
    rss_after_100k_mib: rss_100k.toFixed(1),
    rss_end_mib: rss_end.toFixed(1),
    growth_pct: ((rss_end / rss_100k - 1) * 100).toFixed(1),
    exit: await stop(s),
  });
}

/** SIGTERM while 20 clients download a 4 MiB file over and over. */
async function sigterm(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "soak_" });
  const size = 4 * 1024 * 1024;
  await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(size).fill(0x61));
  const s = await start([
    "http_server.ts",
    "0",
    "-b",
    "127.0.0.1",
    "-d",
    dir,
    "-p",
    "HTTP/1.1",
  ]);
  let complete = 0, cut = 0, unanswered = 0, errors = 0;
  const request = enc.encode("GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n");
  const client = async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    const buf = new Uint8Array(256 * 1024);
    try {
      for (;;) {
        try {
          await conn.write(request);
        } catch {
          unanswered++;
          return;
        }
        let got = 0, need = -1, head = "";
        for (;;) {
          const n = await conn.read(buf).catch(() => null);
          if (n === null) {
            if (got === 0 && head === "") unanswered++;
            else cut++;
            return;
          }
          if (need < 0) {
            head += dec.decode(buf.subarray(0, n));
            const end = head.indexOf("\r\n\r\n");
            if (end < 0) continue;
            need = Number(/Content-Length: (\d+)/.exec(head)![1]);
            got = head.length - end - 4;
          } else got += n;
          if (got >= need) break;
        }
        if (got === size) complete++;
        else errors++;
      }
    } finally {
      conn.close();
    }
  };
  const clients = Array.from({ length: 20 }, client);
  await delay(3000);
  const before = complete;
  const exit = await stop(s);
  await Promise.all(clients);
  await Deno.remove(dir, { recursive: true });
  report("SIGTERM under load (20 clients, 4 MiB downloads)", {
    complete_before_signal: before,
    complete,
    cut_half_written: cut,
    unanswered_after_close: unanswered,
    errors,
    exit,
  });
}

/** More clients than `ulimit -n 64` allows; then recovery. */
async function fdlimit(): Promise<void> {
  const s = await start(["bench/soak/server.ts", "0"], 64);
  const pid = s.child.pid;
  const held: Deno.Conn[] = [];
  for (let i = 0; i < 300; i++) {
    const c = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
    await c.write(enc.encode("GET / HTTP/1.1\r\n"));
    held.push(c);
  }
  await delay(2000);
  const fds_held = fds(pid);
  for (const c of held) c.close();
  const t0 = Date.now();
  let recovered_ms = -1;
  while (Date.now() - t0 < 10_000) {
    try {
      const r = await stats(s.port);
      if (r.served >= 0) {
        recovered_ms = Date.now() - t0;
        break;
      }
    } catch {
      await delay(50);
    }
  }
  const after = await wrk(s.port, 20, 5);
  await delay(1000);
  const fds_after = fds(pid);
  const exit = await stop(s);
  const stderr = await s.stderr;
  report("fd exhaustion (ulimit -n 64, 300 held clients)", {
    accept_errors_logged:
      stderr.match(/Error accepting a connection/g)?.length ?? 0,
    fds_while_held: fds_held,
    recovered_ms,
    requests_after: after.requests,
    errors_after: after.errors + after.non2xx,
    fds_after,
    exit,
  });
}

/** Uploads spooled to a 1 MiB tmpfs: 500 and no partial file (needs root). */
async function diskfull(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "soak_fs_" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir],
    stderr: "null",
  }).output();
  if (!mount.success) {
    report("disk full", { skipped: "cannot mount a tmpfs" });
    await Deno.remove(dir);
    return;
  }
  try {
    const s = await start(["bench/soak/post_server.ts", "0", dir]);
    const codes: Record<number, number> = {};
    let resets = 0;
    for (let i = 0; i < 50; i++) {
      const form = new FormData();
      form.append("f", new File([new Uint8Array(600 * 1024)], "f.bin"));
      form.append("g", new File([new Uint8Array(600 * 1024)], "g.bin"));
      try {
        const res = await fetch(`http://127.0.0.1:${s.port}/`, {
          method: "POST",
          body: form,
        });
        await res.body?.cancel();
        codes[res.status] = (codes[res.status] ?? 0) + 1;
      } catch {
        // The server answered 500 and closed while the upload was still
        // being sent: the client may see a reset instead of the answer.
        resets++;
      }
    }
    const small = new FormData();
    small.append("a", "1");
    const ok = await fetch(`http://127.0.0.1:${s.port}/`, {
      method: "POST",
      body: small,
    });
    await ok.body?.cancel();
    report("disk full while spooling (1 MiB tmpfs, 50 uploads of 1.2 MB)", {
      statuses: codes,
      resets,
      small_form_after: ok.status,
      files_left: [...Deno.readDirSync(dir)].length,
      exit: await stop(s),
    });
  } finally {
    await new Deno.Command("umount", { args: [dir] }).output();
    await Deno.remove(dir, { recursive: true });
  }
}

const scenarios: Record<string, () => Promise<void>> = {
  keepalive,
  churn,
  slowloris,
  million,
  sigterm,
  fdlimit,
  diskfull,
};
const chosen = Deno.args.length ? Deno.args : Object.keys(scenarios);
for (const name of chosen) {
  const run = scenarios[name];
  if (!run) throw new Error(`Unknown scenario "${name}"`);
  await run();
}
