import { DEFAULT_ERROR_MESSAGE } from "../mod.ts";
import { escape_control } from "../_common/pyformat.ts";
import { assert, assertEquals, assertMatch, assertThrows } from "./_assert.ts";
import {
  error_page,
  error_response,
  exchange,
  normalize,
  QuietHandler,
  RawClient,
  serve,
  SERVER,
  split_response,
} from "./_helpers.ts";

class Hello extends QuietHandler {
  async do_GET(): Promise<void> {
    this.send_response(200);
    this.send_header("Content-Type", "text/plain");
    this.send_header("Content-Length", 5);
    this.end_headers();
    await this.wfile.write("hello");
  }
}

class Hello11 extends Hello {
  override protocol_version = "HTTP/1.1";
}

const BAD_REQUEST = "Bad request syntax or unsupported method";
const HELLO_10 = "HTTP/1.0 200 OK\r\n" +
  `Server: ${SERVER}\r\nDate: DATE\r\n` +
  "Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
const HELLO_11 = HELLO_10.replace("HTTP/1.0", "HTTP/1.1");

Deno.test("BaseHTTPRequestHandler.send_response() sends status, Server and Date before the handler's headers", async () => {
  await using s = serve(Hello);
  const r = await exchange(s, "GET / HTTP/1.0\r\n\r\n");
  assertEquals(normalize(r.text), HELLO_10);
  assert(r.closed);
  assertEquals(s.logs, ['"GET / HTTP/1.0" 200 -']);
});

Deno.test("BaseHTTPRequestHandler.handle_one_request() answers a method without do_<METHOD> with 501 and Python's page", async () => {
  await using s = serve(Hello);
  const r = await exchange(s, "FOO / HTTP/1.0\r\n\r\n");
  const page = error_page(
    501,
    "Unsupported method ('FOO')",
    "Server does not support this operation",
  );
  assertEquals(
    normalize(r.text),
    "HTTP/1.0 501 Unsupported method ('FOO')\r\n" +
      `Server: ${SERVER}\r\n` +
      "Date: DATE\r\n" +
      "Content-Type: text/html;charset=utf-8\r\n" +
      "Connection: close\r\n" +
      `Content-Length: ${page.length}\r\n` +
      "\r\n" + page,
  );
  assert(r.closed);
  assertEquals(s.logs, [
    "code 501, message Unsupported method ('FOO')",
    `"FOO / HTTP/1.0" 501 -`,
  ]);
  assertEquals(
    error_page(501, "Unsupported method ('FOO')", "x"),
    DEFAULT_ERROR_MESSAGE.replace("%(code)d", "501").replace(
      "%(message)s",
      "Unsupported method ('FOO')",
    ).replace("%(code)s - %(explain)s", "501 - x"),
  );
});

Deno.test("BaseHTTPRequestHandler.parse_request() answers bad request lines with 400 and a status line when default_request_version is HTTP/1.1", async () => {
  class H extends Hello {
    override default_request_version = "HTTP/1.1";
  }
  await using s = serve(H);
  const cases: [string, string][] = [
    ["GET / HTTP/1", "Bad request version ('HTTP/1')"],
    ["GET / HTTP/a.b", "Bad request version ('HTTP/a.b')"],
    ["GET / HTTP/1.1.1", "Bad request version ('HTTP/1.1.1')"],
    ["GET / HTTP/-1.+1", "Bad request version ('HTTP/-1.+1')"],
    ["GET / HTTP/1.12345678901", "Bad request version ('HTTP/1.12345678901')"],
    ["GET / FUBAR", "Bad request version ('FUBAR')"],
    [
      "GET /spaced out HTTP/1.1",
      "Bad request syntax ('GET /spaced out HTTP/1.1')",
    ],
    ["GET", "Bad request syntax ('GET')"],
    ["POST /", "Bad HTTP/0.9 request type ('POST')"],
  ];
  for (const [line, message] of cases) {
    const r = await exchange(s, line + "\r\nHost: x\r\n\r\n");
    assertEquals(
      normalize(r.text),
      error_response(400, message, BAD_REQUEST),
      line,
    );
    assert(r.closed, line);
  }
});

