/**
 * The PROXY protocol (HAProxy's `proxy-protocol.txt`, versions 1 and 2): a
 * header a load balancer (HAProxy, AWS NLB, nginx `proxy_protocol`) sends
 * before the client's bytes, naming the client it accepted.
 *
 * @module
 */

import type { Connection } from "../_protocol/conn.ts";

/** The 12 bytes that start a version 2 header. */
const V2_SIGNATURE = [
  0x0d,
  0x0a,
  0x0d,
  0x0a,
  0x00,
  0x0d,
  0x0a,
  0x51,
  0x55,
  0x49,
  0x54,
  0x0a,
];
/** A version 1 line is at most 107 bytes, CRLF included. */
const V1_MAX = 107;
/** Version 2 address blocks beyond this are refused (TLVs included). */
const V2_MAX_LENGTH = 2048;

/** What {@linkcode parse_proxy_header} found. */
export type ProxyHeader =
  | { kind: "need" }
  | { kind: "bad"; reason: string }
  | {
    kind: "ok";
    /** Bytes the header took. */
    length: number;
    /** The original client, or `null` (LOCAL, UNKNOWN, UNIX): keep the peer. */
    source: [string, number] | null;
  };

function is_v1_prefix(buf: Uint8Array): boolean {
  const p = "PROXY ";
  for (let i = 0; i < Math.min(buf.length, p.length); i++) {
    if (buf[i] !== p.charCodeAt(i)) return false;
  }
  return true;
}

function is_v2_prefix(buf: Uint8Array): boolean {
  for (let i = 0; i < Math.min(buf.length, V2_SIGNATURE.length); i++) {
    if (buf[i] !== V2_SIGNATURE[i]) return false;
  }
  return true;
}

const V4 =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const PORT = /^(?:0|[1-9]\d{0,4})$/;

function parse_v1(line: string): ProxyHeader {
  const words = line.split(" ");
  if (words[1] === "UNKNOWN") {
    return { kind: "ok", length: line.length + 2, source: null };
  }
  if (words.length !== 6) {
    return {
      kind: "bad",
      reason: `Cannot parse PROXY line ${JSON.stringify(line)}`,
    };
  }
  const [, family, src, , sport, dport] = words as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const valid_ip = family === "TCP4"
    ? V4.test(src)
    : family === "TCP6" && /^[0-9a-fA-F:.]+$/.test(src) && src.includes(":");
  if (
    !valid_ip || !PORT.test(sport) || !PORT.test(dport) ||
    Number(sport) > 65535 || Number(dport) > 65535
  ) {
    return {
      kind: "bad",
      reason: `Cannot parse PROXY line ${JSON.stringify(line)}`,
    };
  }
  return { kind: "ok", length: line.length + 2, source: [src, Number(sport)] };
}

function ipv6_text(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  }
  // The shortest form (RFC 5952): the longest run of zero groups as "::".
  let best = -1, best_len = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best_len && j - i > 1) [best, best_len] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(":");
  return groups.slice(0, best).join(":") + "::" +
    groups.slice(best + best_len).join(":");
}

function parse_v2(buf: Uint8Array): ProxyHeader {
  if (buf.length < 16) return { kind: "need" };
  const ver_cmd = buf[12]!;
  if (ver_cmd >> 4 !== 2) {
    return { kind: "bad", reason: `Unknown PROXY version ${ver_cmd >> 4}` };
  }
  const command = ver_cmd & 0x0f;
  if (command > 1) {
    return { kind: "bad", reason: `Unknown PROXY command ${command}` };
  }
  const family = buf[13]!;
  const len = (buf[14]! << 8) | buf[15]!;
  if (len > V2_MAX_LENGTH) {
    return { kind: "bad", reason: `PROXY header of ${len} bytes is too long` };
  }
  if (buf.length < 16 + len) return { kind: "need" };
  const length = 16 + len;
  const body = buf.subarray(16, length);
  if (command === 0) return { kind: "ok", length, source: null }; // LOCAL
  const port_at = (i: number) => (body[i]! << 8) | body[i + 1]!;
  switch (family) {
    case 0x11: // TCP over IPv4
    case 0x12: // UDP over IPv4
      if (len < 12) break;
      return {
        kind: "ok",
        length,
        source: [[...body.subarray(0, 4)].join("."), port_at(8)],
      };
    case 0x21: // TCP over IPv6
    case 0x22:
      if (len < 36) break;
      return {
        kind: "ok",
        length,
        source: [ipv6_text(body.subarray(0, 16)), port_at(32)],
      };
    case 0x00: // UNSPEC
    case 0x31: // UNIX stream
    case 0x32:
      return { kind: "ok", length, source: null };
  }
  return {
    kind: "bad",
    reason: `Cannot parse PROXY address block (family 0x${
      family.toString(16)
    }, ${len} bytes)`,
  };
}

