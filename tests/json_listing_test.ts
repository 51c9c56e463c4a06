/**
 * Directory listings over real sockets: JSON on `Accept: application/json`
 * or `?format=json`, server-side sorting, the breadcrumb heading, and a
 * listing compressed under `compress`.
 */

import { assertEquals, assertStringIncludes } from "./_assert.ts";
import { curl, curl_version, serve } from "./_helpers.ts";
import {
  decode,
  handler_for,
  header,
  MTIME,
  request,
  SERVER,
  temp_dir,
  write_file,
} from "./_static_helpers.ts";

const decoder = new TextDecoder();
const HAVE_CURL = (await curl_version()) !== null;
const OLD = new Date(Date.UTC(2020, 0, 1));

async function site() {
  const dir = await temp_dir();
  await write_file(`${dir.path}/b.txt`, "bb", OLD);
  await write_file(`${dir.path}/A.txt`, "aaaa");
  await Deno.mkdir(`${dir.path}/sub`);
  await Deno.utime(`${dir.path}/sub`, MTIME, MTIME);
  await Deno.symlink("b.txt", `${dir.path}/link`);
  return dir;
}

Deno.test("SimpleHTTPRequestHandler.list_directory() answers Accept: application/json with a JSON array in listing order", async () => {
  await using dir = await site();
  const link_mtime = Deno.statSync(`${dir.path}/b.txt`).mtime!.getTime() / 1000;
  await using server = serve(handler_for(dir.path));
  const res = await request(server, "/", { Accept: "application/json" });
  assertEquals(res.status, "HTTP/1.0 200 OK");
  const body = decoder.decode(res.body);
  assertEquals(res.headers, [
    `Server: ${SERVER}`,
    "Date: DATE",
    "Content-type: application/json",
    `Content-Length: ${res.body.length}`,
    "Vary: Accept",
  ]);
  assertEquals(JSON.parse(body), [
    { name: "A.txt", type: "file", size: 4, mtime: MTIME.getTime() / 1000 },
    { name: "b.txt", type: "file", size: 2, mtime: OLD.getTime() / 1000 },
    { name: "link", type: "symlink", size: 2, mtime: link_mtime },
    {
      name: "sub",
      type: "directory",
      size: null,
      mtime: MTIME.getTime() / 1000,
    },
  ]);
  // ?format=json without Accept; a browser's Accept keeps the HTML page.
  const by_query = await request(server, "/?format=json&sort=size&order=desc");
  assertEquals(header(by_query, "Content-type"), "application/json");
  assertEquals(
    JSON.parse(decoder.decode(by_query.body)).map((e: { name: string }) =>
      e.name
    ),
    // desc reverses the whole order, ties (by name) included.
    ["A.txt", "link", "b.txt", "sub"],
  );
  const browser = await request(server, "/", {
    Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  });
  assertEquals(header(browser, "Content-type"), "text/html; charset=utf-8");
  assertEquals(header(browser, "Vary"), "Accept");
});

Deno.test("SimpleHTTPRequestHandler.list_directory() sorts by ?sort= and &order= server-side", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path));
  const names = async (target: string) => {
    const page = decoder.decode((await request(server, target)).body);
    return [...page.matchAll(/<tr><td><a href="[^"]*">([^<]*)<\/a>/g)].map((
      m,
    ) => m[1]);
  };
  assertEquals(await names("/"), ["A.txt", "b.txt", "link@", "sub/"]);
  assertEquals(await names("/?order=desc"), [
    "sub/",
    "link@",
    "b.txt",
    "A.txt",
  ]);
  assertEquals(await names("/?sort=size"), ["sub/", "b.txt", "link@", "A.txt"]);
  assertEquals(await names("/?sort=time&order=desc"), [
    "sub/",
    "A.txt",
    "link@",
    "b.txt",
  ]);
  assertEquals(await names("/?sort=bogus&order=up"), [
    "A.txt",
    "b.txt",
    "link@",
    "sub/",
  ]);
  const page = decoder.decode((await request(server, "/?sort=size")).body);
  assertStringIncludes(
    page,
    '<th class="n" aria-sort="ascending"><a href="?sort=size&amp;order=desc">Size</a></th>',
  );
  assertStringIncludes(
    page,
    '<th><a href="?sort=name&amp;order=asc">Name</a></th>',
  );
});

Deno.test("SimpleHTTPRequestHandler.list_directory() links each ancestor in the heading", async () => {
  await using dir = await temp_dir();
  await Deno.mkdir(`${dir.path}/a b/c`, { recursive: true });
  await using server = serve(handler_for(dir.path));
  const page = decoder.decode((await request(server, "/a%20b/c/")).body);
  assertStringIncludes(page, "<title>Directory listing for /a b/c/</title>");
  assertStringIncludes(
    page,
    '<h1>Directory listing for <a href="../../">/</a><a href="../">a b</a>/<a href="./">c</a>/</h1>',
  );
});

Deno.test("SimpleHTTPRequestHandler with compress compresses a large listing and says Vary: Accept, Accept-Encoding", async () => {
  await using dir = await temp_dir();
  for (let i = 0; i < 50; i++) {
    await write_file(`${dir.path}/file-${i}.txt`, "x");
  }
  await using server = serve(handler_for(dir.path, { compress: true }));
  const plain = await request(server, "/");
  const res = await request(server, "/", { "Accept-Encoding": "gzip" });
  assertEquals(header(res, "Content-Encoding"), "gzip");
  assertEquals(header(res, "Vary"), "Accept, Accept-Encoding");
  assertEquals(header(res, "Content-Length"), String(res.body.length));
  assertEquals(decode("gzip", res.body), plain.body);
  assertEquals(header(plain, "Content-Encoding"), undefined);
  assertEquals(header(plain, "Vary"), "Accept, Accept-Encoding");
});

Deno.test({
  name:
    "SimpleHTTPRequestHandler answers curl -H 'Accept: application/json' with JSON",
  ignore: !HAVE_CURL,
  async fn() {
    await using dir = await site();
    await using server = serve(handler_for(dir.path));
    const out = await curl(
      "-H",
      "Accept: application/json",
      `http://127.0.0.1:${server.port}/`,
    );
    assertEquals(out.code, 0, out.stderr);
    assertEquals(JSON.parse(out.stdout).map((e: { type: string }) => e.type), [
      "file",
      "file",
      "symlink",
      "directory",
    ]);
  },
});
