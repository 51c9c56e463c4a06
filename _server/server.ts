/**
 * `HTTPServer`: Python's serial server on `Deno.listen`.
 *
 * @module
 */

import { close_conn, Connection } from "../_protocol/conn.ts";
import type { BaseHTTPRequestHandler } from "../_handler/base_handler.ts";
import { escape_control, percent_format } from "../_common/pyformat.ts";
import {
  on_shutdown_request,
  report_stopped,
  worker_role,
  WorkerPool,
  type WorkerRole,
} from "./workers.ts";
import { KeyboardInterrupt, watch_interrupt } from "./interrupt.ts";
import {
  client_address_of,
  listen_unix,
  remove_socket_file,
  unix_path,
} from "./unix_server.ts";
import { type AddressRange, parse_address_range } from "./forwarded.ts";
import { behind_proxy } from "./behind_proxy.ts";

/** A handler class: what `HTTPServer` makes one of per connection. */
export type RequestHandlerClass = new (
  request: Deno.Conn,
  client_address: [string, number],
  server: HTTPServer,
) => BaseHTTPRequestHandler;

/** Options of {@linkcode HTTPServer} beyond Python's arguments. */
export interface HTTPServerOptions {
  /** Shuts the server down when aborted. */
  signal?: AbortSignal;
  /**
   * Threads that serve the port, the main one included: Deno's form of
   * Python's `ForkingMixIn`. `serve_forever()` starts `workers - 1` worker
   * threads, each running the program's main module again (as a fork
   * would), whose server, built by the same code, accepts on the same port
   * (`SO_REUSEPORT`, Linux and macOS; needs `--unstable-net`, and read
   * permission for the main module, which each worker loads). A worker
   * that dies is restarted; `shutdown()` stops them all.
   *
   * @default {1}
   */
  workers?: number;
  /**
   * Read a PROXY protocol header (v1 or v2: HAProxy, AWS NLB, nginx
   * `proxy_protocol`) before each connection's first request: the client
   * it names becomes `client_address`. A connection without a valid one
   * is closed without a response; the header must come within the
   * handler's header timeout. Only for a port that nothing but the proxy
   * can reach: the header is believed from any peer.
   *
   * @default {false}
   */
  proxy_protocol?: boolean;
  /**
   * Proxies to believe, as `ADDR[/BITS]`: from a peer in one of these
   * ranges, `Forwarded` (RFC 7239) or `X-Forwarded-For` set
   * `client_address` (the right-most address that is not itself a trusted
   * proxy), and `forwarded_of(handler)` gives the forwarded scheme and
   * host. From any other peer the headers are ignored.
   */
  trust_proxy?: readonly string[];
}

const encoder = new TextEncoder();
const MAX_ACCEPT_BACKOFF_MS = 1000;

function is_wildcard(host: string): boolean {
  return host === "" || host === "0.0.0.0" || host === "::";
}

/**
 * An HTTP server on a TCP socket, as Python's `http.server.HTTPServer`: it
 * serves one connection at a time, making a handler of
 * `RequestHandlerClass` for each. For concurrent connections use
 * {@linkcode ThreadingHTTPServer}.
 *
 * `serve_forever()` runs until `shutdown()`; `await using` or
 * `server_close()` release the socket.
 *
 * @example
 * ```ts
 * import { BaseHTTPRequestHandler, HTTPServer } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * class Handler extends BaseHTTPRequestHandler {
 *   async do_GET() {
 *     this.send_response(204);
 *     this.end_headers();
 *   }
 *   override log_message() {}
 * }
 *
 * const server = new HTTPServer(["127.0.0.1", 0], Handler);
 * const serving = server.serve_forever();
 * const res = await fetch(`http://127.0.0.1:${server.server_port}/`);
 * assert.equal(res.status, 204);
 * await server.shutdown();
 * await serving;
 * server.server_close();
 * ```
 */
export class HTTPServer {
  /** The handler class. */
  RequestHandlerClass: RequestHandlerClass;
  /** The `[host, port]` the server listens on; the real port after binding. */
  server_address: [string, number];
  /** The host name of the server. */
  server_name = "";
  /** The port the server listens on. */
  server_port = 0;
  /** The listening socket, once bound. */
  socket: Deno.Listener | null = null;
  /** Seconds `shutdown()` lets in-flight requests run before closing them. */
  shutdown_timeout = 5;
  /** Most connections served at once (with {@linkcode ThreadingMixIn}). */
  max_connections = 1024;

  #connections = new Set<Connection>();
  #role: WorkerRole | null = worker_role();
  #workers = 1;
  #pool: WorkerPool | null = null;
  #shutdown_requested = false;
  #serving: Promise<void> | null = null;
  #proxy_protocol = false;
  #trusted: AddressRange[] = [];

