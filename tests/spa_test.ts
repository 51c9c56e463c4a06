/**
 * The fallbacks for a missing path over real sockets: `spa` answers a
 * browser's missing page with the root's index.html, `error_page` gives
 * 404s the site's own page; the defaults keep Python's 404.
 */

import { assertEquals } from "./_assert.ts";
import { error_page, serve } from "./_helpers.ts";
import {
  etag_of,
  handler_for,
  header,
  MTIME,
  MTIME_HTTP,
  request,
  SERVER,
  temp_dir,
  write_file,
} from "./_static_helpers.ts";

const decoder = new TextDecoder();
const INDEX = "<!doctype html><title>app</title><div id=app></div>";
const NOT_FOUND = "<!doctype html><h1>Nothing here</h1>";
const BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8";

async function site() {
  const dir = await temp_dir();
  await write_file(`${dir.path}/index.html`, INDEX);
  await write_file(`${dir.path}/404.html`, NOT_FOUND);
  await write_file(`${dir.path}/app.js`, "run()");
  await Deno.mkdir(`${dir.path}/sub`);
  return dir;
}

Deno.test("SimpleHTTPRequestHandler with spa answers a browser's missing page with the root index.html", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path, { spa: true }));
  for (const target of ["/users/42", "/sub/deep/route?x=1", "/users/"]) {
    const res = await request(server, target, { Accept: BROWSER });
    assertEquals(res.status, "HTTP/1.0 200 OK", target);
    assertEquals(res.headers, [
      `Server: ${SERVER}`,
      "Date: DATE",
      "Content-type: text/html",
      `Content-Length: ${INDEX.length}`,
      "Vary: Accept",
      `Last-Modified: ${MTIME_HTTP}`,
      `ETag: ${etag_of(INDEX.length, MTIME)}`,
      "Accept-Ranges: bytes",
    ], target);
    assertEquals(decoder.decode(res.body), INDEX);
  }
  const head = await request(server, "/users/42", { Accept: BROWSER }, {
    method: "HEAD",
  });
  assertEquals(head.status, "HTTP/1.0 200 OK");
  assertEquals(head.body.length, 0);
});

Deno.test("SimpleHTTPRequestHandler with spa keeps 404 for other clients and never rewrites existing files", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path, { spa: true }));
  for (
    const accept of [undefined, "*/*", "application/json", "text/html;q=0"]
  ) {
    const res = await request(
      server,
      "/missing.js",
      accept ? { Accept: accept } : {},
    );
    assertEquals(res.status, "HTTP/1.0 404 File not found", accept);
    // spa takes precedence over the error page: Python's page.
    assertEquals(
      decoder.decode(res.body),
      error_page(404, "File not found", "Nothing matches the given URI"),
    );
  }
  const js = await request(server, "/app.js", { Accept: BROWSER });
  assertEquals(decoder.decode(js.body), "run()");
  assertEquals(header(js, "Vary"), undefined);
  const listing = await request(server, "/sub/", { Accept: BROWSER });
  assertEquals(header(listing, "Content-type"), "text/html; charset=utf-8");
});

Deno.test("SimpleHTTPRequestHandler with error_page sends 404.html as the 404 body", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path, { error_page: "404.html" }));
  const res = await request(server, "/nope");
  assertEquals(res.status, "HTTP/1.0 404 File not found");
  assertEquals(res.headers, [
    `Server: ${SERVER}`,
    "Date: DATE",
    "Content-type: text/html; charset=utf-8",
    `Content-Length: ${NOT_FOUND.length}`,
  ]);
  assertEquals(decoder.decode(res.body), NOT_FOUND);
  assertEquals(server.logs, [
    "code 404, message File not found",
    '"GET /nope HTTP/1.0" 404 -',
  ]);
  const head = await request(server, "/nope", {}, { method: "HEAD" });
  assertEquals(head.headers, res.headers);
  assertEquals(head.body.length, 0);
  // Without the file: Python's page.
  await Deno.remove(`${dir.path}/404.html`);
  const python = await request(server, "/nope");
  assertEquals(
    decoder.decode(python.body),
    error_page(404, "File not found", "Nothing matches the given URI"),
  );
});

Deno.test("SimpleHTTPRequestHandler by default keeps Python's 404 page even with a 404.html", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path));
  const res = await request(server, "/nope", { Accept: BROWSER });
  assertEquals(res.status, "HTTP/1.0 404 File not found");
  assertEquals(
    decoder.decode(res.body),
    error_page(404, "File not found", "Nothing matches the given URI"),
  );
});
