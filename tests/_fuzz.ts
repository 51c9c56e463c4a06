/**
 * Fuzzing of the request parser and the multipart parser, shared by
 * `tests/fuzz_test.ts` (fixed seeds, bounded) and `tests/fuzz.ts`
 * (`deno task fuzz`: for a given time, saving failures to
 * `tests/fuzz_corpus/`).
 *
 * Requests go to a handler over a scripted connection: the exact bytes of a
 * case are handed to the server in the pieces chosen (whole, one byte per
 * read, or cut at random offsets), so that the same case split differently
 * must give the same bytes back. Multipart bodies go to `FieldStorage.from`
 * in chunks, with cuts placed where the parser's buffer refills.
 *
 * @module
 */

import { BaseHTTPRequestHandler, HTTPServer } from "../http_server.ts";
import { FieldFile, FieldStorage, FormParseError } from "../cgi.ts";
import { percent_format } from "../_common/pyformat.ts";
import { bytes_of, latin1 } from "./_helpers.ts";

// ---------------------------------------------------------------------------
// Random numbers

/** A seeded PRNG (mulberry32): the same seed gives the same cases. */
export class Rng {
  #s: number;

  constructor(seed: number) {
    this.#s = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** Joins byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** FNV-1a of bytes, as 8 hex digits: names corpus files and echoes bodies. */
export function fnv1a(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

// ---------------------------------------------------------------------------
// The request corpus

const CHUNKED_20K = "4e20\r\n" + "c".repeat(20000) + "\r\n0\r\n\r\n";

/** Well-formed requests; `expect` is what the echo handler answers each. */
export const VALID_REQUESTS: readonly { text: string; expect: string[] }[] = [
  {
    text: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    expect: ["GET / 0"],
  },
  {
    text: "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
    expect: ["POST /p 5"],
  },
  {
    text: "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n",
    expect: ["POST /c 5"],
  },
  {
    text: "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n" +
      "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz" +
      "PUT /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nq\r\n0\r\n\r\n" +
      "POST /skip HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd" +
      "GET /5 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    expect: ["GET /1 0", "POST /2 3", "PUT /3 1", "POST /skip -", "GET /5 0"],
  },
  {
    text: "GET /old HTTP/1.0\r\nUser-Agent: x\r\n\r\n",
    expect: ["GET /old 0"],
  },
  {
    text: "\r\n\r\nGET /blank HTTP/1.1\r\nHost: a\r\n\r\n",
    expect: ["GET /blank 0"],
  },
  {
    text: "GET /lf HTTP/1.1\nHost: a\n\nGET /lf2 HTTP/1.1\nHost: a\n\n",
    expect: ["GET /lf 0", "GET /lf2 0"],
  },
  {
    text:
      "POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
    expect: ["POST /e 2"],
  },
  {
    text:
      "POST /part HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789" +
      "GET /after HTTP/1.1\r\nHost: a\r\n\r\n",
    expect: ["POST /part 3", "GET /after 0"],
  },
  {
    text: "POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 20000\r\n\r\n" +
      "b".repeat(20000),
    expect: ["POST /big 20000"],
  },
  {
    text:
      "POST /bigc HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
      CHUNKED_20K,
    expect: ["POST /bigc 20000"],
  },
  {
    text: "GET /h HTTP/1.1\r\nHost: a\r\n" +
      Array.from({ length: 11 }, (_, i) => `X-${i}: ${"v".repeat(100)}\r\n`)
        .join("") +
      "\r\n",
    expect: ["GET /h 0"],
  },
  {
    text:
      "GET /caf%E9?q=%FF HTTP/1.1\r\nHost: a\r\nX-Latin: \xe9\xff\x80\r\n\r\n",
    // Header values are ISO-8859-1; a raw byte above 0x7F in the target is
    // refused (see BAD_REQUESTS).
    expect: ["GET /caf%E9?q=%FF 0"],
  },
];

/** Requests that must be refused (or closed on): smuggling shapes and more. */
export const BAD_REQUESTS: readonly string[] = [
  "GET /caf\xe9?q=\xff HTTP/1.1\r\nHost: a\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 30\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd",
  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc",
  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\nabc",
  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n",
  "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET / HTTP/1.1\rHost: a\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc\r\n0\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nabc\r\n0\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: " +
  "t".repeat(5000) + "\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
  "1".repeat(5000) + "\r\n",
  "GET /\xff\xfe\xc3\x28 HTTP/1.1\r\nHost: \xf0\x28\x8c\x28\r\n\r\n",
  "GET /" + "a".repeat(400) + " HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nX: " + "h".repeat(400) + "\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\n" + "X: y\r\n".repeat(40) + "\r\n",
  "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
  "GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n",
  "GET / http/1.1\r\nHost: a\r\n\r\n",
  "GET / HTTP/1.1\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
  "GET //evil.example/x HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET http://a/abs HTTP/1.1\r\nHost: a\r\n\r\n",
  "POST /0.9\r\n\r\n",
  "GET /0.9\r\n",
  "BREW / HTTP/1.1\r\nHost: a\r\n\r\n",
  "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
  "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab",
  "GET / HTTP/1.1\r\nHost: a",
  "",
];

const INTERESTING_BYTES = [
  0x00,
  0x0d,
  0x0a,
  0x20,
  0x09,
  0x0b,
  0x3a,
  0x2c,
  0x3b,
  0x2d,
  0x30,
  0x66,
  0x7f,
  0x80,
  0xc3,
  0xff,
];

const INTERESTING_NUMBERS = [
  "0",
  "1",
  "-1",
  "+1",
  "00",
  "0x10",
  "ffffffff",
  "99999999999999999999",
  "4294967296",
  "1e3",
  " 5",
  "5 ",
  "",
];

/** The corpus, as bytes: the valid requests then the bad ones. */
export function request_corpus(): Uint8Array[] {
  return [
    ...VALID_REQUESTS.map((r) => bytes_of(r.text)),
    ...BAD_REQUESTS.map(bytes_of),
  ];
}

/** One random mutation of `input` (which it does not change). */
function mutate_once(
  rng: Rng,
  input: Uint8Array,
  corpus: Uint8Array[],
): Uint8Array {
  const n = input.length;
  const at = rng.int(n + 1);
  switch (rng.int(11)) {
    case 0: { // flip a byte
      if (n === 0) return input;
      const out = input.slice();
      out[rng.int(n)] = rng.int(256);
      return out;
    }
    case 1: // insert an interesting byte
      return concat([
        input.subarray(0, at),
        Uint8Array.of(rng.pick(INTERESTING_BYTES)),
        input.subarray(at),
      ]);
    case 2: { // delete a range
      const len = rng.range(1, 8);
      return concat([input.subarray(0, at), input.subarray(at + len)]);
    }
    case 3: { // duplicate a range
      const len = rng.range(1, 40);
      return concat([
        input.subarray(0, at + len),
        input.subarray(at, at + len),
        input.subarray(at + len),
      ]);
    }
    case 4: { // splice with another case: a pipelined mixture
      const other = rng.pick(corpus);
      return concat([
        input.subarray(0, at),
        other.subarray(rng.int(Math.min(other.length, 8) + 1)),
      ]);
    }
    case 5: { // append another case whole
      return concat([input, rng.pick(corpus)]);
    }
    case 6: { // replace a run of digits or hex digits with a number
      const text = latin1(input);
      const runs = [...text.matchAll(/[0-9a-fA-F]+/g)];
      if (runs.length === 0) return input;
      const m = rng.pick(runs);
      return bytes_of(
        text.slice(0, m.index) + rng.pick(INTERESTING_NUMBERS) +
          text.slice(m.index! + m[0].length),
      );
    }
    case 7: { // a long run of one byte: the limits
      const len = rng.pick([100, 199, 200, 201, 300, 1500, 5000]);
      const b = rng.pick([0x61, 0x20, 0x0a, 0x30, 0x3a]);
      return concat([
        input.subarray(0, at),
        new Uint8Array(len).fill(b),
        input.subarray(at),
      ]);
    }
    case 8: { // CRLF <-> LF
      const text = latin1(input);
      return bytes_of(
        rng.int(2)
          ? text.replaceAll("\r\n", "\n")
          : text.replace(/(?<!\r)\n/g, "\r\n"),
      );
    }
    case 9: // truncate
      return input.subarray(0, at);
    default: { // repeat a header line
      const text = latin1(input);
      const lines = [...text.matchAll(/\n([^\r\n]*:[^\r\n]*\r?\n)/g)];
      if (lines.length === 0) return input;
      const m = rng.pick(lines);
      const pos = m.index! + 1;
      return bytes_of(
        text.slice(0, pos) + m[1]!.repeat(rng.range(2, 20)) + text.slice(pos),
      );
    }
  }
}

/** A case: a corpus entry with 0 to 4 mutations. */
export function request_case(rng: Rng, corpus: Uint8Array[]): Uint8Array {
  let input = rng.pick(corpus);
  const rounds = rng.int(5);
  for (let i = 0; i < rounds; i++) input = mutate_once(rng, input, corpus);
  return avoid_head(input);
}

/**
 * HEAD responses carry a Content-Length but no body, which a reader of the
 * response stream cannot tell apart without the request: spell it HEAT.
 */
function avoid_head(input: Uint8Array): Uint8Array {
  const text = latin1(input);
  return text.includes("HEAD")
    ? bytes_of(text.replaceAll("HEAD", "HEAT"))
    : input;
}

/** Cuts `input` into pieces at `count` random offsets. */
export function split_random(
  rng: Rng,
  input: Uint8Array,
  count: number,
): Uint8Array[] {
  const cuts = new Set<number>();
  for (let i = 0; i < count && input.length > 1; i++) {
    cuts.add(rng.range(1, input.length - 1));
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...sorted, input.length]) {
    pieces.push(input.subarray(prev, c));
    prev = c;
  }
  return pieces.filter((p) => p.length > 0);
}

/** One byte per piece. */
export function split_bytes(input: Uint8Array): Uint8Array[] {
  return Array.from(input, (b) => Uint8Array.of(b));
}

// ---------------------------------------------------------------------------
// The server side

/**
 * A connection whose peer sends `pieces`, one per read, then half-closes;
 * what the server writes is collected.
 */
export class ScriptedConn {
  readonly out: Uint8Array[] = [];
  readonly localAddr: Deno.NetAddr = {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 8000,
  };
  readonly remoteAddr: Deno.NetAddr = {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 40000,
  };
  closed = false;
  #pieces: Uint8Array[];
  #i = 0;
  #off = 0;

  constructor(pieces: Uint8Array[]) {
    this.#pieces = pieces;
  }

  async read(p: Uint8Array): Promise<number | null> {
    await Promise.resolve();
    if (this.closed) throw new Deno.errors.BadResource("Bad resource ID");
    const piece = this.#pieces[this.#i];
    if (piece === undefined) return null;
    const n = Math.min(p.length, piece.length - this.#off);
    p.set(piece.subarray(this.#off, this.#off + n));
    this.#off += n;
    if (this.#off === piece.length) {
      this.#i++;
      this.#off = 0;
    }
    return n;
  }

  async write(p: Uint8Array): Promise<number> {
    await Promise.resolve();
    if (this.closed) throw new Deno.errors.BadResource("Bad resource ID");
    this.out.push(p.slice());
    return p.length;
  }

  close(): void {
    if (this.closed) throw new Deno.errors.BadResource("Bad resource ID");
    this.closed = true;
  }

  closeWrite(): Promise<void> {
    return Promise.resolve();
  }
  setNoDelay(): void {}
  setKeepAlive(): void {}
  ref(): void {}
  unref(): void {}
}

/**
 * The fuzz handler: small limits so that mutations reach them, and an echo
 * of each request as `METHOD path body-length fnv1a(body)`. `/skip...`
 * leaves the body unread (drained), `/part...` reads 3 bytes of it.
 */
export class EchoHandler extends BaseHTTPRequestHandler {
  override protocol_version = "HTTP/1.1";
  override max_request_line = 200;
  override max_header_line = 200;
  override max_headers = 12;
  override max_head_bytes = 1500;
  override max_drain_bytes = 300;
  override header_timeout = 5;
  override keep_alive_timeout = 5;
  override timeout = 5;

  override log_message(format: string, ...args: unknown[]): void {
    logs_of(this.server).push(percent_format(format, args));
  }

  async do_GET(): Promise<void> {
    await this.#echo();
  }
  async do_POST(): Promise<void> {
    await this.#echo();
  }
  async do_PUT(): Promise<void> {
    await this.#echo();
  }

  async #echo(): Promise<void> {
    let line: string;
    if (this.path.startsWith("/skip")) {
      line = `${this.command} ${this.path} -`;
    } else {
      const body = this.path.startsWith("/part")
        ? await this.rfile.read(3)
        : await this.rfile.read();
      line = `${this.command} ${this.path} ${body.length}`;
      if (body.length > 0) line += ` ${fnv1a(body)}`;
    }
    const bytes = new TextEncoder().encode(line + "\n");
    this.send_response(200);
    this.send_header("Content-Type", "text/plain; charset=utf-8");
    this.send_header("Content-Length", bytes.length);
    this.end_headers();
    await this.wfile.write(bytes);
  }
}

const server_logs = new WeakMap<HTTPServer, string[]>();

function logs_of(server: HTTPServer): string[] {
  let logs = server_logs.get(server);
  if (!logs) server_logs.set(server, logs = []);
  return logs;
}

/** A server that is never bound: handlers need one; it records errors. */
export class FuzzServer extends HTTPServer {
  readonly errors: unknown[] = [];

  constructor() {
    super(["127.0.0.1", 0], EchoHandler, false);
  }

  override handle_error(
    _request: Deno.Conn,
    _client_address: [string, number],
    error: unknown,
  ): void {
    this.errors.push(error);
  }

  /** The handlers' log lines. */
  get logs(): string[] {
    return logs_of(this);
  }
}

/** What the server did with one case. */
export interface Outcome {
  /** The bytes written, Date headers replaced by `Date: DATE`. */
  text: string;
  /** Whether the handler finished (the connection was closed). */
  finished: boolean;
  /** What reached handle_error (a 500 the parser should never cause). */
  errors: unknown[];
}

/** Serves one connection fed with `pieces`; gives up after `limit_ms`. */
export async function serve_pieces(
  pieces: Uint8Array[],
  limit_ms = 10_000,
): Promise<Outcome> {
  const server = new FuzzServer();
  const conn = new ScriptedConn(pieces);
  const handler = new EchoHandler(
    conn as unknown as Deno.Conn,
    ["127.0.0.1", 40000],
    server,
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finished = await Promise.race([
    handler.handle().then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), limit_ms);
    }),
  ]);
  clearTimeout(timer);
  if (!finished) server.server_close();
  return {
    text: normalize_dates(latin1(concat(conn.out))),
    finished: finished && conn.closed,
    errors: server.errors,
  };
}

function normalize_dates(text: string): string {
  return text.replace(/\r\nDate: [^\r\n]*\r\n/g, "\r\nDate: DATE\r\n");
}

/** One response of a response stream. */
export interface ParsedResponse {
  status: number;
  headers: [string, string][];
  body: string;
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3}) [^\r\n]*\r\n/;
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+): ([^\r\n]*)\r\n/;