  /**
   * Makes a server and, unless told not to, binds it.
   *
   * @param server_address `[host, port]`; `""` is every IPv4 address, port 0 any free port.
   * @param RequestHandlerClass The handler class.
   * @param bind_and_activate Whether to bind now (Python's argument).
   * @param options Options beyond Python's.
   */
  constructor(
    server_address: [string, number],
    RequestHandlerClass: RequestHandlerClass,
    bind_and_activate = true,
    options: HTTPServerOptions = {},
  ) {
    this.server_address = [server_address[0], server_address[1]];
    this.RequestHandlerClass = RequestHandlerClass;
    if (this.#role) {
      // A worker thread: serve the port the main thread bound.
      this.server_address[1] = this.#role.port;
      on_shutdown_request(() => void this.shutdown());
    } else {
      this.#workers = options.workers ?? 1;
    }
    if (bind_and_activate) {
      this.server_bind();
      this.server_activate();
    }
    this.#proxy_protocol = options.proxy_protocol ?? false;
    this.#trusted = (options.trust_proxy ?? []).map(parse_address_range);
    const signal = options.signal;
    if (signal?.aborted) {
      this.#shutdown_requested = true;
    } else {
      signal?.addEventListener("abort", () => void this.shutdown(), {
        once: true,
      });
    }
  }

  /** Opens the listening socket and records the real address. */
  server_bind(): void {
    const [host, port] = this.server_address;
    const path = unix_path(host);
    if (path !== null) {
      // Python's UnixStreamServer; the file goes when the server closes.
      this.socket = listen_unix(path);
      this.server_name = host;
      this.server_port = 0;
      return;
    }
    this.socket = this.listen(
      host === "" ? "0.0.0.0" : host,
      port,
      this.#role !== null || this.#workers > 1,
    );
    const addr = this.socket.addr as Deno.NetAddr;
    this.server_address = [addr.hostname, addr.port];
    this.server_name = is_wildcard(host) ? local_host_name() : host;
    this.server_port = addr.port;
  }

  /**
   * Opens the listening socket: `Deno.listen`; TLS servers override it.
   *
   * @param hostname The address to listen on.
   * @param port The port.
   * @param reuse_port Whether other threads will accept on the port too.
   * @returns The listener.
   */
  protected listen(
    hostname: string,
    port: number,
    reuse_port: boolean,
  ): Deno.Listener {
    return Deno.listen({
      hostname,
      port,
      transport: "tcp",
      ...(reuse_port ? { reusePort: true } : {}),
    });
  }

  /** Starts listening: done by `server_bind` on Deno, kept for Python code. */
  server_activate(): void {}

  /**
   * Accepts and serves connections until {@linkcode HTTPServer.shutdown}.
   *
   * @returns When the server stopped accepting and its connections ended.
   */
  serve_forever(): Promise<void> {
    if (!this.#serving) {
      this.#serving = this.#serve().finally(() => this.#serving = null);
    }
    return this.#serving;
  }

