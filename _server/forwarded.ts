/**
 * Trusted proxies: `Forwarded` (RFC 7239) and `X-Forwarded-For`, `-Proto`,
 * `-Host`, believed only from peers in a list of address ranges.
 *
 * @module
 */

import type { HTTPMessage } from "../_protocol/message.ts";

/** An address range: the address's bytes and how many leading bits count. */
export interface AddressRange {
  /** 4 bytes (IPv4) or 16 (IPv6). */
  bytes: Uint8Array;
  /** Prefix length. */
  bits: number;
}

/** The address's bytes, IPv4-mapped IPv6 as IPv4; `null` if not an address. */
export function ip_bytes(text: string): Uint8Array | null {
  let s = text;
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const b = v4.slice(1).map(Number);
    return b.every((n) => n <= 255) ? new Uint8Array(b) : null;
  }
  if (!s.includes(":") || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const last_colon = s.lastIndexOf(":");
  const last = s.slice(last_colon + 1);
  if (last.includes(".")) {
    // An IPv4 tail (::ffff:192.0.2.1): as its two groups.
    const four = ip_bytes(last);
    if (!four || four.length !== 4) return null;
    s = s.slice(0, last_colon + 1) + ((four[0]! << 8) | four[1]!).toString(16) +
      ":" + ((four[2]! << 8) | four[3]!).toString(16);
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const part = (h: string) => (h === "" ? [] : h.split(":"));
  const head = part(halves[0]!);
  const rest = halves.length === 2 ? part(halves[1]!) : [];
  const want = 8;
  const groups_text = halves.length === 2
    ? [...head, ...Array(want - head.length - rest.length).fill("0"), ...rest]
    : head;
  if (groups_text.length !== want) return null;
  const groups = [
    ...groups_text.map((g) =>
      /^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN
    ),
  ];
  if (groups.some((g) => Number.isNaN(g))) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  // ::ffff:a.b.c.d is the IPv4 peer of a dual-stack socket.
  if (
    out.subarray(0, 10).every((b) => b === 0) && out[10] === 0xff &&
    out[11] === 0xff
  ) {
    return out.slice(12);
  }
  return out;
}

/**
 * Parses `ADDR[/BITS]` (IPv4 or IPv6; no bits: the one address).
 *
 * @example
 * ```ts
 * import { address_in, parse_address_range } from "./forwarded.ts";
 * import assert from "node:assert/strict";
 *
 * const ranges = [parse_address_range("10.0.0.0/8"), parse_address_range("::1")];
 * assert.equal(address_in("10.1.2.3", ranges), true);
 * assert.equal(address_in("::ffff:10.1.2.3", ranges), true);
 * assert.equal(address_in("11.0.0.1", ranges), false);
 * assert.throws(() => parse_address_range("10.0.0.0/33"), TypeError);
 * ```
 *
 * @param text The range.
 * @returns The range.
 * @throws {TypeError} When it is not an address or the bits are out of range.
 */
export function parse_address_range(text: string): AddressRange {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = ip_bytes(addr);
  if (!bytes) {
    throw new TypeError(
      `Cannot parse address range ${JSON.stringify(text)}: not an IP address`,
    );
  }
  const max = bytes.length * 8;
  const bits_text = slash < 0 ? String(max) : text.slice(slash + 1);
  const bits = /^\d{1,3}$/.test(bits_text) ? Number(bits_text) : NaN;
  if (!(bits >= 0 && bits <= max)) {
    throw new TypeError(
      `Cannot parse address range ${
        JSON.stringify(text)
      }: bits must be 0 to ${max}`,
    );
  }
  return { bytes, bits };
}

/**
 * Whether `host` is in one of `ranges`.
 *
 * @param host An address.
 * @param ranges The ranges.
 * @returns Whether it is in one.
 */
export function address_in(
  host: string,
  ranges: readonly AddressRange[],
): boolean {
  const b = ip_bytes(host);
  if (!b) return false;
  for (const { bytes, bits } of ranges) {
    if (bytes.length !== b.length) continue;
    let ok = true;
    for (let i = 0; i < bits && ok; i += 8) {
      const n = Math.min(8, bits - i);
      const mask = (0xff << (8 - n)) & 0xff;
      ok = (b[i >> 3]! & mask) === (bytes[i >> 3]! & mask);
    }
    if (ok) return true;
  }
  return false;
}

/** What trusted proxies said of the original request. */
export interface ForwardedInfo {
  /** The client `[host, port]` (port 0 when not given). */
  client: [string, number] | null;
  /** The scheme the client used (`http`, `https`). */
  proto: string | null;
  /** The `Host` the client asked for. */
  host: string | null;
}

/** `for=` node: `192.0.2.1`, `"[2001:db8::1]:4711"`, `unknown`, `_hidden`. */
function node_of(text: string): [string, number] | null {
  let s = text.trim();
  if (s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  let port = 0;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) {
    s = v6[1]!;
    port = Number(v6[2] ?? 0);
  } else {
    const v4 = /^([^:]+):(\d+)$/.exec(s);
    if (v4) {
      s = v4[1]!;
      port = Number(v4[2]);
    }
  }
  return ip_bytes(s) ? [s, port] : null;
}

/** The `Forwarded` elements, each as its parameters (names lower-cased). */
function forwarded_elements(values: string[]): Map<string, string>[] {
  const out: Map<string, string>[] = [];
  for (const value of values) {
    // Split on commas and semicolons outside quoted strings.
    let element = new Map<string, string>();
    let token = "";
    let quoted = false;
    const end_pair = () => {
      const eq = token.indexOf("=");
      if (eq > 0) {
        element.set(
          token.slice(0, eq).trim().toLowerCase(),
          token.slice(eq + 1).trim(),
        );
      }
      token = "";
    };
    for (const c of value + ",") {
      if (c === '"') quoted = !quoted;
      if (!quoted && (c === ";" || c === ",")) {
        end_pair();
        if (c === ",") {
          out.push(element);
          element = new Map();
        }
        continue;
      }
      token += c;
    }
  }
  return out;
}

function unquote(v: string | undefined): string | null {
  if (v === undefined) return null;
  return v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/**
 * What the proxies in front said of a request: the client is the
 * right-most address that is not itself a trusted proxy (each proxy appends
 * the peer it saw, so only the entries trusted proxies added are
 * believed). `Forwarded` wins over the `X-Forwarded-*` fields.
 *
 * @example
 * ```ts
 * import { forwarded_info, parse_address_range } from "./forwarded.ts";
 * import { HTTPMessage } from "../_protocol/message.ts";
 * import assert from "node:assert/strict";
 *
 * const headers = new HTTPMessage();
 * headers.append("Forwarded", 'for=198.51.100.17;proto=https;host=example.com, for="[::1]"');
 * const info = forwarded_info(headers, [parse_address_range("::1")]);
 * assert.deepEqual(info, { client: ["198.51.100.17", 0], proto: "https", host: "example.com" });
 * ```
 *
 * @param headers The request headers.
 * @param trusted The trusted proxies.
 * @returns What they said; `null` when no such header came.
 */
export function forwarded_info(
  headers: HTTPMessage,
  trusted: readonly AddressRange[],
): ForwardedInfo | null {
  const forwarded = headers.get_all("Forwarded") ?? [];
  if (forwarded.length > 0) {
    const elements = forwarded_elements(forwarded);
    let chosen = elements[0];
    for (let i = elements.length - 1; i >= 0; i--) {
      chosen = elements[i];
      const node = node_of(unquote(chosen!.get("for")) ?? "");
      if (!node || !address_in(node[0], trusted)) break;
    }
    if (!chosen) return null;
    return {
      client: node_of(unquote(chosen.get("for")) ?? ""),
      proto: unquote(chosen.get("proto"))?.toLowerCase() ?? null,
      host: unquote(chosen.get("host")),
    };
  }
  const xff = headers.get_all("X-Forwarded-For") ?? [];
  const proto = headers.get_all("X-Forwarded-Proto") ?? [];
  const host = headers.get_all("X-Forwarded-Host") ?? [];
  if (xff.length === 0 && proto.length === 0 && host.length === 0) return null;
  const hops = xff.join(",").split(",").map((s) => s.trim()).filter((s) => s);
  let client: [string, number] | null = null;
  for (let i = hops.length - 1; i >= 0; i--) {
    client = node_of(hops[i]!);
    if (!client || !address_in(client[0], trusted)) break;
  }
  const last = (values: string[]) =>
    values.length === 0
      ? null
      : values.join(",").split(",").at(-1)!.trim() || null;
  return {
    client,
    proto: last(proto)?.toLowerCase() ?? null,
    host: last(host),
  };
}

/**
 * The forwarded scheme and host of the current request of a handler,
 * when a trusted proxy sent them (see `HTTPServerOptions.trust_proxy`).
 */
const by_handler = new WeakMap<object, ForwardedInfo>();

/**
 * What trusted proxies said of the handler's current request (`null` when
 * it came from no trusted proxy, or without such headers): the client,
 * and the scheme and host it used, for absolute URLs a handler builds.
 *
 * @example
 * ```ts
 * import { BaseHTTPRequestHandler, forwarded_of } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * class Handler extends BaseHTTPRequestHandler {
 *   async do_GET() {
 *     const scheme = forwarded_of(this)?.proto ?? "http";
 *     this.send_response(200);
 *     this.end_headers();
 *     await this.wfile.write(scheme);
 *   }
 * }
 * assert.equal(typeof Handler, "function");
 * ```
 *
 * @param handler The handler.
 * @returns What the proxies said.
 */
export function forwarded_of(handler: object): ForwardedInfo | null {
  return by_handler.get(handler) ?? null;
}

/** Records (or clears) what trusted proxies said of a handler's request. */
export function set_forwarded(
  handler: object,
  info: ForwardedInfo | null,
): void {
  if (info) by_handler.set(handler, info);
  else by_handler.delete(handler);
}
