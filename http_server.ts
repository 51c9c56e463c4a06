/**
 * Python's `http.server` for Deno: request handler classes and HTTP servers
 * on raw TCP connections, with Python's names, so that Python code ports
 * line by line.
 *
 * @example
 * ```ts
 * import { BaseHTTPRequestHandler, ThreadingHTTPServer } from "./http_server.ts";
 * import assert from "node:assert/strict";
 *
 * class Handler extends BaseHTTPRequestHandler {
 *   async do_GET() {
 *     this.send_response(200);
 *     this.send_header("Content-Type", "text/plain; charset=utf-8");
 *     this.end_headers();
 *     await this.wfile.write("Hello\n");
 *   }
 *   override log_message() {}
 * }
 *
 * await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Handler);
 * server.serve_forever();
 * const res = await fetch(`http://127.0.0.1:${server.server_port}/`);
 * assert.equal(await res.text(), "Hello\n");
 * ```
 *
 * Run as a script, it is `python -m http.server`: it serves the working
 * directory (`deno task serve [port] [-b ADDR] [-d DIR] ...`; `--help` lists
 * the options).
 *
 * @module
 */

import { main } from "./_cli/main.ts";

export { HTTPRequestError, type RFile } from "./_protocol/rfile.ts";
export {
  BaseHTTPRequestHandler,
  DEFAULT_ERROR_CONTENT_TYPE,
  DEFAULT_ERROR_MESSAGE,
} from "./_handler/base_handler.ts";
export { CGIHTTPRequestHandler } from "./_cgi/cgi_handler.ts";
export { HTTPMessage } from "./_protocol/message.ts";
export {
  HTTPServer,
  type HTTPServerOptions,
  type RequestHandlerClass,
} from "./_server/server.ts";
export { KeyboardInterrupt } from "./_server/interrupt.ts";
export {
  type ServerClass,
  ThreadingHTTPServer,
  ThreadingMixIn,
} from "./_server/threading.ts";
export {
  type HeadBody,
  SimpleHTTPRequestHandler,
} from "./_static/simple_handler.ts";
export { test, type TestOptions } from "./_cli/main.ts";
export {
  HTTPSServer,
  type HTTPSServerOptions,
  ThreadingHTTPSServer,
} from "./_server/tls_server.ts";
export type { WFile } from "./_protocol/wfile.ts";
export { clear_stale_socket } from "./_server/unix_server.ts";
export {
  type AddressRange,
  forwarded_of,
  type ForwardedInfo,
} from "./_server/forwarded.ts";
export {
  type FetchHandler,
  FetchServer,
  handler_to_fetch,
  type HandlerToFetchOptions,
} from "./_transport/fetch.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