Deno.test("BaseHTTPRequestHandler.parse_request() answers a bad version with a status line, not a bare HTML page (Python sends none)", async () => {
  await using s = serve(Hello);
  const r = await exchange(s, "GET / HTTP/1\r\n\r\n");
  assertEquals(
    normalize(r.text),
    error_response(400, "Bad request version ('HTTP/1')", BAD_REQUEST),
  );
  assert(r.closed);
  assertEquals(s.logs, [
    "code 400, message Bad request version ('HTTP/1')",
    '"GET / HTTP/1" 400 -',
  ]);
});

Deno.test("BaseHTTPRequestHandler.parse_request() answers a version below 1.0 with 400 and a status line; a two-word GET stays HTTP/0.9", async () => {
  await using s = serve(Hello);
  for (const version of ["HTTP/0.9", "HTTP/0.1"]) {
    const r = await exchange(s, `GET / ${version}\r\n\r\n`);
    assertEquals(
      normalize(r.text),
      error_response(
        400,
        `Bad request version ('${version}')`,
        BAD_REQUEST,
      ),
    );
  }
  // Python's own tests require the headerless answer to a simple request.
  const simple = await exchange(s, "POST /\r\n\r\n");
  assertEquals(
    normalize(simple.text),
    error_response(400, "Bad HTTP/0.9 request type ('POST')", BAD_REQUEST),
  );
});

Deno.test("BaseHTTPRequestHandler.parse_request() answers HTTP/2.0 with 505", async () => {
  class H extends Hello {
    override default_request_version = "HTTP/1.1";
  }
  await using s = serve(H);
  const r = await exchange(s, "GET / HTTP/2.0\r\n\r\n");
  assertEquals(
    normalize(r.text),
    error_response(
      505,
      "Invalid HTTP version (2.0)",
      "Cannot fulfill request",
    ),
  );
  assert(r.closed);
});

Deno.test("BaseHTTPRequestHandler.parse_request() serves HTTP/0.9 GET with the body only", async () => {
  await using s = serve(Hello);
  const r = await exchange(s, "GET /\r\n\r\n");
  assertEquals(r.text, "hello");
  assert(r.closed);
});

Deno.test("BaseHTTPRequestHandler.handle_one_request() answers a request line over 65,536 bytes with 414", async () => {
  await using s = serve(Hello);
  // Python reads 65,537 bytes: a line of exactly 65,536 bytes is served.
  const ok = "GET /" + "x".repeat(65536 - 16) + " HTTP/1.0\r\n";
  assertEquals(ok.length, 65536);
  const r1 = await exchange(s, ok + "\r\n");
  assertEquals(normalize(r1.text), HELLO_10);
  const r = await exchange(
    s,
    "GET /" + "x".repeat(65537) + " HTTP/1.0\r\n\r\n",
  );
  assertEquals(
    normalize(r.text),
    error_response(
      414,
      "URI Too Long",
      "URI is too long",
    ),
  );
  assert(r.closed);
});

Deno.test("BaseHTTPRequestHandler.handle_one_request() answers a header line over 65,536 bytes with 431", async () => {
  await using s = serve(Hello);
  // Python parses the request line first, so the 431 is HTTP/1.x's.
  const head = "GET / HTTP/1.1\r\nX-Foo: " + "r".repeat(65537) + "\r\n\r\n";
  const r = await exchange(s, head);
  assertEquals(
    normalize(r.text),
    error_response(
      431,
      "Line too long",
      "got more than 65536 bytes when reading header line",
    ),
  );
  assert(r.closed);
  assertEquals(s.logs[0], "code 431, message Line too long");
});

Deno.test("BaseHTTPRequestHandler.handle_one_request() answers more than 100 headers with 431 and serves 100", async () => {
  await using s = serve(Hello);
  const ok = await exchange(
    s,
    "GET / HTTP/1.0\r\n" + "X-Foo: bar\r\n".repeat(100) + "\r\n",
  );
  assertEquals(normalize(ok.text), HELLO_10);
  const r = await exchange(
    s,
    "GET / HTTP/1.1\r\n" + "X-Foo: bar\r\n".repeat(101) + "\r\n",
  );
  assertEquals(
    normalize(r.text),
    error_response(431, "Too many headers", "got more than 100 headers"),
  );
  assert(r.closed);
});

