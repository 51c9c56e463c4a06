/**
 * The static server in a real headless browser (Debian's `chromium`): the
 * directory listing as the browser parses it, and a download checked byte
 * for byte. Skipped, with a message, where chromium is not installed
 * (`.ci/run` installs it).
 */

import {
  SimpleHTTPRequestHandler,
  ThreadingHTTPServer,
} from "../http_server.ts";
import { assert, assertEquals } from "./_assert.ts";
import { dump_dom, HAVE_CHROMIUM } from "./_browser.ts";

/** Serves `dir` on a free port until disposed. */
function serve_dir(dir: string): ThreadingHTTPServer & AsyncDisposable {
  class Handler extends SimpleHTTPRequestHandler {
    override directory = dir;
    override log_message(): void {}
  }
  const server = new ThreadingHTTPServer(["127.0.0.1", 0], Handler);
  server.serve_forever();
  return server;
}

function decode_entities(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

Deno.test({
  name:
    "SimpleHTTPRequestHandler.list_directory() is read by chromium as Python renders it",
  ignore: !HAVE_CHROMIUM,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "browser_test_" });
    try {
      await Deno.mkdir(`${dir}/Docs & <Notes>`);
      await Deno.writeTextFile(`${dir}/ünï code.txt`, "u");
      await Deno.writeTextFile(`${dir}/a#b?c.txt`, "a");
      await Deno.writeFile(`${dir}/Big.bin`, new Uint8Array(1536));
      await using server = serve_dir(dir);
      const base = `http://127.0.0.1:${server.server_port}`;
      const dom = await dump_dom(`${base}/`);
      assert(
        dom.includes("<title>Directory listing for /</title>"),
        dom,
      );
      assert(
        dom.includes('<h1>Directory listing for <a href="./">/</a></h1>'),
        dom,
      );
      // The rows, as the browser parsed them: link target, text, size cell.
      const rows = [
        ...dom.matchAll(
          /<tr><td><a href="([^"]*)">([^<]*)<\/a><\/td><td class="n"(?: title="[^"]*")?>([^<]*)<\/td>/g,
        ),
      ].map((m) => [
        new URL(decode_entities(m[1]!), `${base}/`).href,
        decode_entities(m[2]!),
        m[3],
      ]);
      assertEquals(rows, [
        [`${base}/a%23b%3Fc.txt`, "a#b?c.txt", "1 B"],
        [`${base}/Big.bin`, "Big.bin", "1.5 KiB"],
        [`${base}/Docs%20%26%20%3CNotes%3E/`, "Docs & <Notes>/", ""],
        [`${base}/%C3%BCn%C3%AF%20code.txt`, "ünï code.txt", "1 B"],
      ]);
      // Each link leads where the name says.
      for (const [href, name] of rows) {
        const res = await fetch(href!);
        await res.body?.cancel();
        assertEquals(res.status, 200, name);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "SimpleHTTPRequestHandler.copyfile() delivers a download to chromium byte for byte, whole and by range",
  ignore: !HAVE_CHROMIUM,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "browser_test_" });
    try {
      // Several streaming chunks, not a multiple of any of them.
      const data = new Uint8Array(3 * 1024 * 1024 + 4321);
      for (let i = 0; i < data.length; i++) {
        data[i] = (i * 7 + (i >> 10)) & 0xff;
      }
      await Deno.writeFile(`${dir}/data.bin`, data);
      // The page under test is ours; the listing itself has no script.
      await Deno.writeTextFile(
        `${dir}/check.html`,
        `<!DOCTYPE html><meta charset="utf-8"><p id="r">pending</p>
<script>
const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
(async () => {
  const whole = await fetch("data.bin");
  const a = await whole.arrayBuffer();
  const part = await fetch("data.bin", { headers: { Range: "bytes=1000000-1999999" } });
  const b = await part.arrayBuffer();
  document.getElementById("r").textContent = [
    whole.status, whole.headers.get("content-type"), a.byteLength,
    hex(await crypto.subtle.digest("SHA-256", a)),
    part.status, part.headers.get("content-range"), b.byteLength,
    hex(await crypto.subtle.digest("SHA-256", b)),
  ].join(" ");
})().catch((e) => { document.getElementById("r").textContent = "error " + e; });
</script>`,
      );
      await using server = serve_dir(dir);
      const dom = await dump_dom(
        `http://127.0.0.1:${server.server_port}/check.html`,
      );
      const got = /<p id="r">([^<]*)<\/p>/.exec(dom)?.[1];
      const sha = async (b: Uint8Array<ArrayBuffer>) =>
        Array.from(
          new Uint8Array(await crypto.subtle.digest("SHA-256", b)),
          (x) => x.toString(16).padStart(2, "0"),
        ).join("");
      assertEquals(
        got,
        [
          200,
          "application/octet-stream",
          data.length,
          await sha(data),
          206,
          `bytes 1000000-1999999/${data.length}`,
          1000000,
          await sha(data.subarray(1000000, 2000000)),
        ].join(" "),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