  /**
   * The accept loop; on the main thread, SIGINT stops it at once and
   * rejects with KeyboardInterrupt, unless the program's own SIGINT
   * listener shut the server down.
   */
  async #serve(): Promise<void> {
    if (this.#role) return await this.#accept_loop();
    let interrupted!: () => void;
    const interrupt = new Promise<"interrupted">((resolve) => {
      interrupted = () => resolve("interrupted");
    });
    const unwatch = watch_interrupt(() => {
      if (!this.#shutdown_requested) interrupted();
    });
    try {
      const loop = this.#accept_loop();
      if (await Promise.race([loop, interrupt]) === "interrupted") {
        this.#stop_accepting();
        loop.catch(() => {});
        throw new KeyboardInterrupt();
      }
    } finally {
      unwatch();
    }
  }

  async #accept_loop(): Promise<void> {
    if (this.#workers > 1 && !this.#pool) {
      this.#pool = new WorkerPool(Deno.mainModule, this.server_port, log);
      this.#pool.start(this.#workers);
    }
    try {
      await this.#accept_connections();
    } finally {
      if (this.#role) report_stopped();
    }
  }

  async #accept_connections(): Promise<void> {
    let backoff = 0;
    while (!this.#shutdown_requested) {
      while (this.#connections.size >= this.max_connections) {
        await Promise.race([...this.#connections].map((c) => c.done));
      }
      let conn: Deno.Conn;
      try {
        conn = await this.#listener().accept();
        backoff = 0;
      } catch (err) {
        if (this.#shutdown_requested || is_closed_listener(err)) break;
        // Out of file descriptors or a passing fault: wait and try again.
        backoff = Math.min(MAX_ACCEPT_BACKOFF_MS, backoff * 2 || 10);
        log(`Error accepting a connection (retrying in ${backoff} ms): ${err}`);
        await new Promise((r) => setTimeout(r, backoff));
        continue;
      }
      await this.#handle(conn);
    }
    const open = [...this.#connections];
    await Promise.all(open.map((c) => c.done));
  }

  #listener(): Deno.Listener {
    if (!this.socket) {
      throw new TypeError("Cannot serve: the server is not bound");
    }
    return this.socket;
  }

  async #handle(conn: Deno.Conn): Promise<void> {
    const io = new Connection(conn);
    if (this.#shutdown_requested) io.draining = true;
    this.#connections.add(io);
    io.done.then(() => this.#connections.delete(io));
    const client_address = client_address_of(conn.remoteAddr);
    try {
      (conn as Partial<Deno.TcpConn>).setNoDelay?.(true);
    } catch {
      // The client is already gone; the handler will find out.
    }
    if (this.verify_request(conn, client_address)) {
      await this.process_request(conn, client_address);
    } else {
      this.shutdown_request(conn);
    }
  }

  /**
   * Accepts one connection and serves it to its end.
   *
   * @returns When the connection is closed.
   */
  async handle_request(): Promise<void> {
    const conn = await this.#listener().accept();
    await this.#handle(conn);
    await Promise.all([...this.#connections].map((c) => c.done));
  }

  /**
   * Whether to serve a connection; `true` here. Override it to filter.
   *
   * @param _request The socket.
   * @param _client_address The client's `[host, port]`.
   * @returns Whether to serve it.
   */
  verify_request(
    _request: Deno.Conn,
    _client_address: [string, number],
  ): boolean {
    return true;
  }

  /**
   * Serves one connection and closes it. {@linkcode ThreadingMixIn}
   * overrides it to return at once.
   *
   * @param request The socket.
   * @param client_address The client's `[host, port]`.
   * @returns When the connection is served (here).
   */
  async process_request(
    request: Deno.Conn,
    client_address: [string, number],
  ): Promise<void> {
    try {
      await this.finish_request(request, client_address);
    } catch (err) {
      this.handle_error(request, client_address, err);
    } finally {
      this.shutdown_request(request);
    }
  }

  /**
   * Makes the handler and runs it.
   *
   * @param request The socket.
   * @param client_address The client's `[host, port]`.
   * @returns When the handler is done.
   */
  async finish_request(
    request: Deno.Conn,
    client_address: [string, number],
  ): Promise<void> {
    const handler = new this.RequestHandlerClass(request, client_address, this);
    if (this.#proxy_protocol || this.#trusted.length > 0) {
      const proxied = await behind_proxy(
        handler,
        this.#proxy_protocol,
        this.#trusted,
        log,
      );
      if (!proxied) return;
    }
    handler.setup();
    try {
      await handler.handle();
    } finally {
      handler.finish();
    }
  }

  /**
   * Closes a connection.
   *
   * @param request The socket.
   */
  shutdown_request(request: Deno.Conn): void {
    close_conn(request);
  }

  /**
   * Logs an exception raised while serving a request, as Python does, and
   * goes on serving.
   *
   * @param _request The socket.
   * @param client_address The client's `[host, port]`.
   * @param error What was thrown.
   */
  handle_error(
    _request: Deno.Conn,
    client_address: [string, number],
    error: unknown,
  ): void {
    const raw = error instanceof Error
      ? error.stack ?? String(error)
      : String(error);
    // The message may quote the request (a target with ESC sequences, a
    // U+202E): escape each line as the log lines are, keep the line breaks.
    const trace = raw.split("\n").map(escape_control).join("\n");
    log(
      "-".repeat(40) + "\n" +
        percent_format(
          "Exception occurred during processing of request from %s",
          [client_address],
        ) + "\n" + trace + "\n" + "-".repeat(40),
    );
  }

  /**
   * Stops accepting, closes idle connections, lets requests in progress
   * finish for up to `shutdown_timeout` seconds, then closes what is left.
   *
   * @returns When every connection is closed.
   */
  async shutdown(): Promise<void> {
    this.#stop_accepting();
    const pool = this.#pool?.stop((this.shutdown_timeout + 1) * 1000);
    const all = Promise.all([...this.#connections].map((c) => c.done));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.shutdown_timeout * 1000);
    });
    await Promise.race([all, timeout]);
    clearTimeout(timer);
    for (const io of this.#connections) io.close("shutdown");
    await pool;
    // An interrupted serve_forever() rejects to its own caller, not here.
    await this.#serving?.catch(() => {});
  }

  /** Closes the listening socket and the idle connections; the rest drain. */
  #stop_accepting(): void {
    this.#shutdown_requested = true;
    try {
      this.socket?.close();
    } catch {
      // Already closed by server_close().
    }
    remove_socket_file(this.socket);
    for (const io of this.#connections) {
      io.draining = true;
      if (io.idle) io.close("shutdown");
    }
  }

  /** Closes the listening socket and every connection at once. */
  server_close(): void {
    this.#shutdown_requested = true;
    try {
      this.socket?.close();
    } catch {
      // Already closed by shutdown().
    }
    remove_socket_file(this.socket);
    for (const io of this.#connections) io.close("shutdown");
  }

  /** Shuts down and closes: for `await using`. @returns When done. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
    this.server_close();
  }
}

function is_closed_listener(err: unknown): boolean {
  return err instanceof Deno.errors.BadResource ||
    err instanceof Deno.errors.Interrupted;
}

function local_host_name(): string {
  try {
    if (
      Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state ===
        "granted"
    ) {
      return Deno.hostname();
    }
  } catch {
    // No permission API or no host name: fall through.
  }
  return "localhost";
}

function log(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text + "\n"));
}
