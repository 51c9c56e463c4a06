/**
 * Test helpers for the core: servers on port 0 whose handlers log into an
 * array, and a raw-socket client that writes exact bytes and reads until the
 * server closes the connection or a timeout passes.
 *
 * @module
 */

import {
  BaseHTTPRequestHandler,
  HTTPServer,
  ThreadingHTTPServer,
} from "../http_server.ts";
import { percent_format } from "../_common/pyformat.ts";
import { assert, assertEquals, assertMatch } from "./_assert.ts";

export {
  curl,
  curl_version,
  type CurlResult,
  listening_port,
  ROOT,
  run_deno,
  type RunResult,
  spawn_server,
  type Spawned,
  type SpawnOptions,
} from "./_subprocess.ts";

/** The `Server` header value of a default handler. */
export const SERVER = `BaseHTTP/0.6 Deno/${Deno.version.deno}`;

/** An IMF-fixdate, such as `Tue, 24 Nov 2026 06:26:23 GMT`. */
export const IMF_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

const latin1_decoder = {
  decode(bytes: Uint8Array): string {
    let s = "";
    for (let i = 0; i < bytes.length; i += 8192) {
      s += String.fromCharCode(...bytes.subarray(i, i + 8192));
    }
    return s;
  },
};

/** Decodes bytes as ISO-8859-1 (one code point per byte). */
export function latin1(bytes: Uint8Array): string {
  return latin1_decoder.decode(bytes);
}

/** Encodes a string of code points below 256 as one byte each. */
export function bytes_of(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`Not a byte: ${text[i]}`);
    out[i] = c;
  }
  return out;
}

/** What a test server records: log lines and errors passed to handle_error. */
export interface Recorder {
  /** `log_message` lines, formatted, without address and time. */
  logs: string[];
  /** What `handle_error` received. */
  errors: unknown[];
}

const recorders = new WeakMap<HTTPServer, Recorder>();

/** The recorder of a test server. */
export function recorder_of(server: HTTPServer): Recorder {
  let r = recorders.get(server);
  if (!r) {
    r = { logs: [], errors: [] };
    recorders.set(server, r);
  }
  return r;
}

/** A handler whose log lines go to its server's recorder, not stderr. */
export class QuietHandler extends BaseHTTPRequestHandler {
  override log_message(format: string, ...args: unknown[]): void {
    recorder_of(this.server).logs.push(percent_format(format, args));
  }
}

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** Serve connections concurrently (default true). */
  threading?: boolean;
  /** Host to bind (default 127.0.0.1). */
  host?: string;
  /** Fourth constructor argument. */
  signal?: AbortSignal;
  /** Set on the server before serving. */
  max_connections?: number;
  /** Set on the server before serving. */
  shutdown_timeout?: number;
}

/** A running test server; dispose it to shut it down. */
export interface TestServer extends AsyncDisposable {
  server: HTTPServer;
  port: number;
  host: string;
  logs: string[];
  errors: unknown[];
  /** The serve_forever promise. */
  serving: Promise<void>;
}

/** Starts a server on port 0 with `Handler`; handle_error is recorded. */
export function serve(
  Handler: typeof BaseHTTPRequestHandler,
  options: ServeOptions = {},
): TestServer {
  const Base = options.threading === false ? HTTPServer : ThreadingHTTPServer;
  class Recording extends Base {
    override handle_error(
      _request: Deno.Conn,
      _client_address: [string, number],
      error: unknown,
    ): void {
      recorder_of(this).errors.push(error);
    }
  }
  const host = options.host ?? "127.0.0.1";
  const server = new Recording(
    [host, 0],
    Handler,
    true,
    options.signal ? { signal: options.signal } : {},
  );
  if (options.max_connections !== undefined) {
    server.max_connections = options.max_connections;
  }
  if (options.shutdown_timeout !== undefined) {
    server.shutdown_timeout = options.shutdown_timeout;
  }
  const rec = recorder_of(server);
  const serving = server.serve_forever();
  return {
    server,
    port: server.server_port,
    host,
    logs: rec.logs,
    errors: rec.errors,
    serving,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      server.server_close();
      await serving;
    },
  };
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `done` (every 5 ms) until it holds or `timeout_ms` passes; returns
 * whether it held. For waiting on an event the test cannot await, instead
 * of sleeping for a time that is long enough on an idle machine only.
 */
