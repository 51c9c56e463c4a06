import { HTTPMessage } from "../mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import { exchange, QuietHandler, serve } from "./_helpers.ts";

function sample(): HTTPMessage {
  return new HTTPMessage([
    ["Host", "example.com"],
    ["Accept", "text/html"],
    ["X-Multi", "a"],
    ["x-multi", "b"],
    ["Content-Type", "Multipart/Form-Data; boundary=xyz"],
  ]);
}

Deno.test("HTTPMessage.get() returns the first value case-insensitively, or failobj", () => {
  const m = sample();
  assertEquals(m.get("host"), "example.com");
  assertEquals(m.get("X-MULTI"), "a");
  assertEquals(m.get("missing"), undefined);
  assertEquals(m.get("missing", "dflt"), "dflt");
  assertEquals(m.get("missing", null), null);
  assertEquals(m.get("Host", "dflt"), "example.com");
});

Deno.test("HTTPMessage.get_all() returns every value in order, or failobj", () => {
  const m = sample();
  assertEquals(m.get_all("X-Multi"), ["a", "b"]);
  assertEquals(m.get_all("missing"), undefined);
  assertEquals(m.get_all("missing", []), []);
});

Deno.test("HTTPMessage.keys(), values(), items() and iteration keep order and case", () => {
  const m = sample();
  const names = ["Host", "Accept", "X-Multi", "x-multi", "Content-Type"];
  assertEquals(m.keys(), names);
  assertEquals([...m], names);
  assertEquals(m.values(), [
    "example.com",
    "text/html",
    "a",
    "b",
    "Multipart/Form-Data; boundary=xyz",
  ]);
  assertEquals(m.items()[2], ["X-Multi", "a"]);
  assertEquals(m.items().length, 5);
  assertEquals(m.length, 5);
  // keys() returns a copy.
  m.keys().push("Nope");
  assertEquals(m.length, 5);
});

Deno.test("HTTPMessage.has() is Python's `in`", () => {
  const m = sample();
  assert(m.has("HOST"));
  assert(m.has("x-multi"));
  assert(!m.has("Hos"));
});

Deno.test("HTTPMessage.append() adds after the others", () => {
  const m = new HTTPMessage();
  assertEquals(m.length, 0);
  m.append("A", "1");
  m.append("a", "2");
  assertEquals(m.items(), [["A", "1"], ["a", "2"]]);
});

Deno.test("HTTPMessage.toString() is Python's str(msg)", () => {
  const m = new HTTPMessage([["Host", "x"], ["Accept", "*/*"]]);
  assertEquals(m.toString(), "Host: x\nAccept: */*\n\n");
  assertEquals(new HTTPMessage().toString(), "\n");
});

Deno.test("HTTPMessage.toHeaders() makes a web Headers", () => {
  const h = sample().toHeaders();
  assertEquals(h.get("x-multi"), "a, b");
  assertEquals(h.get("host"), "example.com");
});

Deno.test("HTTPMessage.get_content_type() lower-cases and drops parameters, text/plain by default", () => {
  assertEquals(sample().get_content_type(), "multipart/form-data");
  assertEquals(new HTTPMessage().get_content_type(), "text/plain");
  for (const bad of ["text", "a/b/c", "", "/x"]) {
    assertEquals(
      new HTTPMessage([["Content-Type", bad]]).get_content_type(),
      "text/plain",
      bad,
    );
  }
  assertEquals(
    new HTTPMessage([["content-type", " Application/JSON "]])
      .get_content_type(),
    "application/json",
  );
});

Deno.test("HTTPMessage from a request keeps names, order, duplicates and ISO-8859-1 values", async () => {
  let seen: [string, string][] = [];
  let text = "";
  class H extends QuietHandler {
    do_GET(): void {
      seen = this.headers.items();
      text = this.headers.toString();
      this.send_response(204);
      this.end_headers();
    }
  }
  await using s = serve(H);
  const head = new Uint8Array([
    ...new TextEncoder().encode(
      "GET / HTTP/1.0\r\nhost: a\r\nX-Dup: 1\r\nx-dup:  2 \t\r\nX-Empty:\r\nX-Euro: ",
    ),
    0x80,
    0xa4,
    ...new TextEncoder().encode("\r\n\r\n"),
  ]);
  await exchange(s, head);
  assertEquals(seen, [
    ["host", "a"],
    ["X-Dup", "1"],
    ["x-dup", "2"],
    ["X-Empty", ""],
    ["X-Euro", "\u0080\u00a4"],
  ]);
  // U+0080, not windows-1252's euro sign.
  assert(!seen[4]![1].includes("\u20ac"));
  assertEquals(
    text,
    "host: a\nX-Dup: 1\nx-dup: 2\nX-Empty: \nX-Euro: \u0080\u00a4\n\n",
  );
});