/**
 * Parses a PROXY protocol header at the start of `buf` (version 1 text or
 * version 2 binary). Pure: more bytes may be needed, the header may be
 * malformed (or missing: anything else is malformed), or it names the
 * client.
 *
 * @example
 * ```ts
 * import { parse_proxy_header } from "./proxy_protocol.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode(
 *   "PROXY TCP4 203.0.113.7 10.0.0.1 51234 80\r\nGET / HTTP/1.1\r\n",
 * );
 * assert.deepEqual(parse_proxy_header(bytes), {
 *   kind: "ok",
 *   length: 42,
 *   source: ["203.0.113.7", 51234],
 * });
 * assert.equal(parse_proxy_header(bytes.subarray(0, 10)).kind, "need");
 * assert.equal(parse_proxy_header(bytes.subarray(42)).kind, "bad");
 * ```
 *
 * @param buf The connection's first bytes.
 * @returns What they hold.
 */
export function parse_proxy_header(buf: Uint8Array): ProxyHeader {
  if (buf.length === 0) return { kind: "need" };
  if (buf[0] === 0x0d) {
    if (!is_v2_prefix(buf)) {
      return { kind: "bad", reason: "Not a PROXY protocol header" };
    }
    if (buf.length < V2_SIGNATURE.length) return { kind: "need" };
    return parse_v2(buf);
  }
  if (!is_v1_prefix(buf)) {
    return { kind: "bad", reason: "Not a PROXY protocol header" };
  }
  const end = Math.min(buf.length, V1_MAX);
  for (let i = 0; i + 1 < end; i++) {
    if (buf[i] === 0x0d && buf[i + 1] === 0x0a) {
      return parse_v1(String.fromCharCode(...buf.subarray(0, i)));
    }
    if (buf[i] === 0x0a) break;
  }
  if (buf.length >= V1_MAX || buf.subarray(0, end).includes(0x0a)) {
    return { kind: "bad", reason: "PROXY line without CRLF in 107 bytes" };
  }
  return { kind: "need" };
}

/**
 * Reads the PROXY header from the start of a connection's buffer, filling
 * it within `timeout_ms`, and consumes it: what follows stays buffered for
 * the request.
 *
 * @param io The connection.
 * @param timeout_ms How long the header may take.
 * @returns The client it names (`null`: keep the peer), or a reason why
 * the connection is to be closed without a response.
 */
export async function read_proxy_header(
  io: Connection,
  timeout_ms: number,
): Promise<{ source: [string, number] | null } | { error: string }> {
  const deadline = Date.now() + timeout_ms;
  while (true) {
    const header = parse_proxy_header(io.buf.subarray(io.start, io.end));
    if (header.kind === "ok") {
      io.start += header.length;
      return { source: header.source };
    }
    if (header.kind === "bad") return { error: header.reason };
    const left = deadline - Date.now();
    if (left <= 0) {
      return { error: "No PROXY header within the header timeout" };
    }
    let more: boolean;
    try {
      more = await io.fill(left);
    } catch (err) {
      return { error: `Reading the PROXY header failed: ${err}` };
    }
    if (!more) {
      return {
        error: io.closed_by === "timeout"
          ? "No PROXY header within the header timeout"
          : "The connection ended before a PROXY header",
      };
    }
  }
}
