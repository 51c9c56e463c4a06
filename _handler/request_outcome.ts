/**
 * What happens after a handler's `do_*` method: a response it left
 * unstarted or unfinished, and an error it threw, each logged and answered
 * where the client can still be told.
 *
 * @module
 */

import { HTTPRequestError } from "../_protocol/rfile.ts";
import type { BaseHTTPRequestHandler } from "./base_handler.ts";
import type { Exchange } from "./exchange.ts";
import { HandlerTimeout, is_disconnect } from "./handler_timeout.ts";

/**
 * After `do_X`: logs a response that was not started or not finished; an
 * unended head is replaced by a 500, a short body closes the connection.
 *
 * @param h The handler.
 * @param x Its connection state.
 * @param name The method's name, for the log.
 */
export function check_complete(
  h: BaseHTTPRequestHandler,
  x: Exchange,
  name: string,
): void {
  if (h.request_version === "HTTP/0.9") return;
  const wrong = x.res.incomplete(x.wfile.body_bytes);
  if (wrong === "no_response") {
    h.log_error("%s() sent no response", name);
    h.close_connection = true;
  } else if (wrong === "open_head") {
    h.log_error("%s() did not call end_headers()", name);
    x.wfile.discard();
    x.res.drop_head();
    h.send_error(500, "Incomplete response");
  } else if (wrong === "length") {
    h.log_error(
      "%s() wrote %d body bytes, Content-Length said %d",
      name,
      x.wfile.body_bytes,
      x.res.declared_length,
    );
    h.close_connection = true;
  }
}

/**
 * Answers or logs an error thrown while serving a request: a refused body,
 * a timeout or a missing Deno permission is logged in a line, a disconnect too and not answered,
 * anything else goes to the server's `handle_error()`; then an error
 * response when nothing of the response was sent yet.
 *
 * @param h The handler.
 * @param x Its connection state.
 * @param err What was thrown.
 * @returns When the error response is sent.
 */
export async function fail(
  h: BaseHTTPRequestHandler,
  x: Exchange,
  err: unknown,
): Promise<void> {
  const io = x.io;
  if (
    err instanceof HTTPRequestError || err instanceof HandlerTimeout ||
    err instanceof Deno.errors.NotCapable
  ) {
    // A refused body, a timeout, or a Deno permission the program lacks
    // (its message names the flag): one line, no traceback.
    h.log_error("%s", err.message);
  } else if (is_disconnect(err) || io.closed) {
    h.log_error(
      "Client disconnected: %s",
      err instanceof Error ? err.message : String(err),
    );
    return;
  } else {
    h.server.handle_error(h.request, h.client_address, err);
  }
  if (io.closed || x.wfile.sent) return;
  x.wfile.discard();
  x.res.drop_head();
  const code = err instanceof HTTPRequestError
    ? err.code
    : err instanceof HandlerTimeout
    ? 503
    : 500;
  try {
    h.send_error(
      code,
      err instanceof HTTPRequestError ? err.message : undefined,
    );
    await x.wfile.end();
  } catch (second) {
    if (!is_disconnect(second)) throw second;
  }
}
