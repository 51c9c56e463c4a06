import { HTTPRequestError } from "../mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import {
  error_response,
  exchange,
  latin1,
  normalize,
  QuietHandler,
  RawClient,
  serve,
  SERVER,
  split_response,
} from "./_helpers.ts";

const BAD_REQUEST = "Bad request syntax or unsupported method";

/** Answers with what a read strategy (chosen by the path) returned. */
class Reader extends QuietHandler {
  override protocol_version = "HTTP/1.1";
  override keep_alive_timeout = 0.5;
  async do_POST(): Promise<void> {
    const parts: string[] = [];
    const rfile = this.rfile;
    switch (this.path) {
      case "/read":
        parts.push(latin1(await rfile.read()));
        break;
      case "/read3": {
        for (;;) {
          const b = await rfile.read(3);
          parts.push(latin1(b));
          if (b.length === 0) break;
        }
        break;
      }
      case "/readline": {
        for (;;) {
          const b = await rfile.readline();
          parts.push(latin1(b));
          if (b.length === 0) break;
        }
        break;
      }
      case "/readline2":
        parts.push(latin1(await rfile.readline(2)));
        parts.push(latin1(await rfile.read()));
        break;
      case "/read1": {
        for (;;) {
          const b = await rfile.read1(4);
          assert(b.length <= 4);
          if (b.length === 0) break;
          parts.push(latin1(b));
        }
        break;
      }
      case "/iter": {
        let text = "";
        for await (const chunk of rfile) text += latin1(chunk);
        parts.push(text);
        break;
      }
      case "/readable": {
        const text = await new Response(rfile.readable).text();
        parts.push(text);
        break;
      }
      case "/readinto": {
        const buf = new Uint8Array(5);
        let n: number;
        while ((n = await rfile.readinto(buf)) > 0) {
          parts.push(latin1(buf.subarray(0, n)));
        }
        break;
      }
    }
    // After the end, reads return nothing and do not block.
    assertEquals((await rfile.read()).length, 0);
    assertEquals((await rfile.read1()).length, 0);
    assertEquals((await rfile.readline()).length, 0);
    const body = JSON.stringify(parts.join("|"));
    this.send_response(200);
    this.send_header("Content-Length", body.length);
    this.end_headers();
    await this.wfile.write(body);
  }
}

function ok(body: string): string {
  return `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\n` +
    `Content-Length: ${body.length}\r\n\r\n${body}`;
}

const BODY = "ab\ncdef\ngh";
const CHUNKED = "3;ext=1\r\nab\n\r\n" + "5 \r\ncdef\n\r\n" +
  '2;a;b="c"\r\ngh\r\n' +
  "0\r\nX-Trailer: yes\r\nY: z\r\n\r\n";

Deno.test("RFile ends at the end of a Content-Length body for every read method", async () => {
  await using s = serve(Reader);
  const expected: Record<string, string> = {
    "/read": BODY,
    "/read3": "ab\n|cde|f\ng|h|",
    "/readline": "ab\n|cdef\n|gh|",
    "/readline2": "ab|\ncdef\ngh",
    "/readinto": "ab\ncd|ef\ngh",
    "/iter": BODY,
    "/readable": BODY,
  };
  for (const [path, want] of Object.entries(expected)) {
    // The next request follows at once: a reader that went past the body
    // would eat it.
    const r = await exchange(s, [
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}` +
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nzz`,
    ]);
    const again = path === "/read3"
      ? "zz|"
      : path === "/readline"
      ? "zz|"
      : "zz";
    const second = path === "/readline2" ? "zz|" : again;
    assertEquals(
      normalize(r.text),
      ok(JSON.stringify(want)) +
        ok(JSON.stringify(second)).replace(
          "\r\n\r\n",
          "\r\nConnection: close\r\n\r\n",
        ),
      path,
    );
  }
});

Deno.test("RFile.read1() returns at most size bytes and what is available", async () => {
  await using s = serve(Reader);
  const r = await exchange(
    s,
    `POST /read1 HTTP/1.1\r\nHost: x\r\nContent-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`,
  );
  const { body } = split_response(r.text);
  assertEquals((JSON.parse(body) as string).replaceAll("|", ""), BODY);
});

