/** Helpers for the load benchmarks: start a server process, run wrk on it. */

/** A server under test, in its own process. */
export interface ServerProcess extends AsyncDisposable {
  port: number;
  child: Deno.ChildProcess;
}

const hasTaskset = await new Deno.Command("sh", {
  args: ["-c", "command -v taskset"],
  stdout: "null",
})
  .output().then((o) => o.success, () => false);
const cores = navigator.hardwareConcurrency;

/** Runs `cmd args` pinned to CPU `cpu` when taskset is present and there are cores enough. */
export function pinned(
  cpu: number,
  cmd: string,
  args: string[],
): [string, string[]] {
  return hasTaskset && cores >= 2
    ? ["taskset", ["-c", String(cpu), cmd, ...args]]
    : [cmd, args];
}

let nextPort = 18000 + Math.floor(Math.random() * 1000);

/** Starts `deno run -A script port` (or another command) and waits for it to print "ready". */
export async function start(
  args: string[],
  cmd = Deno.execPath(),
): Promise<ServerProcess> {
  const port = nextPort++;
  const [c, a] = pinned(0, cmd, [...args, String(port)]);
  const child = new Deno.Command(c, {
    args: a,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) {
      throw new Error(`Server ${args.join(" ")} exited before it was ready`);
    }
    seen += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    port,
    child,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
    },
  };
}

/** The result of one wrk run. */
export interface WrkResult {
  rps: number;
  errors: number;
  latency_p99: string;
}

/** Runs wrk against `url`; returns requests/s and the count of socket errors and non-2xx answers. */
export async function wrk(
  url: string,
  connections: number,
  seconds: number,
  extra: string[] = [],
): Promise<WrkResult> {
  const [c, a] = pinned(1, "wrk", [
    "-t1",
    `-c${connections}`,
    `-d${seconds}s`,
    "--latency",
    ...extra,
    url,
  ]);
  const out = await new Deno.Command(c, {
    args: a,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const errs =
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
      text,
    );
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const errors = (errs ? errs.slice(1).reduce((s, v) => s + Number(v), 0) : 0) +
    non2xx;
  const latency_p99 = /^\s*99%\s+(\S+)/m.exec(text)?.[1] ?? "?";
  return { rps, errors, latency_p99 };
}

/** Whether wrk is installed. */
export async function haveWrk(): Promise<boolean> {
  try {
    return (await new Deno.Command("wrk", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output()) !== null;
  } catch {
    return false;
  }
}
