/**
 * A web `Request` as the HTTP/1.1 bytes a client would have sent: the head
 * the handler parses, and how its body is framed.
 *
 * @module
 */

import { encode_latin1 } from "../_common/latin1.ts";
import type { RequestSource } from "./body_conn.ts";

/**
 * Hop-by-hop fields (RFC 9110 §7.6.1) and the framing fields, which this
 * serialisation sets itself: the body is re-framed, whatever it was on the
 * wire (HTTP/2 has no chunked coding).
 */
const DROPPED = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "upgrade",
  "proxy-connection",
]);

/**
 * The HTTP/1.1 request head and body framing of `request`.
 *
 * The target is the URL's path and query (the form a client sends to an
 * origin server); `Host` is the URL's host when the request has none (an
 * HTTP/2 request carries `:authority` instead). A body with a
 * `Content-Length` keeps it; any other body is sent chunked.
 *
 * @example
 * ```ts
 * import { request_source } from "./request_bytes.ts";
 * import assert from "node:assert/strict";
 *
 * const source = request_source(new Request("http://example.com/a?b=1"));
 * assert.equal(
 *   new TextDecoder().decode(source.head),
 *   "GET /a?b=1 HTTP/1.1\r\nhost: example.com\r\n\r\n",
 * );
 * assert.equal(source.body, null);
 * ```
 *
 * @param request The request.
 * @returns The head's bytes, the body, and whether it is chunked.
 */
export function request_source(request: Request): RequestSource {
  const url = request.url;
  // The path and query of an absolute URL, without parsing it again.
  const scheme_end = url.indexOf("//") + 2;
  const path_start = url.indexOf("/", scheme_end);
  const hash = url.indexOf("#", path_start);
  const target = path_start < 0
    ? "/"
    : url.slice(path_start, hash < 0 ? undefined : hash);
  let head = request.method + " " + target + " HTTP/1.1\r\n";
  let has_host = false;
  let length: string | null = null;
  for (const [name, value] of request.headers) {
    if (DROPPED.has(name)) {
      if (name === "content-length") length = value;
      continue;
    }
    if (name === "host") has_host = true;
    head += name + ": " + value + "\r\n";
  }
  if (!has_host) {
    head += "host: " +
      url.slice(scheme_end, path_start < 0 ? undefined : path_start) + "\r\n";
  }
  const body = request.body;
  let chunked = false;
  if (body !== null) {
    if (length !== null && /^\d+$/.test(length)) {
      head += "content-length: " + length + "\r\n";
    } else {
      head += "transfer-encoding: chunked\r\n";
      chunked = true;
    }
  } else if (length !== null) {
    head += "content-length: " + length + "\r\n";
  }
  head += "\r\n";
  return { head: encode_latin1(head), body, chunked };
}
