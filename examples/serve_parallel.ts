/**
 * A handler class under `deno serve`: Deno's own server on every core
 * (`--parallel` starts one worker per CPU, `DENO_JOBS` sets how many),
 * HTTP/2 included when it serves TLS.
 *
 *     deno serve --parallel --port 8086 examples/serve_parallel.ts
 *     curl -i 'http://127.0.0.1:8086/?foo=bar'
 *
 * The module exports `{ fetch }` and does nothing on import, so the same
 * file deploys to Deno Deploy.
 *
 * @module
 */

import { BaseHTTPRequestHandler, handler_to_fetch } from "../mod.ts";

/** Says hello and which worker answered. */
export class ParallelHandler extends BaseHTTPRequestHandler {
  /** Keep-alive, as Deno.serve's own responses. */
  override protocol_version = "HTTP/1.1";

  /** Answers with the path and this worker's id. */
  async do_GET(): Promise<void> {
    const body = `Hello from worker ${worker_id} for ${this.path}\n`;
    this.send_response(200);
    this.send_header("Content-Type", "text/plain; charset=utf-8");
    this.send_header(
      "Content-Length",
      String(new TextEncoder().encode(body).length),
    );
    this.end_headers();
    await this.wfile.write(body);
  }

  /** Quiet unless `VERBOSE` is in the environment (no log line per request under load). */
  override log_message(format: string, ...args: unknown[]): void {
    if (verbose) super.log_message(format, ...args);
  }
}

/** Tells the workers of `deno serve --parallel` apart. */
const worker_id = crypto.randomUUID().slice(0, 8);
const verbose = (() => {
  try {
    return Deno.env.get("VERBOSE") !== undefined;
  } catch {
    return false;
  }
})();

export default {
  fetch: handler_to_fetch(ParallelHandler),
} satisfies Deno.ServeDefaultExport;
