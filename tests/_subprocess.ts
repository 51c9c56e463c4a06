/**
 * Test helpers for subprocesses: a server script started with `deno` that is
 * ready once it prints its banner, the port a process listens on, and curl.
 *
 * @module
 */

/** The repository's root directory, with a trailing slash. */
export const ROOT: string = new URL("..", import.meta.url).pathname;

const decoder = new TextDecoder();

/** A server process started by {@linkcode spawn_server}. */
export interface Spawned extends AsyncDisposable {
  /** The process. */
  child: Deno.ChildProcess;
  /** Its first line of output, without the newline. */
  banner: string;
  /** The port of a `Serving HTTP on ... port N ...` banner; NaN otherwise. */
  port: number;
  /** All of stdout (the banner included), once the process ends. */
  stdout: Promise<string>;
  /** All of stderr, once the process ends. */
  stderr: Promise<string>;
  /** What the process has printed to stdout so far. */
  readonly stdout_so_far: string;
  /** What the process has printed to stderr so far. */
  readonly stderr_so_far: string;
  /** Sends `signal` (default SIGINT) and resolves with the exit status. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Options of {@linkcode spawn_server}. */
export interface SpawnOptions {
  /** Working directory (default the repository's root). */
  cwd?: string;
  /** Variables set on top of this process's environment. */
  env?: Record<string, string>;
  /** Run under `ulimit -n` with this many file descriptors. */
  nofile?: number;
}

/**
 * Runs `deno <args>` and resolves once it has printed its first line (the
 * banner of `http_server.ts` and of the examples), or rejects with its
 * stderr if it ends first. Disposing it sends SIGTERM (which `deno task`
 * passes on, where SIGKILL would leave the server it started holding our
 * pipes) and waits for the end of the process and of its output.
 *
 * The environment is this one's without INIT_CWD (which `deno task test`
 * sets and `deno task serve` would keep: the task under test sets its own),
 * with NO_COLOR, and `options.env` on top.
 */
export async function spawn_server(
  args: string[],
  options: SpawnOptions = {},
): Promise<Spawned> {
  const env = Deno.env.toObject();
  delete env.INIT_CWD;
  const command = options.nofile === undefined
    ? { cmd: Deno.execPath(), args }
    : {
      cmd: "sh",
      args: [
        "-c",
        `ulimit -n ${options.nofile} && exec "$0" "$@"`,
        Deno.execPath(),
        ...args,
      ],
    };
  const child = new Deno.Command(command.cmd, {
    args: command.args,
    cwd: options.cwd ?? ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    clearEnv: true,
    env: { ...env, NO_COLOR: "1", ...options.env },
  }).spawn();
  const printed = { stdout: "", stderr: "" };
  const first_line = Promise.withResolvers<boolean>();
  const collect = async (
    stream: ReadableStream<Uint8Array>,
    name: "stdout" | "stderr",
  ) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      printed[name] += text;
      if (printed.stdout.includes("\n")) first_line.resolve(true);
    }
    return printed[name];
  };
  const stdout = collect(child.stdout, "stdout").finally(() =>
    first_line.resolve(false)
  );
  const stderr = collect(child.stderr, "stderr");
  if (!(await first_line.promise)) {
    await child.status;
    throw new Error(`deno ${args.join(" ")} exited early: ${await stderr}`);
  }
  const seen = printed.stdout;
  const banner = seen.slice(0, seen.indexOf("\n"));
  const stop = async (signal: Deno.Signal = "SIGINT") => {
    child.kill(signal);
    return await child.status;
  };
  return {
    child,
    banner,
    port: Number(/^Serving HTTPS? on \S+ port (\d+) /.exec(banner)?.[1]),
    stdout,
    stderr,
    get stdout_so_far() {
      return printed.stdout;
    },
    get stderr_so_far() {
      return printed.stderr;
    },
    stop,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already stopped.
      }
      await child.status;
      await stdout;
      await stderr;
    },
  };
}

async function output_of(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "null",
  }).output();
  return decoder.decode(out.stdout);
}

/**
 * The TCP port that process `pid` listens on, for a server that binds port 0
 * and prints no port (the spec's examples print only "Starting server"): its
 * socket inodes from `/proc/<pid>/fd`, matched with the listening sockets of
 * `/proc/net/tcp` and `tcp6` (Linux; by `ls` and `cat`, since Deno reads
 * `/proc` only with --allow-all).
 */
export async function listening_port(pid: number): Promise<number> {
  const fds = await output_of("ls", ["-l", `/proc/${pid}/fd`]);
  const inodes = new Set(
    [...fds.matchAll(/socket:\[(\d+)\]/g)].map((m) => m[1]),
  );
  const tables = await output_of("cat", ["/proc/net/tcp", "/proc/net/tcp6"]);
  for (const line of tables.split("\n")) {
    // sl local_address rem_address st ... uid timeout inode; 0A is LISTEN.
    const f = line.trim().split(/\s+/);
    if (f[3] === "0A" && inodes.has(f[9])) {
      return parseInt(f[1]!.split(":")[1]!, 16);
    }
  }
  throw new Error(`Process ${pid} listens on no TCP port.`);
}

let curl_version_promise: Promise<string | null> | undefined;

/** The version of the installed curl (`8.5.0`), or null without one. */
export function curl_version(): Promise<string | null> {
  curl_version_promise ??= new Deno.Command("curl", {
    args: ["--version"],
    stdout: "piped",
    stderr: "null",
  }).output().then(
    (o) =>
      o.success
        ? /^curl (\S+)/.exec(decoder.decode(o.stdout))?.[1] ?? null
        : null,
    () => null,
  );
  return curl_version_promise;
}

/** What {@linkcode curl} returns. */
export interface CurlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs `curl -s <args>` in the repository's root. */
export async function curl(...args: string[]): Promise<CurlResult> {
  const out = await new Deno.Command("curl", {
    args: ["-s", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
    code: out.code,
  };
}

/** What {@linkcode run_deno} returns. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno <args>` to its end (for the error paths and one-shot scripts),
 * in `cwd` (default the repository's root), with NO_COLOR.
 */
export async function run_deno(
  args: string[],
  cwd: string = ROOT,
): Promise<RunResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}
