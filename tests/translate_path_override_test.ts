// Python scripts that override translate_path(), ported line by line
// (issue: a porter's override must serve what it chose, as in Python).
import { SimpleHTTPRequestHandler } from "../http_server.ts";
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { serve } from "./_helpers.ts";

async function tree(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "override_" });
  await Deno.mkdir(`${root}/public/sub`, { recursive: true });
  await Deno.writeTextFile(`${root}/public/index.html`, "<p>index</p>");
  await Deno.writeTextFile(`${root}/public/sub/a.txt`, "abc");
  await Deno.writeTextFile(`${root}/secret.txt`, "secret");
  await Deno.symlink(`${root}/secret.txt`, `${root}/public/sub/leak.txt`);
  await Deno.mkdir(`${root}/served`);
  return root;
}

Deno.test("SimpleHTTPRequestHandler.translate_path() override without a trailing slash (os.path.join) still serves index.html and full listings", async () => {
  const root = await tree();
  try {
    // class H(SimpleHTTPRequestHandler):
    //     def translate_path(self, path):
    //         rel = urllib.parse.urlsplit(path).path.lstrip("/")
    //         return os.path.join(ROOT, rel).rstrip("/")
    class H extends SimpleHTTPRequestHandler {
      override directory = `${root}/public`;
      override log_message() {}
      override translate_path(path: string): string {
        const rel = new URL(path, "http://x").pathname.replace(/^\/+/, "");
        return `${root}/public/${rel}`.replace(/\/+$/, "");
      }
    }
    await using s = serve(H);
    const base = `http://127.0.0.1:${s.port}`;
    const index = await fetch(`${base}/`);
    assertEquals(index.status, 200);
    assertEquals(await index.text(), "<p>index</p>");
    const listing = await fetch(`${base}/sub/`);
    assertEquals(listing.status, 200);
    const html = await listing.text();
    assertStringIncludes(
      html,
      '<a href="a.txt">a.txt</a></td><td class="n" title="3 bytes">3 B</td>',
    );
    assertStringIncludes(html, "<time datetime=");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("SimpleHTTPRequestHandler.translate_path() override into another directory serves it; a link there leading out is still refused", async () => {
  const root = await tree();
  try {
    // Serving a folder other than `directory` (the handler's default is the
    // working directory): return os.path.join("/srv/public", rel).
    class H extends SimpleHTTPRequestHandler {
      override directory = `${root}/served`;
      override log_message() {}
      override translate_path(path: string): string {
        const rel = new URL(path, "http://x").pathname.replace(/^\/+/, "");
        return `${root}/public/${rel}`;
      }
    }
    await using s = serve(H);
    const base = `http://127.0.0.1:${s.port}`;
    const file = await fetch(`${base}/sub/a.txt`);
    assertEquals(file.status, 200);
    assertEquals(await file.text(), "abc");
    const leak = await fetch(`${base}/sub/leak.txt`);
    assertEquals(leak.status, 404);
    await leak.body?.cancel();
    const listing = await (await fetch(`${base}/sub/`)).text();
    assertStringIncludes(listing, "a.txt");
    assert(!listing.includes("leak.txt"), "the outward link is not listed");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
