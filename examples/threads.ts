/**
 * The spec's threading server: each connection is served by its own task,
 * named as Python names threads (`Thread-1`, `Thread-2` ...).
 *
 * Python runs each connection in a thread; Deno serves each connection as a
 * concurrent task on one event loop, so handlers overlap while they wait on
 * I/O. The names are the handler's own count of the tasks it started.
 *
 *     deno run --allow-net examples/threads.ts [port]
 *     curl http://127.0.0.1:8083/
 *
 * @module
 */

import { BaseHTTPRequestHandler, HTTPServer, ThreadingMixIn } from "../mod.ts";

let tasks = 0;

/** Answers every GET with the name of the task serving the connection. */
export class Handler extends BaseHTTPRequestHandler {
  /** This connection's task name. */
  name = "";

  /** Names the task when the connection starts. */
  override setup(): void {
    this.name = `Thread-${++tasks}`;
  }

  /** Sends the task's name. */
  async do_GET(): Promise<void> {
    this.send_response(200);
    this.send_header("Content-Type", "text/plain; charset=utf-8");
    this.end_headers();
    await this.wfile.write(this.name);
    await this.wfile.write("\n");
  }
}

/** Handles each connection in its own task. */
export class ThreadedHTTPServer extends ThreadingMixIn(HTTPServer) {}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? 8083);
  const server = new ThreadedHTTPServer(["127.0.0.1", port], Handler);
  console.log("Starting server, use <Ctrl-C> to stop");
  Deno.addSignalListener("SIGINT", () => server.shutdown());
  await server.serve_forever();
  server.server_close();
  Deno.exit(0);
}
