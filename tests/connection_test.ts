import { assert, assertEquals } from "./_assert.ts";
import {
  normalize,
  QuietHandler,
  RawClient,
  serve,
  SERVER,
} from "./_helpers.ts";

class KeepAlive extends QuietHandler {
  override protocol_version = "HTTP/1.1";
  do_GET(): void {
    this.send_response(200);
    this.send_header("Content-Length", 2);
    this.end_headers();
    this.wfile.write("ok");
  }
}

const OK =
  `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nContent-Length: 2\r\n`;

for (
  const connection of [
    "Connection: keep-alive, close",
    "Connection: close, foo",
    "Connection: Foo ,  CLOSE ",
    "Connection: keep-alive\r\nConnection: close",
  ]
) {
  Deno.test(
    `BaseHTTPRequestHandler closes after a request whose Connection list holds close (${
      JSON.stringify(connection)
    })`,
    async () => {
      await using s = serve(KeepAlive);
      await using c = await RawClient.connect(s);
      // RFC 9112 §9.6: the pipelined second request must not be served.
      await c.write(
        `GET /1 HTTP/1.1\r\nHost: x\r\n${connection}\r\n\r\n` +
          "GET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
      );
      assert(await c.read_to_eof());
      assertEquals(normalize(c.text), OK + "Connection: close\r\n\r\nok");
    },
  );
}

Deno.test("BaseHTTPRequestHandler keeps an HTTP/1.0 connection open for Connection: foo, keep-alive", async () => {
  await using s = serve(KeepAlive);
  await using c = await RawClient.connect(s);
  await c.write(
    "GET /1 HTTP/1.0\r\nConnection: foo, keep-alive\r\n\r\n" +
      "GET /2 HTTP/1.0\r\n\r\n",
  );
  assert(await c.read_to_eof());
  assertEquals(
    normalize(c.text),
    OK + "\r\nok" + OK + "Connection: close\r\n\r\nok",
  );
});

Deno.test("BaseHTTPRequestHandler.send_header() closes for a response Connection list holding close", async () => {
  class H extends KeepAlive {
    override do_GET(): void {
      this.send_response(200);
      this.send_header("Connection", "keep-alive, close");
      this.send_header("Content-Length", 2);
      this.end_headers();
      this.wfile.write("ok");
    }
  }
  await using s = serve(H);
  await using c = await RawClient.connect(s);
  await c.write(
    "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
  );
  assert(await c.read_to_eof());
  assertEquals(
    normalize(c.text),
    `HTTP/1.1 200 OK\r\nServer: ${SERVER}\r\nDate: DATE\r\nConnection: keep-alive, close\r\nContent-Length: 2\r\n\r\nok`,
  );
});

Deno.test("BaseHTTPRequestHandler.end_headers() treats 205 as bodiless, as send_error() does: the connection stays open", async () => {
  class H extends KeepAlive {
    override do_GET(): void {
      if (this.path === "/205") {
        this.send_response(205);
        this.end_headers();
        return;
      }
      super.do_GET();
    }
  }
  await using s = serve(H);
  await using c = await RawClient.connect(s);
  await c.write(
    "GET /205 HTTP/1.1\r\nHost: x\r\n\r\n" +
      "GET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  );
  assert(await c.read_to_eof());
  assertEquals(
    normalize(c.text),
    `HTTP/1.1 205 Reset Content\r\nServer: ${SERVER}\r\nDate: DATE\r\n\r\n` +
      OK + "Connection: close\r\n\r\nok",
  );
});
