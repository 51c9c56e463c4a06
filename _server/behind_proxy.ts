/**
 * A connection that comes through a proxy: the client the PROXY protocol
 * header names, and, from trusted proxies only, the client and scheme the
 * `Forwarded` or `X-Forwarded-*` headers of each request name, set onto
 * the handler before it serves.
 *
 * @module
 */

import { connection_of } from "../_protocol/conn.ts";
import { percent_format } from "../_common/pyformat.ts";
import type { BaseHTTPRequestHandler } from "../_handler/base_handler.ts";
import {
  address_in,
  type AddressRange,
  forwarded_info,
  set_forwarded,
} from "./forwarded.ts";
import { read_proxy_header } from "./proxy_protocol.ts";

/**
 * Reads the PROXY header when `proxy_protocol`, and makes the handler take
 * each request's forwarded client from a peer in `trusted`.
 *
 * @param handler The connection's handler, before `setup()`.
 * @param proxy_protocol Whether a PROXY header comes first.
 * @param trusted The proxies whose forwarding headers are believed.
 * @param log Where a refused connection is logged.
 * @returns `false` when the connection is to close unanswered.
 */
export async function behind_proxy(
  handler: BaseHTTPRequestHandler,
  proxy_protocol: boolean,
  trusted: readonly AddressRange[],
  log: (line: string) => void,
): Promise<boolean> {
  const mutable = handler as { client_address: [string, number] };
  if (proxy_protocol) {
    const io = connection_of(handler.request);
    const timeout = handler.header_timeout ?? (io.concurrent ? 60 : 10);
    const got = await read_proxy_header(io, timeout * 1000);
    if ("error" in got) {
      log(percent_format("Closing connection from %s: %s", [
        handler.client_address[0],
        got.error,
      ]));
      return false;
    }
    if (got.source) mutable.client_address = got.source;
  }
  if (trusted.length === 0) return true;
  // Each request of a keep-alive connection from a proxy may be another
  // client's: set the address after each request's headers are parsed.
  const peer = handler.client_address;
  const from_proxy = address_in(peer[0], trusted);
  const parse = handler.parse_request;
  handler.parse_request = function (this: BaseHTTPRequestHandler) {
    const ok = parse.call(this);
    mutable.client_address = peer;
    set_forwarded(this, null);
    if (ok && from_proxy) {
      const info = forwarded_info(this.headers, trusted);
      if (info) {
        set_forwarded(this, info);
        if (info.client) mutable.client_address = info.client;
      }
    }
    return ok;
  };
  return true;
}