export async function wait_for(
  done: () => boolean | Promise<boolean>,
  timeout_ms = 5000,
): Promise<boolean> {
  const deadline = Date.now() + timeout_ms;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await delay(5);
  }
}

/** A raw TCP client for exact bytes. */
export class RawClient implements AsyncDisposable {
  readonly conn: Deno.TcpConn;
  #received: Uint8Array[] = [];
  #total = 0;
  #eof = false;
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.conn = conn;
  }

  /** Connects to the server (or to `port` on 127.0.0.1). */
  static async connect(
    to: TestServer | number,
    hostname = "127.0.0.1",
  ): Promise<RawClient> {
    const port = typeof to === "number" ? to : to.port;
    if (typeof to !== "number") hostname = to.host;
    const conn = await Deno.connect({ hostname, port });
    conn.setNoDelay(true);
    return new RawClient(conn);
  }

  /** Writes bytes or a latin1 string. */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? bytes_of(data) : data;
    let off = 0;
    while (off < bytes.length) {
      off += await this.conn.write(bytes.subarray(off));
    }
  }

  /** Half-closes: the server sees the end of the request stream. */
  async close_write(): Promise<void> {
    await this.conn.closeWrite();
  }

  /** Everything read so far, as latin1 text. */
  get text(): string {
    return latin1(this.bytes);
  }

  /** Everything read so far. */
  get bytes(): Uint8Array {
    const out = new Uint8Array(this.#total);
    let off = 0;
    for (const part of this.#received) {
      out.set(part, off);
      off += part.length;
    }
    return out;
  }

  /** Whether the server closed the connection (EOF or reset). */
  get eof(): boolean {
    return this.#eof;
  }

  /** Drops what was read so far. */
  clear(): void {
    this.#received = [];
    this.#total = 0;
  }

  /**
   * Reads until `done(text)` is true, EOF, or `timeout_ms`; returns whether
   * `done` became true.
   */
  async read_until(
    done: (text: string) => boolean,
    timeout_ms = 3000,
  ): Promise<boolean> {
    const deadline = Date.now() + timeout_ms;
    while (!done(this.text)) {
      if (this.#eof) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      if (!(await this.#read_once(left))) return done(this.text);
    }
    return true;
  }

  /** Reads until the text includes `s`. */
  read_until_text(s: string, timeout_ms = 3000): Promise<boolean> {
    return this.read_until((t) => t.includes(s), timeout_ms);
  }

  /**
   * Reads until the server closes the connection or `timeout_ms` passes;
   * returns whether it closed.
   */
  async read_to_eof(timeout_ms = 3000): Promise<boolean> {
    await this.read_until(() => false, timeout_ms);
    return this.#eof;
  }

  /** One read with a timeout; false on timeout or EOF. */
  async #read_once(timeout_ms: number): Promise<boolean> {
    if (!this.#pending) {
      const buf = new Uint8Array(64 * 1024);
      this.#pending = this.conn.read(buf).then(
        (n) => n === null ? null : buf.slice(0, n),
        (err: unknown) => {
          if (
            err instanceof Deno.errors.ConnectionReset ||
            err instanceof Deno.errors.BrokenPipe ||
            (this.#closed && err instanceof Deno.errors.BadResource)
          ) return null;
          throw err;
        },
      );
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeout_ms);
    });
    const result = await Promise.race([this.#pending, timeout]);
    clearTimeout(timer);
    // On timeout the read stays pending, for the next call or close().
    if (result === "timeout") return false;
    this.#pending = null;
    if (result === null) {
      this.#eof = true;
      return false;
    }
    this.#received.push(result);
    this.#total += result.length;
    return true;
  }

  #pending: Promise<Uint8Array | null> | null = null;

  /** Closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
    if (this.#pending) {
      await this.#pending.catch(() => null);
      this.#pending = null;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Options of {@linkcode exchange}. */
export interface ExchangeOptions {
  /** Half-close after writing. */
  half_close?: boolean;
  /** Wait this long between pieces. */
  piece_delay_ms?: number;
  /** How long to wait for the server to close (default 3000). */
  timeout_ms?: number;
}

/** Result of {@linkcode exchange}. */
export interface Exchange {
  text: string;
  bytes: Uint8Array;
  /** Whether the server closed the connection within the timeout. */
  closed: boolean;
}

/**
 * Connects, writes `pieces` (in order, one write each), and reads until the
 * server closes the connection or the timeout passes.
 */
export async function exchange(
  to: TestServer | number,
  pieces: string | Uint8Array | (string | Uint8Array)[],
  options: ExchangeOptions = {},
): Promise<Exchange> {
  await using client = await RawClient.connect(to);
  const list = Array.isArray(pieces) ? pieces : [pieces];
  for (let i = 0; i < list.length; i++) {
    if (i > 0 && options.piece_delay_ms) await delay(options.piece_delay_ms);
    await client.write(list[i]!);
  }
  if (options.half_close) await client.close_write();
  const closed = await client.read_to_eof(options.timeout_ms ?? 3000);
  return { text: client.text, bytes: client.bytes, closed };
}

/**
 * Replaces each `Date: <IMF-fixdate>` header line with `Date: DATE`, after
 * checking that every Date header has that form.
 */
export function normalize(text: string): string {
  return text.replace(/\r\nDate: ([^\r\n]*)\r\n/g, (_, value: string) => {
    assertMatch(value, IMF_DATE);
    return "\r\nDate: DATE\r\n";
  });
}

/** The error page of DEFAULT_ERROR_MESSAGE, written out independently. */
export function error_page(
  code: number,
  message: string,
  explain: string,
): string {
  return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN"
        "http://www.w3.org/TR/html4/strict.dtd">
<html>
    <head>
        <meta http-equiv="Content-Type" content="text/html;charset=utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: ${code}</p>
        <p>Message: ${message}.</p>
        <p>Error code explanation: ${code} - ${explain}.</p>
    </body>
</html>
`;
}

/**
 * The full error response `send_error` makes (with Date normalized):
 * Server, Date, Content-Type, Connection: close, Content-Length, page.
 */
export function error_response(
  code: number,
  message: string,
  explain: string,
  version = "HTTP/1.0",
): string {
  const page = error_page(code, message, explain);
  const length = new TextEncoder().encode(page).length;
  return `${version} ${code} ${message}\r\n` +
    `Server: ${SERVER}\r\n` +
    `Date: DATE\r\n` +
    `Content-Type: text/html;charset=utf-8\r\n` +
    `Connection: close\r\n` +
    `Content-Length: ${length}\r\n` +
    `\r\n` + page;
}

/** Splits a response text into status line, header lines and body. */
export function split_response(
  text: string,
): { status: string; headers: string[]; body: string } {
  const end = text.indexOf("\r\n\r\n");
  assert(end !== -1, `No end of head in ${JSON.stringify(text.slice(0, 200))}`);
  const [status, ...headers] = text.slice(0, end).split("\r\n");
  return { status: status!, headers, body: text.slice(end + 4) };
}

/** Asserts the exact response of a request after Date normalization. */
export function assertResponse(
  actual: string,
  expected: string,
  msg?: string,
): void {
  assertEquals(normalize(actual), expected, msg);
}

/**
 * A directory on a 256 KiB tmpfs when this process may mount one (root),
 * else `null`; the caller unmounts and removes it.
 */
export async function tiny_disk(): Promise<string | null> {
  if (Deno.uid() !== 0) return null;
  const dir = await Deno.makeTempDir({ prefix: "tiny_disk_" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=256k", "tmpfs", dir],
    stderr: "null",
  }).output();
  if (mount.success) return dir;
  await Deno.remove(dir);
  return null;
}