Deno.test("RFile decodes a chunked body with extensions and trailers", async () => {
  await using s = serve(Reader);
  for (const path of ["/read", "/readline", "/iter", "/read3"]) {
    const r = await exchange(
      s,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${CHUNKED}` +
        "POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\n!",
    );
    const parts = normalize(r.text).split("HTTP/1.1 200 OK").slice(1);
    assertEquals(parts.length, 2, path);
    const first = JSON.parse(split_response("X" + parts[0]!).body) as string;
    assertEquals(first.replaceAll("|", ""), BODY, path);
    assert(parts[1]!.endsWith('"!"'), path);
  }
});

Deno.test("RFile decodes a chunked body that arrives a byte at a time", async () => {
  await using s = serve(Reader);
  const head =
    "POST /read HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  const r = await exchange(s, [head, ...CHUNKED.split("")]);
  assertEquals(
    normalize(r.text),
    ok(JSON.stringify(BODY)).replace(
      "\r\n\r\n",
      "\r\nConnection: close\r\n\r\n",
    ),
  );
});

Deno.test("RFile reads a large body sent in pieces exactly", async () => {
  let got: Uint8Array = new Uint8Array(0);
  class H extends QuietHandler {
    async do_PUT(): Promise<void> {
      got = await this.rfile.read();
      this.send_response(204);
      this.end_headers();
    }
  }
  await using s = serve(H);
  const body = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
  const head = new TextEncoder().encode(
    `PUT / HTTP/1.0\r\nContent-Length: ${body.length}\r\n\r\n`,
  );
  const r = await exchange(s, [
    head,
    body.subarray(0, 1000),
    body.subarray(1000, 100_000),
    body.subarray(100_000),
  ]);
  assertEquals(split_response(r.text).status, "HTTP/1.0 204 No Content");
  assertEquals(got, body);
});

Deno.test("BaseHTTPRequestHandler.handle() answers pipelined requests in one write in order", async () => {
  class H extends QuietHandler {
    override protocol_version = "HTTP/1.1";
    async do_GET(): Promise<void> {
      this.send_response(200);
      this.send_header("Content-Length", this.path.length);
      this.end_headers();
      await this.wfile.write(this.path);
    }
    async do_POST(): Promise<void> {
      const body = await this.rfile.read();
      this.send_response(200);
      this.send_header("Content-Length", body.length);
      this.end_headers();
      await this.wfile.write(body);
    }
  }
  await using s = serve(H);
  const r = await exchange(
    s,
    "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n" +
      "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
      "\r\n" + // a stray CRLF between requests is skipped (RFC 9112 §2.2)
      "POST /3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n" +
      "GET /4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  );
  assertEquals(
    normalize(r.text),
    ok("/1") + ok("abc") + ok("de") +
      ok("/4").replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"),
  );
  assertEquals(s.logs, [
    '"GET /1 HTTP/1.1" 200 -',
    '"POST /2 HTTP/1.1" 200 -',
    '"POST /3 HTTP/1.1" 200 -',
    '"GET /4 HTTP/1.1" 200 -',
  ]);
});

class Ignore extends QuietHandler {
  override protocol_version = "HTTP/1.1";
  override max_drain_bytes = 1000;
  async do_POST(): Promise<void> {
    this.send_response(200);
    this.send_header("Content-Length", 2);
    this.end_headers();
    await this.wfile.write("ok");
  }
  do_GET(): Promise<void> {
    return this.do_POST();
  }
}

Deno.test("BaseHTTPRequestHandler.handle() drains a small unread body and keeps the connection", async () => {
  await using s = serve(Ignore);
  const r = await exchange(
    s,
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n${
      "x".repeat(1000)
    }` +
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
      "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  );
  assertEquals(
    normalize(r.text),
    ok("ok") + ok("ok") +
      ok("ok").replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"),
  );
});

Deno.test("BaseHTTPRequestHandler.handle() closes the connection when an unread body exceeds max_drain_bytes", async () => {
  await using s = serve(Ignore);
  await using c = await RawClient.connect(s);
  // The client sends the head only: the server answers, then finds more
  // than max_drain_bytes left and closes rather than reading it all.
  await c.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
  await c.write("y".repeat(1500));
  assert(await c.read_to_eof());
  assertEquals(normalize(c.text), ok("ok"));
});

/** Sends one request that must be refused with a 400 and a closed connection. */
async function assert_refused(
  head: string,
  code: number,
  message: string,
  explain = BAD_REQUEST,
): Promise<void> {
  class H extends QuietHandler {
    override protocol_version = "HTTP/1.1";
    async do_POST(): Promise<void> {
      await this.rfile.read();
      this.send_response(200);
      this.send_header("Content-Length", 0);
      this.end_headers();
    }
    do_GET(): Promise<void> {
      return this.do_POST();
    }
  }
  await using s = serve(H);
  // A second request follows: it must not be answered.
  const r = await exchange(s, head + "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  assertEquals(
    normalize(r.text),
    error_response(code, message, explain, "HTTP/1.1"),
    JSON.stringify(head),
  );
  assert(r.closed, head);
}

Deno.test("BaseHTTPRequestHandler.parse_request() refuses Content-Length with Transfer-Encoding", async () => {
  await assert_refused(
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    400,
    "Both Content-Length and Transfer-Encoding",
  );
});

Deno.test("BaseHTTPRequestHandler.parse_request() refuses differing and invalid Content-Lengths", async () => {
  await assert_refused(
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    400,
    "Bad Content-Length ('3, 4')",
  );
  await assert_refused(
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd",
    400,
    "Bad Content-Length ('3, 4')",
  );
  for (const v of ["-1", "1e3", "+5", "", "0x10", " 5 5", "1234567890123456"]) {
    await assert_refused(
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${v}\r\n\r\n`,
      400,
      `Bad Content-Length ('${v.trim()}')`,
    );
  }
});

Deno.test("BaseHTTPRequestHandler.parse_request() accepts repeated equal Content-Lengths", async () => {
  await using s = serve(Reader);
  const r = await exchange(
    s,
    "POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab",
  );
  assertEquals(
    normalize(r.text),
    ok('"ab"').replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"),
  );
});

Deno.test("RFile refuses invalid chunk sizes and chunk data longer than its size with 400", async () => {
  for (const size of ["zz", "-1", "0x10", "1234567890abcdef", "", " 5"]) {
    await assert_refused(
      `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nhello\r\n0\r\n\r\n`,
      400,
      `Invalid chunk size "${size}"`,
    );
  }
  await assert_refused(
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
    400,
    "Chunk data is not followed by CRLF",
  );
});

Deno.test("BaseHTTPRequestHandler.parse_request() refuses obs-fold, space before the colon, no colon and a bare CR", async () => {
  await assert_refused(
    "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n",
    400,
    "Bad header line (' folded')",
  );
  await assert_refused(
    "GET / HTTP/1.1\r\nHost: x\r\nX-A : 1\r\n\r\n",
    400,
    "Bad header line ('X-A : 1')",
  );
  await assert_refused(
    "GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    400,
    "Bad header line ('no colon here')",
  );
  await assert_refused(
    "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\rX-B: 2\r\n\r\n",
    400,
    "Bare CR in request head",
  );
});

Deno.test("BaseHTTPRequestHandler.parse_request() refuses HTTP/1.1 without Host and with two Hosts", async () => {
  await assert_refused("GET / HTTP/1.1\r\n\r\n", 400, "Missing Host header");
  await assert_refused(
    "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    400,
    "Multiple Host headers",
  );
});

Deno.test("BaseHTTPRequestHandler.parse_request() answers Transfer-Encoding: gzip, chunked with 501 and gzip alone with 400 (RFC 9112 §6.3)", async () => {
  await assert_refused(
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    501,
    "Unsupported Transfer-Encoding ('gzip, chunked')",
    "Server does not support this operation",
  );
  await assert_refused(
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
    400,
    "Transfer-Encoding does not end in one chunked ('gzip')",
    "Bad request syntax or unsupported method",
  );
});

Deno.test("RFile throws HTTPRequestError when the client closes in the middle of the body", async () => {
  const seen: unknown[] = [];
  class H extends QuietHandler {
    async do_POST(): Promise<void> {
      try {
        await this.rfile.read();
      } catch (err) {
        seen.push(err);
        throw err;
      }
    }
  }
  await using s = serve(H);
  const r = await exchange(
    s,
    "POST / HTTP/1.0\r\nContent-Length: 10\r\n\r\nhalf",
    { half_close: true },
  );
  assertEquals(seen.length, 1);
  assert(seen[0] instanceof HTTPRequestError);
  assertEquals(seen[0].code, 400);
  assertEquals(
    seen[0].message,
    "Client closed the connection after 4 body bytes",
  );
  // The client only half-closed: it still gets the 400.
  assertEquals(
    normalize(r.text),
    error_response(
      400,
      "Client closed the connection after 4 body bytes",
      BAD_REQUEST,
    ),
  );
  assertEquals(s.errors, []);
});