/**
 * Splits what the server wrote into well-formed responses; throws when it
 * is not a sequence of them (an HTTP/0.9 body may come last).
 */
export function parse_responses(text: string): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let pos = 0;
  while (pos < text.length) {
    const rest = text.slice(pos);
    const status = STATUS_LINE.exec(rest);
    if (!status) {
      if (!rest.startsWith("HTTP/")) {
        // An HTTP/0.9 response: a bare body, and the connection closes.
        out.push({ status: 0, headers: [], body: rest });
        return out;
      }
      throw new Error(
        `Bad status line at ${pos}: ${JSON.stringify(rest.slice(0, 80))}`,
      );
    }
    let at = status[0].length;
    const headers: [string, string][] = [];
    for (;;) {
      if (rest.startsWith("\r\n", at)) {
        at += 2;
        break;
      }
      const h = HEADER_LINE.exec(rest.slice(at));
      if (!h) {
        throw new Error(
          `Bad header line at ${pos + at}: ${
            JSON.stringify(rest.slice(at, at + 80))
          }`,
        );
      }
      headers.push([h[1]!, h[2]!]);
      at += h[0].length;
    }
    const code = Number(status[1]);
    const length = headers.find(([k]) => k.toLowerCase() === "content-length");
    let body = "";
    if (code >= 200 && code !== 204 && code !== 304) {
      if (length) {
        const n = Number(length[1]);
        if (!/^\d+$/.test(length[1]) || at + n > rest.length) {
          throw new Error(`Body shorter than Content-Length ${length[1]}`);
        }
        body = rest.slice(at, at + n);
        at += n;
      } else {
        body = rest.slice(at);
        at = rest.length;
      }
    }
    out.push({ status: code, headers, body });
    pos += at;
    const conn = headers.find(([k]) => k.toLowerCase() === "connection");
    if (conn && conn[1].toLowerCase() === "close" && pos < text.length) {
      throw new Error(`Bytes after a Connection: close response at ${pos}`);
    }
  }
  return out;
}

