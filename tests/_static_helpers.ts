/**
 * Helpers for the static handler's feature tests: a handler class with
 * options, one request over a raw socket with its response split into
 * status, headers (Date normalized) and body bytes, and decoders.
 */

import { SimpleHTTPRequestHandler } from "../http_server.ts";
import { percent_format } from "../_common/pyformat.ts";
import { assert } from "./_assert.ts";
import {
  bytes_of,
  exchange,
  latin1,
  normalize,
  recorder_of,
  type TestServer,
} from "./_helpers.ts";
import {
  brotliDecompressSync,
  gunzipSync,
  zstdDecompressSync,
} from "node:zlib";

export const SERVER = `SimpleHTTP/0.6 Deno/${Deno.version.deno}`;
/** 2024-01-02 03:04:05.678 UTC. */
export const MTIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
export const MTIME_HTTP = "Tue, 02 Jan 2024 03:04:05 GMT";
/** One second later: a sibling made after the original. */
export const LATER = new Date(MTIME.getTime() + 1000);

/** Attributes to set on the handler. */
export type HandlerAttributes = Partial<
  Pick<
    SimpleHTTPRequestHandler,
    | "precompressed"
    | "compress"
    | "response_headers"
    | "default_content_type"
    | "protocol_version"
    | "dotfiles"
    | "spa"
    | "error_page"
  >
>;

/** A SimpleHTTPRequestHandler for `dir` that logs into its server's recorder. */
export function handler_for(
  dir: string,
  attributes: HandlerAttributes & Record<string, unknown> = {},
): typeof SimpleHTTPRequestHandler {
  return class extends SimpleHTTPRequestHandler {
    constructor(
      ...args: ConstructorParameters<typeof SimpleHTTPRequestHandler>
    ) {
      super(...args);
      this.directory = dir;
      this.protocol_version = "HTTP/1.0";
      Object.assign(this, attributes);
    }
    override log_message(format: string, ...args: unknown[]): void {
      recorder_of(this.server).logs.push(percent_format(format, args));
    }
  };
}

/** The expected identity ETag, computed apart from _static/etag.ts. */
export function etag_of(size: number, mtime: Date, suffix = ""): string {
  return `"${size.toString(16)}-${mtime.getTime().toString(16)}${suffix}"`;
}

/** A response split up. */
export interface Response1 {
  status: string;
  /** Header lines, Date normalized to `Date: DATE`. */
  headers: string[];
  body: Uint8Array;
}

/** One request on a new connection, read to the server's close. */
export async function request(
  server: TestServer,
  target: string,
  headers: Record<string, string> = {},
  { method = "GET", version = "HTTP/1.0" } = {},
): Promise<Response1> {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  const extra = version === "HTTP/1.1"
    ? "Host: x\r\nConnection: close\r\n"
    : "";
  const res = await exchange(
    server,
    bytes_of(`${method} ${target} ${version}\r\n${extra}${lines}\r\n`),
  );
  assert(res.closed, `the server kept ${target} open`);
  return split_bytes(res.bytes);
}

/** Splits raw response bytes at the end of the head. */
export function split_bytes(bytes: Uint8Array): Response1 {
  const text = latin1(bytes);
  const end = text.indexOf("\r\n\r\n");
  assert(end !== -1, `No end of head in ${JSON.stringify(text.slice(0, 200))}`);
  const [status, ...headers] = normalize(text.slice(0, end + 2)).slice(0, -2)
    .split("\r\n");
  return { status: status!, headers, body: bytes.subarray(end + 4) };
}

/** A header's value, by case-insensitive name. */
export function header(res: Response1, name: string): string | undefined {
  const prefix = name.toLowerCase() + ":";
  const line = res.headers.find((h) => h.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

/** Decodes a body of the chunked transfer coding, checking its framing. */
export function dechunk(body: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let i = 0;
  for (;;) {
    const text = latin1(body.subarray(i, i + 20));
    const eol = text.indexOf("\r\n");
    assert(eol > 0, `bad chunk size line at ${i}`);
    const size = parseInt(text.slice(0, eol), 16);
    assert(/^[0-9a-f]+$/.test(text.slice(0, eol)), "bad chunk size");
    i += eol + 2;
    if (size === 0) {
      assert(latin1(body.subarray(i)) === "\r\n", "bad last chunk");
      break;
    }
    parts.push(body.subarray(i, i + size));
    i += size;
    assert(latin1(body.subarray(i, i + 2)) === "\r\n", "bad chunk end");
    i += 2;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Decodes a body of a content coding. */
export function decode(coding: string, body: Uint8Array): Uint8Array {
  switch (coding) {
    case "gzip":
      return new Uint8Array(gunzipSync(body));
    case "br":
      return new Uint8Array(brotliDecompressSync(body));
    case "zstd":
      return new Uint8Array(zstdDecompressSync(body));
  }
  throw new Error(`unknown coding ${coding}`);
}

/** A temp dir, removed on dispose. */
export async function temp_dir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "static_feature_test_" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true });
    },
  };
}

/** Writes a file with a fixed mtime. */
export async function write_file(
  path: string,
  data: Uint8Array | string,
  mtime: Date = MTIME,
): Promise<void> {
  if (typeof data === "string") await Deno.writeTextFile(path, data);
  else await Deno.writeFile(path, data);
  await Deno.utime(path, mtime, mtime);
}

/** Some JavaScript of `n` bytes that compresses well. */
export function some_js(n: number): string {
  let s = "";
  for (let i = 0; s.length < n; i++) {
    s += `function f${i}(a) { return a + ${i}; }\n`;
  }
  return s.slice(0, n);
}
