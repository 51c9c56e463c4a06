import { assert, assertEquals } from "./_assert.ts";
import { normalize, QuietHandler, RawClient, serve } from "./_helpers.ts";

class Echo extends QuietHandler {
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

Deno.test("HTTPServer (serial) closes a connection whose body trickles past body_timeout, then serves the next client", async () => {
  class H extends Echo {
    override body_timeout = 0.5;
  }
  await using s = serve(H, { threading: false });
  await using slow = await RawClient.connect(s);
  await slow.write("POST / HTTP/1.0\r\nContent-Length: 100\r\n\r\n");
  // One byte every 100 ms: each read is well within `timeout` (60 s).
  let closed = false;
  const reading = slow.read_to_eof(10_000).then((eof) => closed = eof);
  for (let i = 0; i < 100 && !closed; i++) {
    try {
      await slow.write("x");
    } catch {
      break; // closed under us
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await reading;
  // The deadline closes the socket (as `timeout` does): no answer, a log line.
  assert(closed);
  assertEquals(slow.text, "");
  assert(s.logs.includes("Request body timed out"), JSON.stringify(s.logs));
  await using next = await RawClient.connect(s);
  await next.write("GET / HTTP/1.0\r\n\r\n");
  assert(await next.read_to_eof());
  assertEquals(normalize(next.text).split("\r\n")[0], "HTTP/1.0 200 OK");
});

Deno.test("HTTPServer (serial) by default drops a client that sends a request line and stops within 10 s, so the next is served", async () => {
  await using s = serve(Echo, { threading: false });
  await using stalled = await RawClient.connect(s);
  await stalled.write("GET / HTTP/1.1\r\n");
  await using next = await RawClient.connect(s);
  await next.write("GET / HTTP/1.0\r\n\r\n");
  // The header deadline of a serial server is 10 s (60 s on a concurrent one).
  assert(await next.read_to_eof(20_000));
  assertEquals(normalize(next.text).split("\r\n")[0], "HTTP/1.0 200 OK");
  assert(await stalled.read_to_eof(1000));
});
