import { assert, assertEquals } from "./_assert.ts";
import { grown_buffer_bytes } from "../_protocol/conn.ts";
import {
  normalize,
  QuietHandler,
  RawClient,
  serve,
  SERVER,
} from "./_helpers.ts";

class Small extends QuietHandler {
  override protocol_version = "HTTP/1.1";
  override max_head_memory = 1024 * 1024;
  do_GET(): void {
    this.send_response(200);
    this.send_header("Content-Length", 2);
    this.end_headers();
    this.wfile.write("ok");
  }
}

const OK =
  `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nContent-Length: 2\r\n\r\nok`;

/** Polls until `check` holds or 3 s pass. */
async function until(check: () => boolean): Promise<boolean> {
  const end = Date.now() + 3000;
  while (!check() && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return check();
}

/** Header lines of about `bytes` bytes, without the blank line. */
function big_headers(bytes: number): string {
  // Long lines: fewer than max_headers (100) of them.
  return `X-Pad: ${"a".repeat(50_000)}\r\n`.repeat(Math.ceil(bytes / 50_009));
}

Deno.test("Connection buffers shrink back after a request with a large head, on a connection kept open", async () => {
  await using s = serve(Small);
  await using c = await RawClient.connect(s);
  await c.write(`GET / HTTP/1.1\r\nHost: x\r\n${big_headers(300_000)}\r\n`);
  assert(await c.read_until((t) => t.endsWith("ok")));
  assertEquals(normalize(c.text), OK);
  // Still open, and holding no grown buffer.
  assert(
    await until(() => grown_buffer_bytes() === 0),
    `${grown_buffer_bytes()}`,
  );
  await c.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert(await c.read_to_eof());
});

Deno.test("BaseHTTPRequestHandler answers 503 to a head that would take unfinished heads past max_head_memory, then serves others", async () => {
  await using s = serve(Small);
  await using first = await RawClient.connect(s);
  // ~600 KB of an unfinished head: its buffer grows to 1 MiB.
  await first.write(`GET / HTTP/1.1\r\nHost: x\r\n${big_headers(600_000)}`);
  assert(await until(() => grown_buffer_bytes() > 900_000));
  await using second = await RawClient.connect(s);
  await second.write(`GET / HTTP/1.1\r\nHost: x\r\n${big_headers(600_000)}`);
  assert(await second.read_until((t) => t.includes("\r\n\r\n")));
  assertEquals(
    normalize(second.text).split("\r\n")[0],
    "HTTP/1.1 503 Too many large request heads in progress",
  );
  // A small request still gets through, and the first head can finish.
  await using third = await RawClient.connect(s);
  await third.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert(await third.read_to_eof());
  assertEquals(normalize(third.text).split("\r\n")[0], "HTTP/1.1 200 OK");
  await first.write("Connection: close\r\n\r\n");
  assert(await first.read_to_eof());
  assertEquals(normalize(first.text).split("\r\n")[0], "HTTP/1.1 200 OK");
  await second.close();
  assert(
    await until(() => grown_buffer_bytes() === 0),
    `${grown_buffer_bytes()}`,
  );
});
