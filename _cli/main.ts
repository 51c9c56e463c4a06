/**
 * The command line of `python -m http.server`, and Python's `test()`.
 *
 * @module
 */

import { CGIHTTPRequestHandler } from "../_cgi/cgi_handler.ts";
import { CliError, type CliOptions, parse_args, USAGE } from "./args.ts";
import { BaseHTTPRequestHandler } from "../_handler/base_handler.ts";
import type {
  HTTPServer,
  HTTPServerOptions,
  RequestHandlerClass,
} from "../_server/server.ts";
import { type ServerClass, ThreadingHTTPServer } from "../_server/threading.ts";
import { SimpleHTTPRequestHandler } from "../_static/simple_handler.ts";
import {
  type HTTPSServerOptions,
  ThreadingHTTPSServer,
} from "../_server/tls_server.ts";
import { worker_role } from "../_server/workers.ts";
import { clear_stale_socket, unix_path } from "../_server/unix_server.ts";
import { start_warnings } from "./upload_options.ts";
import { configured_handler } from "./configure.ts";
import { read_password_file } from "../_server/tls_key.ts";

/** What {@linkcode test} runs. */
export interface TestOptions {
  /** The handler class; Python's default is `BaseHTTPRequestHandler`. */
  HandlerClass?: RequestHandlerClass;
  /** The server class (default {@linkcode ThreadingHTTPServer}). */
  ServerClass?: ServerClass;
  /** The handler's `protocol_version` (default `"HTTP/1.0"`, as Python). */
  protocol?: string;
  /** The port (default 8000). */
  port?: number;
  /** The address; by default every address, IPv6 and IPv4 where possible. */
  bind?: string;
  /** Certificate chain (PEM) for HTTPS. */
  tls_cert?: string;
  /** Private key (PEM) for HTTPS. */
  tls_key?: string;
  /** The password of an encrypted `tls_key` (Python 3.14's `tls_password`). */
  tls_password?: string;
  /**
   * Threads serving the port, the main one included (see
   * `HTTPServerOptions.workers`; needs `--unstable-net`).
   *
   * @default {1}
   */
  workers?: number;
  /** Stops the server when aborted (Ctrl-C and SIGTERM always do). */
  signal?: AbortSignal;
  /** Read a PROXY protocol header first (see `HTTPServerOptions.proxy_protocol`). */
  proxy_protocol?: boolean;
  /** Trusted proxies, `ADDR[/BITS]` (see `HTTPServerOptions.trust_proxy`). */
  trust_proxy?: readonly string[];
}

function print(text: string): void {
  console.log(text);
}

// Python's DualStackServer: "::" takes IPv4 as well where the system allows;
// without IPv6, fall back to every IPv4 address.
function open_server(
  ServerClass: ServerClass,
  bind: string | undefined,
  port: number,
  Handler: RequestHandlerClass,
  server_options: HTTPServerOptions | HTTPSServerOptions,
): HTTPServer {
  if (bind !== undefined) {
    return new ServerClass([bind, port], Handler, true, server_options);
  }
  try {
    return new ServerClass(["::", port], Handler, true, server_options);
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) throw err;
    return new ServerClass(["0.0.0.0", port], Handler, true, server_options);
  }
}

