/**
 * Class-level configuration, as Python scripts write it (issue 15 item 6):
 * attributes set on the class are what its handlers read, and a subclass
 * may still override the instance property or extend the defaults.
 */

import {
  BaseHTTPRequestHandler,
  CGIHTTPRequestHandler,
  SimpleHTTPRequestHandler,
} from "../mod.ts";
import { assertEquals } from "./_assert.ts";
import { exchange, normalize, serve } from "./_helpers.ts";

/** A served directory with one file of each extension. */
async function site(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "class_attributes_test_" });
  for (const name of ["a.wasm", "b.md", "c.x"]) {
    await Deno.writeTextFile(`${dir}/${name}`, "x");
  }
  return dir;
}

async function type_of(port: number, name: string): Promise<string | null> {
  const res = await fetch(`http://127.0.0.1:${port}/${name}`);
  await res.body?.cancel();
  return res.headers.get("content-type");
}

Deno.test("SimpleHTTPRequestHandler.extensions_map set on the class, as Python's Handler.extensions_map.update() and SimpleHTTPRequestHandler.extensions_map[...] = ...", async () => {
  const dir = await site();
  // class Handler(SimpleHTTPRequestHandler): pass
  class Handler extends SimpleHTTPRequestHandler {
    override directory = dir;
    override log_message() {}
  }
  const saved = { ...SimpleHTTPRequestHandler.extensions_map };
  // Handler.extensions_map.update({".x": "application/x-test"})
  Object.assign(Handler.extensions_map, { ".x": "application/x-test" });
  // SimpleHTTPRequestHandler.extensions_map[".md"] = "text/markdown"
  SimpleHTTPRequestHandler.extensions_map[".md"] = "text/markdown";
  try {
    await using srv = serve(Handler);
    assertEquals(await type_of(srv.port, "c.x"), "application/x-test");
    // As set: the default's charset parameter is gone with it.
    assertEquals(await type_of(srv.port, "b.md"), "text/markdown");
    // One object, shared with every subclass, as Python's class dict is.
    assertEquals(
      Handler.extensions_map,
      SimpleHTTPRequestHandler.extensions_map,
    );
  } finally {
    delete SimpleHTTPRequestHandler.extensions_map[".x"];
    Object.assign(SimpleHTTPRequestHandler.extensions_map, saved);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SimpleHTTPRequestHandler.extensions_map extended by a subclass, statically or per instance, leaves the defaults alone", async () => {
  const dir = await site();
  class Static extends SimpleHTTPRequestHandler {
    static override extensions_map = {
      ...SimpleHTTPRequestHandler.extensions_map,
      ".x": "application/x-test",
    };
    override directory = dir;
    override log_message() {}
  }
  class Instance extends SimpleHTTPRequestHandler {
    override extensions_map = {
      ...SimpleHTTPRequestHandler.extensions_map,
      ".x": "application/x-other",
    };
    override directory = dir;
    override log_message() {}
  }
  class Plain extends SimpleHTTPRequestHandler {
    override directory = dir;
    override log_message() {}
  }
  try {
    await using a = serve(Static);
    await using b = serve(Instance);
    await using c = serve(Plain);
    assertEquals(await type_of(a.port, "c.x"), "application/x-test");
    assertEquals(await type_of(b.port, "c.x"), "application/x-other");
    assertEquals(await type_of(c.port, "c.x"), "application/octet-stream");
    assertEquals(await type_of(a.port, "a.wasm"), "application/wasm");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("BaseHTTPRequestHandler.protocol_version and server_version set on the class reach its handlers", async () => {
  class Handler extends BaseHTTPRequestHandler {
    async do_GET() {
      this.send_response(200);
      this.send_header("Content-Length", "2");
      this.end_headers();
      await this.wfile.write("ok");
    }
    override log_message() {}
  }
  // Handler.protocol_version = "HTTP/1.1"; Handler.server_version = "Mine/1.0"
  Handler.protocol_version = "HTTP/1.1";
  Handler.server_version = "Mine/1.0";
  await using srv = serve(Handler);
  const request = "GET / HTTP/1.1\r\nHost: h\r\n";
  const res = await exchange(
    srv,
    `${request}\r\n${request}Connection: close\r\n\r\n`,
  );
  const one =
    `HTTP/1.1 200 OK\r\nServer: Mine/1.0 Deno/${Deno.version.deno}\r\n` +
    "Date: DATE\r\nContent-Length: 2\r\n";
  // Kept alive: both requests answered on one connection.
  assertEquals(
    normalize(res.text),
    `${one}\r\nok${one}Connection: close\r\n\r\nok`,
  );
  assertEquals(BaseHTTPRequestHandler.protocol_version, "HTTP/1.0");
});

Deno.test("CGIHTTPRequestHandler.cgi_directories is one array on the class, as Python's", () => {
  class Handler extends CGIHTTPRequestHandler {}
  assertEquals(Handler.cgi_directories, ["/cgi-bin", "/htbin"]);
  assertEquals(
    Handler.cgi_directories === CGIHTTPRequestHandler.cgi_directories,
    true,
  );
});
