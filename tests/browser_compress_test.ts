/**
 * Compressed responses in a real headless browser (Debian's `chromium`): a
 * page compressed on the fly whose scripts come compressed on the fly and
 * from a precompressed `.br` sibling, run by the browser. Skipped where
 * chromium is missing.
 */

import {
  SimpleHTTPRequestHandler,
  ThreadingHTTPServer,
} from "../http_server.ts";
import { assert, assertEquals } from "./_assert.ts";
import { brotliCompressSync } from "node:zlib";
import { dump_dom, HAVE_CHROMIUM } from "./_browser.ts";

Deno.test({
  name:
    "SimpleHTTPRequestHandler with compress serves chromium a compressed page and scripts it decodes and runs",
  ignore: !HAVE_CHROMIUM,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "browser_compress_test_" });
    const encodings: string[] = [];
    class Handler extends SimpleHTTPRequestHandler {
      override directory = dir;
      override compress = true;
      override log_message(): void {}
      override send_header(keyword: string, value: string | number): void {
        if (keyword === "Content-Encoding") {
          encodings.push(`${this.path} ${value}`);
        }
        super.send_header(keyword, value);
      }
    }
    const server = new ThreadingHTTPServer(["127.0.0.1", 0], Handler);
    const serving = server.serve_forever();
    try {
      const filler = "<!-- " + "padding ".repeat(300) + "-->";
      await Deno.writeTextFile(
        `${dir}/index.html`,
        `<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>${filler}<p id="out"></p><script src="fly.js"></script><script src="pre.js"></script></body></html>`,
      );
      const padding = "// " + "x".repeat(5000) + "\n";
      await Deno.writeTextFile(
        `${dir}/fly.js`,
        `${padding}document.getElementById("out").textContent += "fly-ok ";\n`,
      );
      const pre =
        `${padding}document.getElementById("out").textContent += "pre-ok";\n`;
      await Deno.writeTextFile(`${dir}/pre.js`, pre);
      // Served instead of pre.js: a sibling not older than the file.
      await Deno.writeFile(
        `${dir}/pre.js.br`,
        brotliCompressSync(new TextEncoder().encode(pre)),
      );
      const dom = await dump_dom(`http://127.0.0.1:${server.server_port}/`);
      assert(dom.includes('<p id="out">fly-ok pre-ok</p>'), dom);
      // Chromium over plain HTTP offers gzip, deflate (and br, zstd on
      // newer versions): the page and fly.js come compressed on the fly,
      // pre.js from its sibling when br is offered.
      const by_path = new Map(
        encodings.map((e) => e.split(" ") as [string, string]),
      );
      assert(["br", "gzip"].includes(by_path.get("/") ?? ""), encodings.join());
      assert(
        ["br", "gzip"].includes(by_path.get("/fly.js") ?? ""),
        encodings.join(),
      );
      assertEquals(by_path.has("/pre.js"), true, encodings.join());
    } finally {
      await server.shutdown();
      server.server_close();
      await serving;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