// Ctrl-C and SIGTERM print Python's goodbye and shut the server down; the
// returned function removes the listeners.
function stop_on_signals(server: HTTPServer): () => void {
  let stopping = false;
  const stop = () => {
    // A signal can come twice (deno task forwards it to its child as well).
    if (stopping) return;
    stopping = true;
    print("\nKeyboard interrupt received, exiting.");
    void server.shutdown();
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT"]
    : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  return () => {
    for (const s of signals) Deno.removeSignalListener(s, stop);
  };
}

/**
 * Runs a server until Ctrl-C or SIGTERM, as Python's `http.server.test()`:
 * prints `Serving HTTP on ADDR port N (http://ADDR:N/) ...`, and on a
 * signal Python's goodbye. Throws when the server cannot start (such as a
 * port in use). Python's positional form,
 * `test(HandlerClass, ServerClass, protocol, port, bind)`, works too.
 *
 * @example
 * ```ts
 * import { SimpleHTTPRequestHandler, test } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const stop = new AbortController();
 * class Quiet extends SimpleHTTPRequestHandler {
 *   override log_message() {}
 * }
 * const done = test({ HandlerClass: Quiet, port: 0, bind: "127.0.0.1", signal: stop.signal });
 * stop.abort();
 * assert.equal(await done, undefined);
 * ```
 *
 * @param options The handler, server, protocol, port and address.
 * @returns When the server has stopped.
 */
export function test(options?: TestOptions): Promise<void>;
/**
 * Python's positional form: `test(HandlerClass, ServerClass, protocol,
 * port, bind)`.
 *
 * @example
 * ```ts ignore
 * import { SimpleHTTPRequestHandler, test, ThreadingHTTPServer } from "../mod.ts";
 *
 * await test(SimpleHTTPRequestHandler, ThreadingHTTPServer, "HTTP/1.1", 8000);
 * ```
 *
 * @param HandlerClass The handler class.
 * @param ServerClass The server class.
 * @param protocol The handler's `protocol_version`.
 * @param port The port.
 * @param bind The address.
 * @returns When the server has stopped.
 */
export function test(
  HandlerClass: RequestHandlerClass,
  ServerClass?: ServerClass,
  protocol?: string,
  port?: number,
  bind?: string,
): Promise<void>;
export async function test(
  first: TestOptions | RequestHandlerClass = {},
  ServerClass?: ServerClass,
  protocol?: string,
  port?: number,
  bind?: string,
): Promise<void> {
  const options: TestOptions = typeof first === "function"
    ? {
      HandlerClass: first,
      ...(ServerClass !== undefined ? { ServerClass } : {}),
      ...(protocol !== undefined ? { protocol } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(bind !== undefined ? { bind } : {}),
    }
    : first;
  const Handler: RequestHandlerClass = options.HandlerClass ??
    BaseHTTPRequestHandler;
  const protocol_version = options.protocol ?? "HTTP/1.0";
  class ProtocolHandler extends Handler {
    override protocol_version = protocol_version;
  }
  const tls = options.tls_cert !== undefined;
  const workers = options.workers ?? 1;
  const proxy = {
    ...(options.proxy_protocol ? { proxy_protocol: true } : {}),
    ...(options.trust_proxy ? { trust_proxy: options.trust_proxy } : {}),
  };
  const socket_path = unix_path(options.bind ?? "");
  // A crashed run's socket is replaced, a live server's never.
  if (socket_path !== null) await clear_stale_socket(socket_path);
  const server = open_server(
    options.ServerClass ?? (tls ? ThreadingHTTPSServer : ThreadingHTTPServer),
    options.bind,
    options.port ?? 8000,
    ProtocolHandler,
    tls
      ? {
        certfile: options.tls_cert!,
        keyfile: options.tls_key,
        ...(options.tls_password !== undefined
          ? { password: options.tls_password }
          : {}),
        workers,
        ...proxy,
      }
      : { workers, ...proxy },
  );
  // A worker thread (see `workers`) serves quietly; the main thread speaks
  // and takes the signals for all. It listens before the banner: a client
  // may act on the banner at once.
  const main_thread = worker_role() === null;
  const unlisten = main_thread ? stop_on_signals(server) : () => {};
  if (main_thread && socket_path !== null) {
    print(`Serving HTTP on unix:${socket_path} ...`);
  } else if (main_thread) {
    const [host, real_port] = server.server_address;
    const url_host = host.includes(":") ? `[${host}]` : host;
    const scheme = tls ? "HTTPS" : "HTTP";
    print(
      `Serving ${scheme} on ${host} port ${real_port} (${scheme.toLowerCase()}://${url_host}:${real_port}/) ...`,
    );
  }
  options.signal?.addEventListener("abort", () => void server.shutdown(), {
    once: true,
  });
  try {
    await server.serve_forever();
  } finally {
    unlisten();
    server.server_close();
  }
}

function env_init_cwd(): string | undefined {
  const state =
    Deno.permissions.querySync({ name: "env", variable: "INIT_CWD" }).state;
  return state === "granted" ? Deno.env.get("INIT_CWD") : undefined;
}

// Why the server could not start, in one line, no stack trace: these are
// the user's mistakes (a port in use, an unreadable certificate), not ours.
function start_error(err: unknown, options: CliOptions): string {
  const what = err instanceof Error ? err.message : String(err);
  const tls = options.tls_cert !== undefined;
  if (err instanceof Deno.errors.AddrInUse && unix_path(options.bind ?? "")) {
    return what;
  }
  if (err instanceof Deno.errors.AddrInUse) {
    return `port ${options.port} is in use: ${what}`;
  }
  if (
    tls && (err instanceof Deno.errors.NotFound ||
      err instanceof Deno.errors.PermissionDenied ||
      err instanceof Deno.errors.NotCapable ||
      err instanceof Deno.errors.IsADirectory)
  ) {
    return `cannot read the certificate or key: ${what}`;
  }
  if (tls && err instanceof Deno.errors.InvalidData) {
    return `cannot use the certificate or key: ${what}`;
  }
  const where = `${options.bind ?? "all interfaces"} port ${options.port}`;
  return `cannot serve on ${where}: ${what}`;
}

function fail(message: string): number {
  console.error(`http_server.ts: error: ${message}`);
  return 1;
}

/**
 * Runs the command line (`deno task serve`, `deno run http_server.ts`).
 *
 * @param args The arguments after the script name.
 * @returns The exit status.
 */
export async function main(args: readonly string[]): Promise<number> {
  let options;
  try {
    options = parse_args(args, { cwd: Deno.cwd(), init_cwd: env_init_cwd() });
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    console.error(USAGE.split("\n\n", 1)[0]);
    console.error(`http_server.ts: error: ${err.message}`);
    return 2;
  }
  if (options.help) {
    print(USAGE.trimEnd());
    return 0;
  }
  if (
    (await Deno.permissions.request({ name: "read", path: options.directory }))
      .state !== "granted"
  ) {
    return fail(
      `serving '${options.directory}' needs permission to read it: deno run --allow-net --allow-read http_server.ts`,
    );
  }
  try {
    if (!(await Deno.stat(options.directory)).isDirectory) {
      return fail(`not a directory: '${options.directory}'`);
    }
  } catch {
    return fail(`no such directory: '${options.directory}'`);
  }
  if (
    options.cgi &&
    (await Deno.permissions.request({ name: "run" })).state !== "granted"
  ) {
    return fail(
      "--cgi needs permission to run scripts: deno run --allow-net --allow-read --allow-env --allow-run http_server.ts --cgi",
    );
  }
  if (
    options.upload && (await Deno.permissions.request({
        name: "write",
        path: options.directory,
      })).state !== "granted"
  ) {
    return fail(
      `--upload needs permission to write to the directory: deno run --allow-net --allow-read --allow-write=${options.directory} http_server.ts --upload`,
    );
  }
  for (const line of start_warnings(options)) console.error(line);
  const Base = options.cgi ? CGIHTTPRequestHandler : SimpleHTTPRequestHandler;
  const Handler = configured_handler(Base, options);
  try {
    await test({
      HandlerClass: Handler,
      protocol: options.protocol,
      port: options.port,
      workers: options.workers,
      proxy_protocol: options.proxy_protocol,
      trust_proxy: options.trust_proxy,
      ...(options.bind !== undefined ? { bind: options.bind } : {}),
      ...(options.tls_cert !== undefined ? { tls_cert: options.tls_cert } : {}),
      ...(options.tls_key !== undefined ? { tls_key: options.tls_key } : {}),
      ...(options.tls_password_file !== undefined
        ? { tls_password: read_password_file(options.tls_password_file) }
        : {}),
    });
  } catch (err) {
    return fail(start_error(err, options));
  }
  return 0;
}
