import { assert, assertEquals } from "./_assert.ts";
import {
  bytes_of,
  error_response,
  exchange,
  normalize,
  QuietHandler,
  serve,
  SERVER,
} from "./_helpers.ts";

/** Echoes the body it reads (chunked or not) with a length. */
class Echo extends QuietHandler {
  override protocol_version = "HTTP/1.1";
  async do_POST(): Promise<void> {
    const body = await this.rfile.read();
    this.send_response(200);
    this.send_header("Content-Length", body.length);
    this.end_headers();
    await this.wfile.write(body);
  }
  do_GET(): void {
    this.send_response(200);
    this.send_header("Content-Length", 2);
    this.end_headers();
    this.wfile.write("ok");
  }
}

const BAD = "Bad request syntax or unsupported method";

for (
  const [label, target, shown] of [
    ["NUL", "/a\x00b", "'/a\\x00b'"],
    ["ESC", "/a\x1b[31mb", "'/a\\x1b[31mb'"],
    ["DEL", "/a\x7fb", "'/a\\x7fb'"],
    ["0x80", "/a\x80b", "'/a\\x80b'"],
    ["0xFF", "/\xff", "'/ÿ'"],
  ] as const
) {
  Deno.test(`BaseHTTPRequestHandler refuses ${label} in the request target with 400`, async () => {
    await using s = serve(Echo);
    const r = await exchange(
      s,
      bytes_of(`GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    assert(r.closed);
    assertEquals(
      normalize(r.text).split("\r\n")[0],
      `HTTP/1.1 400 Bad request target (${shown})`,
    );
  });
}

Deno.test("BaseHTTPRequestHandler compares parsed versions: HTTP/1.01 needs Host as HTTP/1.1 does", async () => {
  await using s = serve(Echo);
  const r = await exchange(s, "GET / HTTP/1.01\r\n\r\n");
  assertEquals(
    normalize(r.text),
    error_response(400, "Missing Host header", BAD, "HTTP/1.1"),
  );
  // And may use chunked, which HTTP/1.0 may not.
  const chunked = await exchange(
    s,
    "POST / HTTP/1.01\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
  );
  assertEquals(
    normalize(chunked.text),
    `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`,
  );
});

function chunked(body: string): string {
  return "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
    body;
}

const ABC =
  `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`;

Deno.test("rfile accepts a chunk size with leading zeros, and bounds its value", async () => {
  await using s = serve(Echo);
  const ok = await exchange(s, chunked("0000000000000003\r\nabc\r\n0\r\n\r\n"));
  assertEquals(normalize(ok.text), ABC);
  const big = await exchange(s, chunked("10000000000000\r\nabc\r\n0\r\n\r\n"));
  assertEquals(
    normalize(big.text).split("\r\n")[0],
    'HTTP/1.1 400 Invalid chunk size "10000000000000"',
  );
});

Deno.test("rfile refuses control characters in a chunk extension with 400, accepts a plain one", async () => {
  await using s = serve(Echo);
  const ok = await exchange(s, chunked('3;name="v"\t\r\nabc\r\n0\r\n\r\n'));
  assertEquals(normalize(ok.text), ABC);
  for (
    const [ext, shown] of [
      [";a\x00b", ";a\\x00b"],
      [";a\x1bb", ";a\\x1bb"],
      [";a\x7f", ";a\\x7f"],
    ]
  ) {
    const r = await exchange(s, chunked(`3${ext}\r\nabc\r\n0\r\n\r\n`));
    assertEquals(
      normalize(r.text).split("\r\n")[0],
      `HTTP/1.1 400 Invalid chunk size "3${shown}"`,
      JSON.stringify(ext),
    );
  }
});

Deno.test("BaseHTTPRequestHandler answers 400 when chunked is not the final or only-once coding, 501 for other codings before it", async () => {
  await using s = serve(Echo);
  const head = (te: string) =>
    `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${te}\r\n\r\n`;
  const status = async (te: string) =>
    normalize((await exchange(s, head(te))).text).split("\r\n")[0];
  assertEquals(
    await status("chunked, gzip"),
    "HTTP/1.1 400 Transfer-Encoding does not end in one chunked ('chunked, gzip')",
  );
  assertEquals(
    await status("chunked, chunked"),
    "HTTP/1.1 400 Transfer-Encoding does not end in one chunked ('chunked, chunked')",
  );
  assertEquals(
    await status("gzip"),
    "HTTP/1.1 400 Transfer-Encoding does not end in one chunked ('gzip')",
  );
  assertEquals(
    await status("gzip, chunked"),
    "HTTP/1.1 501 Unsupported Transfer-Encoding ('gzip, chunked')",
  );
});

for (
  const [label, trailer] of [
    ["a line without a colon", "nocolon\r\n"],
    ["obs-fold", "X-A: 1\r\n  folded\r\n"],
    ["NUL", "X-A: a\x00b\r\n"],
    ["a bare CR", "X-A: a\rb\r\n"],
    ["a whole request line", "GET /smuggled HTTP/1.1\r\n"],
    ["space before the colon", "X-A : 1\r\n"],
  ] as const
) {
  Deno.test(`rfile refuses a trailer section holding ${label} with 400, and closes`, async () => {
    await using s = serve(Echo);
    const r = await exchange(
      s,
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n" +
        trailer + "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert(r.closed);
    const text = normalize(r.text);
    assert(
      text.startsWith('HTTP/1.1 400 Bad trailer line "'),
      JSON.stringify(text.slice(0, 80)),
    );
    // The request after it is not served.
    assertEquals(text.split("HTTP/1.1 ").length, 2);
  });
}

Deno.test("rfile accepts valid trailer fields and serves the next request", async () => {
  await using s = serve(Echo);
  const r = await exchange(
    s,
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 1\r\nX-B:\t2 \r\n\r\n" +
      "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  );
  assertEquals(
    normalize(r.text),
    `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nContent-Length: 3\r\n\r\nabc` +
      `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`,
  );
});

Deno.test("rfile refuses more than 100 trailer fields with 400", async () => {
  await using s = serve(Echo);
  const r = await exchange(
    s,
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n" +
      "X: 1\r\n".repeat(101) + "\r\n",
  );
  assertEquals(
    normalize(r.text).split("\r\n")[0],
    "HTTP/1.1 400 Too many trailer fields",
  );
});