/** Why a request case failed, or `null` when it passed. */
export async function check_request_case(
  rng: Rng,
  input: Uint8Array,
  expect?: string[],
): Promise<string | null> {
  const splits: [string, Uint8Array[]][] = [["whole", [input]]];
  if (input.length > 1) {
    if (input.length <= 3000) splits.push(["bytes", split_bytes(input)]);
    splits.push(["random", split_random(rng, input, rng.range(1, 6))]);
  }
  let first: Outcome | null = null;
  for (const [how, pieces] of splits) {
    const outcome = await serve_pieces(pieces);
    if (!outcome.finished) return `${how}: no close within the time limit`;
    if (outcome.errors.length > 0) {
      return `${how}: handle_error got ${outcome.errors[0]}`;
    }
    let responses: ParsedResponse[];
    try {
      responses = parse_responses(outcome.text);
    } catch (e) {
      return `${how}: ${(e as Error).message}`;
    }
    if (
      responses.some((r) =>
        r.status >= 500 && r.status !== 501 && r.status !== 505
      )
    ) {
      return `${how}: server error ${outcome.text.slice(0, 200)}`;
    }
    if (first === null) {
      first = outcome;
      if (expect) {
        const got = responses.filter((r) => r.status !== 100).map((r) =>
          r.body.replace(/ [0-9a-f]{8}\n$/, "").replace(/\n$/, "")
        );
        if (JSON.stringify(got) !== JSON.stringify(expect)) {
          return `echoes ${JSON.stringify(got)}, expected ${
            JSON.stringify(expect)
          }`;
        }
      }
    } else if (outcome.text !== first.text) {
      return `${how} split differs from whole:\n  whole: ${
        JSON.stringify(first.text.slice(0, 600))
      }\n  ${how}: ${JSON.stringify(outcome.text.slice(0, 600))}\n  pieces: ${
        JSON.stringify(pieces.map((p) => p.length))
      }`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Multipart

const BOUNDARY_CHARS =
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=? ";

/** A random valid boundary (RFC 2046: 1 to 70 characters, no final space). */
export function random_boundary(rng: Rng): string {
  const n = rng.pick([1, 2, 3, 8, 16, 40, 70]);
  let b = "";
  for (let i = 0; i < n; i++) b += rng.pick([...BOUNDARY_CHARS]);
  b = b.replace(/ +$/, "");
  return b === "" ? "x" : b;
}

/** A sent part: its name, filename (or null) and bytes. */
export interface SentPart {
  name: string;
  filename: string | null;
  content: Uint8Array;
}

/**
 * Whether `content`, placed in a part, would contain a delimiter line of
 * `boundary` (Python's rule: `--boundary`, optionally `--`, then spaces,
 * at the start of a line; the end of the content counts as a line end,
 * since a CRLF follows it).
 */
export function has_delimiter(content: Uint8Array, boundary: string): boolean {
  const dash = bytes_of("--" + boundary);
  for (let i = 0; i + dash.length <= content.length; i++) {
    if (i > 0 && content[i - 1] !== 0x0a) continue;
    let j = 0;
    while (j < dash.length && content[i + j] === dash[j]) j++;
    if (j < dash.length) continue;
    let k = i + dash.length;
    if (content[k] === 0x2d && content[k + 1] === 0x2d) k += 2;
    while (
      k < content.length &&
      (content[k] === 0x20 || (content[k]! >= 0x09 && content[k]! <= 0x0d &&
        content[k] !== 0x0a))
    ) k++;
    if (k === content.length || content[k] === 0x0a) return true;
  }
  return false;
}

/** Content that tempts the parser: CRLF, `--`, prefixes of the delimiter. */
function adversarial_content(rng: Rng, boundary: string): Uint8Array {
  const pieces: string[] = [];
  const count = rng.range(0, 12);
  for (let i = 0; i < count; i++) {
    const cut = rng.range(0, boundary.length);
    pieces.push(rng.pick([
      "\r\n",
      "\n",
      "\r",
      "--",
      "\r\n--",
      "\n--" + boundary.slice(0, cut),
      "\r\n--" + boundary.slice(0, cut),
      "\r\n--" + boundary + "x",
      "--" + boundary + "-x",
      "\r\n--" + boundary + " \tz",
      boundary,
      "\r\n\r\n",
      'Content-Disposition: form-data; name="evil"\r\n\r\n',
      latin1(rng.bytes(rng.range(1, 40))),
      "text ",
      "\0",
    ]));
  }
  let content = bytes_of(pieces.join(""));
  // Break what would be a real delimiter line: that is not content.
  while (has_delimiter(content, boundary)) {
    const text = latin1(content);
    content = bytes_of(
      text.replace(
        new RegExp(`(^|\\n)--${escape_regexp(boundary)}`),
        `$1-X-${boundary}`,
      ),
    );
  }
  return content;
}

function escape_regexp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const FILLER = 132_000;

/** A random form: parts, a boundary, and its body. */
export interface MultipartCase {
  boundary: string;
  parts: SentPart[];
  body: Uint8Array;
}

/**
 * A random multipart/form-data body. With `filler`, the first part is
 * 132,000 bytes, so that the parts after it lie past the parser's first
 * buffer refill (at 128 KiB): a chunk cut there is a cut the parser sees.
 */
export function multipart_case(rng: Rng, filler = false): MultipartCase {
  const boundary = random_boundary(rng);
  const parts: SentPart[] = [];
  if (filler) {
    const content = new Uint8Array(FILLER).fill(0x66);
    parts.push({ name: "filler", filename: "filler.bin", content });
  }
  const count = rng.range(filler ? 1 : 0, 5);
  for (let i = 0; i < count; i++) {
    const content = rng.int(4) === 0
      ? rng.bytes(rng.range(0, 300))
      : adversarial_content(rng, boundary);
    const clean = has_delimiter(content, boundary)
      ? adversarial_content(rng, boundary)
      : content;
    parts.push({
      name: rng.pick([
        "a",
        "field",
        "x y",
        "caf\u00e9",
        "\u6587\u4ef6",
        "n" + i,
      ]),
      filename: rng.int(2)
        ? rng.pick(["f.txt", "a b.bin", "\u00e9t\u00e9.png", "x;y.txt"])
        : null,
      content: clean,
    });
  }
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  if (rng.int(3) === 0) chunks.push(enc.encode("preamble\r\n"));
  for (const p of parts) {
    let disp = `Content-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== null) disp += `; filename="${p.filename}"`;
    chunks.push(enc.encode(`--${boundary}\r\n${disp}\r\n`));
    if (p.filename !== null) {
      chunks.push(enc.encode("Content-Type: application/octet-stream\r\n"));
    }
    chunks.push(enc.encode("\r\n"), p.content, enc.encode("\r\n"));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  if (rng.int(3) === 0) chunks.push(enc.encode("epilogue\r\n--x\r\n"));
  return { boundary, parts, body: concat(chunks) };
}

/** Spools every part of more than 64 bytes into `dir`. */
function storage_in(dir: string): typeof FieldStorage {
  return class SpoolingStorage extends FieldStorage {
    override spool_threshold = 64;
    override async make_file(): Promise<FieldFile> {
      const path = await Deno.makeTempFile({ dir, prefix: "fuzz_" });
      const file = await Deno.open(path, { read: true, write: true });
      return new FieldFile({ file, path, remove: true });
    }
  };
}

/** What `FieldStorage.from` made of a body: parts, or the error's class. */
export type MultipartResult =
  | { parts: SentPart[] }
  | { error: string };

/** Parses `body` fed as `pieces`; every temporary file must be gone after. */
export async function parse_multipart_pieces(
  dir: string,
  boundary: string,
  body: Uint8Array,
  pieces: Uint8Array[],
): Promise<MultipartResult> {
  const Storage = storage_in(dir);
  let result: MultipartResult;
  try {
    const form = await Storage.from({
      fp: pieces,
      headers: {
        "content-type": `multipart/form-data; boundary="${boundary}"`,
        "content-length": String(body.length),
      },
      environ: { REQUEST_METHOD: "POST" },
    });
    try {
      const parts: SentPart[] = [];
      for (const item of form.list ?? []) {
        if (!(item instanceof FieldStorage)) {
          throw new Error(`Part is a ${item.constructor.name}`);
        }
        item.file?.seek(0);
        parts.push({
          name: item.name ?? "",
          filename: item.filename,
          content: (await item.file?.read()) ?? new Uint8Array(0),
        });
      }
      result = { parts };
    } finally {
      form.close();
    }
  } catch (e) {
    if (!(e instanceof FormParseError)) throw e;
    result = { error: e.name };
  }
  const left = [...Deno.readDirSync(dir)].map((e) => e.name);
  if (left.length > 0) throw new Error(`Temporary files left: ${left}`);
  return result;
}

/** Compares parsed parts with sent ones; the first difference, or null. */
export function diff_parts(got: SentPart[], sent: SentPart[]): string | null {
  if (got.length !== sent.length) {
    return `${got.length} parts, sent ${sent.length}`;
  }
  for (let i = 0; i < sent.length; i++) {
    const g = got[i]!, s = sent[i]!;
    if (g.name !== s.name) return `part ${i} name ${g.name}, sent ${s.name}`;
    if (g.filename !== s.filename) {
      return `part ${i} filename ${g.filename}, sent ${s.filename}`;
    }
    if (
      fnv1a(g.content) !== fnv1a(s.content) ||
      g.content.length !== s.content.length
    ) {
      return `part ${i} content ${
        JSON.stringify(latin1(g.content).slice(0, 200))
      }, sent ${JSON.stringify(latin1(s.content).slice(0, 200))}`;
    }
  }
  return null;
}

/** The body cut at `cut` into two chunks (the first large enough to end a refill). */
export function cut_at(body: Uint8Array, cut: number): Uint8Array[] {
  return [body.subarray(0, cut), body.subarray(cut)].filter((p) => p.length);
}

/**
 * Checks one multipart case: whole, cut at random, and cut at every offset
 * of the `sweep` bytes after the filler part; the parts must equal the ones
 * sent. Then mutated (truncated, corrupted) bodies: a typed error or parts,
 * the same whatever the cuts. Returns the first failure, or null.
 */
export async function check_multipart_case(
  rng: Rng,
  dir: string,
  c: MultipartCase,
  sweep: number,
): Promise<string | null> {
  const cuts: [string, Uint8Array[]][] = [
    ["whole", [c.body]],
    ["random", split_random(rng, c.body, rng.range(1, 20))],
  ];
  if (c.parts[0]?.name === "filler") {
    // From just before the filler's delimiter on: every cut position.
    const from = latin1(c.body.subarray(0, FILLER + 400)).indexOf(
      "\r\n--" + c.boundary,
      FILLER,
    ) - 2;
    for (let i = 0; i < sweep && from + i < c.body.length; i++) {
      cuts.push([`cut ${from + i}`, cut_at(c.body, from + i)]);
    }
  }
  for (const [how, pieces] of cuts) {
    const r = await parse_multipart_pieces(dir, c.boundary, c.body, pieces);
    if ("error" in r) return `${how}: ${r.error} on a valid body`;
    const d = diff_parts(r.parts, c.parts);
    if (d) return `${how}: ${d}`;
  }
  // Mutations: the result may be anything typed, but not depend on the cuts.
  for (let m = 0; m < 3; m++) {
    const body = mutate_body(rng, c.body, c.boundary);
    const whole = await parse_multipart_pieces(dir, c.boundary, body, [body]);
    const split = await parse_multipart_pieces(
      dir,
      c.boundary,
      body,
      split_random(rng, body, rng.range(1, 10)),
    );
    if (JSON.stringify(summary(whole)) !== JSON.stringify(summary(split))) {
      return `mutated body: whole ${JSON.stringify(summary(whole))}, split ${
        JSON.stringify(summary(split))
      }`;
    }
  }
  return null;
}

function summary(r: MultipartResult): unknown {
  return "error" in r ? r.error : r.parts.map((
    p,
  ) => [p.name, p.filename, p.content.length, fnv1a(p.content)]);
}

function mutate_body(rng: Rng, body: Uint8Array, boundary: string): Uint8Array {
  switch (rng.int(4)) {
    case 0: // cut short: an aborted upload
      return body.subarray(0, rng.int(body.length));
    case 1: { // a byte changed
      const out = body.slice();
      out[rng.int(out.length)] = rng.int(256);
      return out;
    }
    case 2: // no close delimiter
      return bytes_of(latin1(body).replace(`--${boundary}--`, `--${boundary}`));
    default: { // a delimiter line inserted somewhere
      const at = rng.int(body.length + 1);
      return concat([
        body.subarray(0, at),
        bytes_of(`\r\n--${boundary}\r\n`),
        body.subarray(at),
      ]);
    }
  }
}