class Echo11 extends QuietHandler {
  override protocol_version = "HTTP/1.1";
  async do_POST(): Promise<void> {
    const body = await this.rfile.read();
    this.send_response(200);
    this.send_header("Content-Length", body.length);
    this.end_headers();
    await this.wfile.write(body);
  }
}

Deno.test("BaseHTTPRequestHandler.handle_expect_100() sends 100 Continue before the final response under HTTP/1.1", async () => {
  await using s = serve(Echo11);
  await using c = await RawClient.connect(s);
  await c.write(
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n",
  );
  assert(await c.read_until_text("\r\n\r\n"));
  assertEquals(c.text, "HTTP/1.1 100 Continue\r\n\r\n");
  await c.write("ping");
  assert(await c.read_until_text("ping"));
  assertEquals(
    normalize(c.text),
    "HTTP/1.1 100 Continue\r\n\r\n" +
      `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\n` +
      "Content-Length: 4\r\n\r\nping",
  );
});

Deno.test("BaseHTTPRequestHandler.handle_expect_100() answers an HTTP/1.1 client under HTTP/1.0 too, and not an HTTP/1.0 request", async () => {
  class Echo10 extends Echo11 {
    override protocol_version = "HTTP/1.0";
  }
  for (
    const [H, protocol, version, interim] of [
      [Echo10, "HTTP/1.0", "HTTP/1.1", "HTTP/1.0 100 Continue\r\n\r\n"],
      [Echo11, "HTTP/1.1", "HTTP/1.0", ""],
    ] as const
  ) {
    await using s = serve(H);
    await using c = await RawClient.connect(s);
    await c.write(
      `POST / ${version}\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    if (interim) {
      // The body follows the 100, as curl sends it.
      assert(await c.read_until_text("\r\n\r\n"));
      assertEquals(c.text, interim);
    }
    await c.write("ping");
    assert(await c.read_to_eof());
    const { status, body } = split_response(c.text.slice(interim.length));
    assertEquals(status, `${protocol} 200 OK`);
    assertEquals(body, "ping");
  }
});

Deno.test("BaseHTTPRequestHandler.send_error() after 100 Continue still sends the error response", async () => {
  class H extends QuietHandler {
    override protocol_version = "HTTP/1.1";
    async do_POST(): Promise<void> {
      await this.rfile.read();
      this.send_error(422);
    }
  }
  await using s = serve(H);
  await using c = await RawClient.connect(s);
  await c.write(
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n",
  );
  assert(await c.read_until_text("\r\n\r\n"));
  await c.write("ping");
  assert(await c.read_to_eof());
  assertEquals(
    normalize(c.text),
    "HTTP/1.1 100 Continue\r\n\r\n" +
      error_response(
        422,
        "Unprocessable Content",
        "",
        "HTTP/1.1",
      ),
  );
});

Deno.test("BaseHTTPRequestHandler.end_headers() drops the body of HEAD, 1xx, 204 and 304 responses", async () => {
  class H extends QuietHandler {
    override protocol_version = "HTTP/1.1";
    async do_GET(): Promise<void> {
      this.send_response(Number(this.path.slice(1)));
      this.send_header("Content-Length", 4);
      this.end_headers();
      await this.wfile.write("body");
    }
    do_HEAD(): void {
      // As Python's SimpleHTTPRequestHandler: the length, no body.
      this.send_response(200);
      this.send_header("Content-Length", 4);
      this.end_headers();
    }
    async do_WRITEHEAD(): Promise<void> {
      this.command = "HEAD";
      await this.do_GET();
    }
    async do_EARLY(): Promise<void> {
      this.send_response(103);
      this.send_header("Link", "</a>");
      this.end_headers();
      await this.wfile.write("no!");
      await this.do_GET();
    }
  }
  await using s = serve(H);
  await using c = await RawClient.connect(s);
  const head = (code: number) =>
    `HTTP/1.1 ${code} ${
      { 200: "OK", 204: "No Content", 304: "Not Modified" }[code]
    }\r\nServer: ${SERVER}\r\nDate: DATE\r\nContent-Length: 4\r\n\r\n`;
  await c.write(
    "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" +
      "GET /204 HTTP/1.1\r\nHost: x\r\n\r\n" +
      "GET /304 HTTP/1.1\r\nHost: x\r\n\r\n" +
      "WRITEHEAD /200 HTTP/1.1\r\nHost: x\r\n\r\n" +
      "EARLY /200 HTTP/1.1\r\nHost: x\r\n\r\n" +
      "GET /200 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  );
  assert(await c.read_to_eof());
  assertEquals(
    normalize(c.text),
    head(200) + head(204) + head(304) + head(200) +
      `HTTP/1.1 103 Early Hints\r\nServer: ${SERVER}\r\nDate: DATE\r\nLink: </a>\r\n\r\n` +
      head(200) + "body" +
      head(200).replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n") + "body",
  );
});

Deno.test("BaseHTTPRequestHandler.send_error() sends headers but no page for HEAD and none for 204/304", async () => {
  class H extends QuietHandler {
    do_HEAD(): void {
      this.send_error(404);
    }
    do_GET(): void {
      this.send_error(Number(this.path.slice(1)));
    }
  }
  await using s = serve(H);
  const r = await exchange(s, "HEAD / HTTP/1.0\r\n\r\n");
  const full = error_response(
    404,
    "Not Found",
    "Nothing matches the given URI",
  );
  assertEquals(normalize(r.text), full.slice(0, full.indexOf("\r\n\r\n") + 4));
  const r204 = await exchange(s, "GET /204 HTTP/1.0\r\n\r\n");
  assertEquals(
    normalize(r204.text),
    `HTTP/1.0 204 No Content\r\nServer: ${SERVER}\r\nDate: DATE\r\nConnection: close\r\n\r\n`,
  );
  const r304 = await exchange(s, "GET /304 HTTP/1.0\r\n\r\n");
  assertEquals(
    normalize(r304.text),
    `HTTP/1.0 304 Not Modified\r\nServer: ${SERVER}\r\nDate: DATE\r\nConnection: close\r\n\r\n`,
  );
});

Deno.test("BaseHTTPRequestHandler.send_error() HTML-escapes the message and the explanation", async () => {
  class H extends QuietHandler {
    do_GET(): void {
      this.send_error(400, "<b>&'\"", "a < b > c & d");
    }
  }
  await using s = serve(H);
  const r = await exchange(s, "GET / HTTP/1.0\r\n\r\n");
  const { status, body } = split_response(r.text);
  assertEquals(status, "HTTP/1.0 400 <b>&'\"");
  assertEquals(
    body,
    error_page(400, "&lt;b&gt;&amp;'\"", "a &lt; b &gt; c &amp; d"),
  );
  // The request line goes into the page through the message, escaped.
  const r2 = await exchange(
    s,
    '<script>alert("x")</script> / HTTP/1.0\r\n\r\n',
  );
  assert(
    r2.text.includes(
      "Unsupported method ('&lt;script&gt;alert(\"x\")&lt;/script&gt;')",
    ),
  );
  assert(!split_response(r2.text).body.includes("<script>"));
});

Deno.test("BaseHTTPRequestHandler.send_error() uses ??? for an unknown code, as Python", async () => {
  class H extends QuietHandler {
    do_GET(): void {
      this.send_error(599);
    }
  }
  await using s = serve(H);
  const r = await exchange(s, "GET / HTTP/1.0\r\n\r\n");
  assertEquals(normalize(r.text), error_response(599, "???", "???"));
});

Deno.test("BaseHTTPRequestHandler.handle() keeps the connection as Python decides", async () => {
  const CLOSE_11 = HELLO_11.replace(
    "\r\n\r\n",
    "\r\nConnection: close\r\n\r\n",
  );
  // [protocol_version, request version, Connection header, expected]
  const cases: [string, string, string, string][] = [
    ["HTTP/1.0", "HTTP/1.0", "", HELLO_10],
    ["HTTP/1.0", "HTTP/1.1", "", HELLO_10],
    ["HTTP/1.0", "HTTP/1.1", "keep-alive", HELLO_10],
    ["HTTP/1.0", "HTTP/1.0", "keep-alive", HELLO_10],
    ["HTTP/1.1", "HTTP/1.1", "", HELLO_11 + HELLO_11],
    ["HTTP/1.1", "HTTP/1.1", "close", CLOSE_11],
    ["HTTP/1.1", "HTTP/1.1", "Close", CLOSE_11],
    ["HTTP/1.1", "HTTP/1.0", "", CLOSE_11],
    ["HTTP/1.1", "HTTP/1.0", "keep-alive", HELLO_11 + HELLO_11],
    ["HTTP/1.1", "HTTP/1.0", "Keep-Alive", HELLO_11 + HELLO_11],
  ];
  for (const [protocol, version, connection, expected] of cases) {
    const label = `${protocol} ${version} ${connection || "-"}`;
    class H extends (protocol === "HTTP/1.1" ? Hello11 : Hello) {
      // A kept connection then closes soon after the second response.
      override keep_alive_timeout = 0.2;
    }
    await using s = serve(H);
    const req = `GET / ${version}\r\nHost: x\r\n` +
      (connection ? `Connection: ${connection}\r\n` : "") + "\r\n";
    const r = await exchange(s, [req, req], { piece_delay_ms: 30 });
    assertEquals(normalize(r.text), expected, label);
    assert(r.closed, label);
  }
});

Deno.test("BaseHTTPRequestHandler.send_header() with Connection sets close_connection, as Python", async () => {
  class H extends QuietHandler {
    override protocol_version = "HTTP/1.1";
    do_CLOSE(): void {
      this.send_response(204);
      this.send_header("Connection", "close");
      this.end_headers();
    }
    do_KEEP(): void {
      this.send_response(204);
      this.send_header("Connection", "keep-alive");
      this.end_headers();
    }
  }
  await using s = serve(H);
  const r = await exchange(s, [
    "KEEP / HTTP/1.0\r\n\r\n",
    "CLOSE / HTTP/1.1\r\nHost: x\r\n\r\n",
    "KEEP / HTTP/1.1\r\nHost: x\r\n\r\n",
  ], { piece_delay_ms: 50 });
  const head = (c: string) =>
    `HTTP/1.1 204 No Content\r\nServer: ${SERVER}\r\nDate: DATE\r\nConnection: ${c}\r\n\r\n`;
  assertEquals(normalize(r.text), head("keep-alive") + head("close"));
  assert(r.closed);
});

Deno.test("BaseHTTPRequestHandler.log_request() logs in Python's format", async () => {
  await using s = serve(Hello11);
  await exchange(
    s,
    "GET /a%20b?q=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  );
  assertEquals(s.logs, ['"GET /a%20b?q=1 HTTP/1.1" 200 -']);
});

Deno.test("escape_control() escapes C0, C1, backslash and what repr() escapes beyond them", () => {
  assertEquals(escape_control("/foo"), "/foo");
  assertEquals(escape_control("/\x1bbar\x00\x1b"), "/\\x1bbar\\x00\\x1b");
  // U+00A0 is not printable for Python's repr() either.
  assertEquals(
    escape_control("/spam \x1b\x7f\x9f\xa0beans."),
    "/spam \\x1b\\x7f\\x9f\\xa0beans.",
  );
  assertEquals(
    escape_control(
      "\u202e\u2028\u2029\u200b\ud800" + String.fromCodePoint(0xe0001) + "é日",
    ),
    "\\u202e\\u2028\\u2029\\u200b\\ud800\\U000e0001é日",
  );
  assertEquals(
    escape_control('"GET /foo\\b"ar\x07 HTTP/1.0"'),
    '"GET /foo\\\\b"ar\\x07 HTTP/1.0"',
  );
  assertEquals(escape_control("\t\r\n"), "\\x09\\x0d\\x0a");
});

Deno.test("BaseHTTPRequestHandler.log_message() writes Python's line to stderr with control characters escaped", async () => {
  const script = `
import { BaseHTTPRequestHandler, HTTPServer } from ${
    JSON.stringify(new URL("../mod.ts", import.meta.url).href)
  };
class H extends BaseHTTPRequestHandler {
  do_GET() { this.send_response(204); this.end_headers(); }
}
const server = new HTTPServer(["127.0.0.1", 0], H);
const serving = server.serve_forever();
const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.server_port });
await conn.write(new TextEncoder().encode("GET /\\x1b[31mred\\\\x HTTP/1.0\\r\\n\\r\\n"));
const buf = new Uint8Array(4096);
while ((await conn.read(buf)) !== null) { /* until the server closes */ }
conn.close();
await server.shutdown();
await serving;
server.server_close();
`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = out.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stderr } = await out.output();
  const text = new TextDecoder().decode(stderr);
  assertEquals(code, 0, text);
  assertMatch(
    text,
    // ESC in the target is refused (RFC 9112 §3.2), and logged escaped.
    /^127\.0\.0\.1 - - \[[^\]]+\] code 400, message Bad request target \('\/\\+x1b\[31mred\\+x'\)\n127\.0\.0\.1 - - \[\d{2}\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4} \d{2}:\d{2}:\d{2}\] "GET \/\\x1b\[31mred\\\\x HTTP\/1\.0" 400 -\n$/,
  );
});

Deno.test("BaseHTTPRequestHandler.send_header() throws TypeError before send_response() and after end_headers()", async () => {
  const seen: string[] = [];
  class H extends QuietHandler {
    do_GET(): void {
      seen.push(
        assertThrows(() => this.send_header("X", "1"), TypeError).message,
      );
      this.send_response(200);
      this.send_header("Content-Length", 0);
      this.end_headers();
      seen.push(
        assertThrows(() => this.send_header("X", "1"), TypeError).message,
      );
      seen.push(assertThrows(() => this.end_headers(), TypeError).message);
    }
  }
  await using s = serve(H);
  const r = await exchange(s, "GET / HTTP/1.0\r\n\r\n");
  assertEquals(
    normalize(r.text),
    `HTTP/1.0 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nContent-Length: 0\r\n\r\n`,
  );
  assertEquals(seen.length, 3);
  assertEquals(
    seen[0],
    `Cannot send header 'X': call send_response() first, and send no header after end_headers()`,
  );
  assertEquals(seen[1], seen[0]);
  assertEquals(seen[2], "Cannot end headers: call send_response() first");
});

Deno.test("BaseHTTPRequestHandler.send_header() throws TypeError for CR/LF/NUL in a value, an invalid name or a non-latin1 value", async () => {
  const seen: string[] = [];
  class H extends QuietHandler {
    do_GET(): void {
      this.send_response(200);
      for (
        const [k, v] of [
          ["X", "a\r\nSet-Cookie: x"],
          ["X", "a\nb"],
          ["X", "a\rb"],
          ["X", "a\0b"],
          ["X Y", "1"],
          ["X:", "1"],
          ["", "1"],
          ["X", "\u20ac"],
        ]
      ) {
        seen.push(
          assertThrows(() => this.send_header(k!, v!), TypeError).message,
        );
      }
      this.send_header("X-Latin", "caf\xe9");
      this.send_header("Content-Length", 0);
      this.end_headers();
    }
  }
  await using s = serve(H);
  const r = await exchange(s, "GET / HTTP/1.0\r\n\r\n");
  assertEquals(
    normalize(r.text),
    `HTTP/1.0 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nX-Latin: caf\xe9\r\nContent-Length: 0\r\n\r\n`,
  );
  assertEquals(seen.length, 8);
  assertEquals(seen[0], "Invalid value for header 'X': 'a\\r\\nSet-Cookie: x'");
  assertEquals(seen[4], "Invalid header name 'X Y'");
});

Deno.test("BaseHTTPRequestHandler.send_response_only() throws for CR/LF in the reason phrase and codes outside 100-999", async () => {
  const seen: unknown[] = [];
  class H extends QuietHandler {
    do_GET(): void {
      seen.push(
        assertThrows(() => this.send_response(200, "OK\r\nX: y"), TypeError),
      );
      seen.push(assertThrows(() => this.send_response(99), RangeError));
      seen.push(assertThrows(() => this.send_response(1000), RangeError));
      this.send_response(299, "Fine");
      this.send_header("Content-Length", 0);
      this.end_headers();
    }
  }
  await using s = serve(H);
  const r = await exchange(s, "GET / HTTP/1.0\r\n\r\n");
  assertEquals(split_response(r.text).status, "HTTP/1.0 299 Fine");
  assertEquals(seen.length, 3);
});

Deno.test("BaseHTTPRequestHandler.handle_one_request() decodes header values as ISO-8859-1 exactly", async () => {
  let value = "";
  let path = "";
  class H extends QuietHandler {
    do_GET(): void {
      value = this.headers.get("X-Bytes", "");
      path = this.path;
      this.send_response(204);
      this.end_headers();
    }
  }
  await using s = serve(H);
  const head = new Uint8Array([
    ...new TextEncoder().encode("GET /%E9 HTTP/1.0\r\nX-Bytes: a"),
    0x80,
    0x9f,
    0xa4,
    0xff,
    0xc3,
    0xa9,
    ...new TextEncoder().encode("\r\n\r\n"),
  ]);
  const r = await exchange(s, head);
  assertEquals(split_response(r.text).status, "HTTP/1.0 204 No Content");
  assertEquals(value, "a\u0080\u009f\u00a4\u00ff\u00c3\u00a9");
  // A raw byte above 0x7F in the target is refused (request_line_test.ts).
  assertEquals(path, "/%E9");
});

Deno.test("BaseHTTPRequestHandler.version_string() and date_time_string() are Python's", async () => {
  const seen: string[] = [];
  class H extends QuietHandler {
    do_GET(): void {
      seen.push(
        this.version_string(),
        this.date_time_string(0),
        this.date_time_string(1495111758.5),
        this.address_string(),
      );
      this.send_response(204);
      this.end_headers();
    }
  }
  await using s = serve(H);
  await exchange(s, "GET / HTTP/1.0\r\n\r\n");
  assertEquals(seen, [
    SERVER,
    "Thu, 01 Jan 1970 00:00:00 GMT",
    "Thu, 18 May 2017 12:49:18 GMT",
    "127.0.0.1",
  ]);
});

Deno.test("BaseHTTPRequestHandler.handle_expect_100() can refuse with an error response, as Python's test_with_continue_rejected", async () => {
  let called = false;
  class H extends Echo11 {
    override handle_expect_100(): boolean {
      this.send_error(417);
      return false;
    }
    override do_POST(): Promise<void> {
      called = true;
      return super.do_POST();
    }
  }
  await using s = serve(H);
  const r = await exchange(
    s,
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n",
  );
  assertEquals(
    normalize(r.text),
    error_response(
      417,
      "Expectation Failed",
      "Expect condition could not be satisfied",
      "HTTP/1.1",
    ),
  );
  assert(r.closed);
  assert(!called);
});

Deno.test("BaseHTTPRequestHandler.send_error() before the body is read drops the pending 100 Continue", async () => {
  class H extends QuietHandler {
    override protocol_version = "HTTP/1.1";
    do_POST(): void {
      this.send_error(401);
    }
  }
  await using s = serve(H);
  const r = await exchange(
    s,
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n",
  );
  assertEquals(
    normalize(r.text),
    error_response(
      401,
      "Unauthorized",
      "No permission -- see authorization schemes",
      "HTTP/1.1",
    ),
  );
  assert(r.closed);
});

Deno.test("BaseHTTPRequestHandler.send_error() escapes a reason phrase above U+00FF instead of failing with 500", async () => {
  class H extends QuietHandler {
    do_GET(): void {
      if (this.path === "/emoji") {
        this.send_response(200, "Fine \u{1f600}");
        this.send_header("Content-Length", 0);
        this.end_headers();
        return;
      }
      // As a 404 whose reason names the decoded path /%C4%80.
      this.send_error(404, "No such file: \u0100");
    }
  }
  await using s = serve(H);
  const r = await exchange(s, "GET /%C4%80 HTTP/1.0\r\n\r\n");
  assertEquals(
    split_response(r.text).status,
    "HTTP/1.0 404 No such file: \\u0100",
  );
  assertEquals(s.errors, []);
  const e = await exchange(s, "GET /emoji HTTP/1.0\r\n\r\n");
  assertEquals(split_response(e.text).status, "HTTP/1.0 200 Fine \\U0001f600");
});
