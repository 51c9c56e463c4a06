/**
 * Precompressed siblings over real sockets: exact headers, decoded bytes,
 * per-encoding ETags, Vary, ranges from identity, HEAD, bad Accept-Encoding.
 */

import { assertEquals } from "./_assert.ts";
import { serve } from "./_helpers.ts";
import {
  decode,
  etag_of,
  handler_for,
  header,
  LATER,
  MTIME,
  MTIME_HTTP,
  request,
  SERVER,
  some_js,
  temp_dir,
  write_file,
} from "./_static_helpers.ts";
import { brotliCompressSync, gzipSync, zstdCompressSync } from "node:zlib";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const JS = some_js(5000);
const JS_BYTES = encoder.encode(JS);
const BR = new Uint8Array(brotliCompressSync(JS_BYTES));
const GZ = new Uint8Array(gzipSync(JS_BYTES));
const ZST = new Uint8Array(zstdCompressSync(JS_BYTES));
const JS_TYPE = "text/javascript; charset=UTF-8";

async function site() {
  const dir = await temp_dir();
  await write_file(`${dir.path}/app.js`, JS);
  await write_file(`${dir.path}/app.js.br`, BR, LATER);
  await write_file(`${dir.path}/app.js.gz`, GZ, LATER);
  await write_file(`${dir.path}/app.js.zst`, ZST, LATER);
  return dir;
}

Deno.test("SimpleHTTPRequestHandler serves app.js.br for app.js to a client taking br, with the original's type", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path));
  const res = await request(server, "/app.js", {
    "Accept-Encoding": "br, gzip",
  });
  assertEquals(res.status, "HTTP/1.0 200 OK");
  assertEquals(res.headers, [
    `Server: ${SERVER}`,
    "Date: DATE",
    `Content-type: ${JS_TYPE}`,
    `Content-Length: ${BR.length}`,
    "Content-Encoding: br",
    "Vary: Accept-Encoding",
    `Last-Modified: ${MTIME_HTTP}`,
    `ETag: ${etag_of(JS.length, MTIME, "-br")}`,
    "Accept-Ranges: bytes",
  ]);
  assertEquals(decoder.decode(decode("br", res.body)), JS);
});

Deno.test("SimpleHTTPRequestHandler picks the sibling by q-value, zstd before gzip, and gzip for x-gzip", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path));
  for (
    const [accept, coding, length] of [
      ["gzip, zstd", "zstd", ZST.length],
      ["br;q=0.5, gzip", "gzip", GZ.length],
      ["x-gzip", "gzip", GZ.length],
      ["*", "br", BR.length],
    ] as const
  ) {
    const res = await request(server, "/app.js", { "Accept-Encoding": accept });
    assertEquals(header(res, "Content-Encoding"), coding, accept);
    assertEquals(header(res, "Content-Length"), String(length));
    assertEquals(header(res, "ETag"), etag_of(JS.length, MTIME, `-${coding}`));
    assertEquals(decoder.decode(decode(coding, res.body)), JS);
  }
});

Deno.test("SimpleHTTPRequestHandler sends identity with Vary for no, unknown, refused or malformed Accept-Encoding", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path));
  for (
    const accept of [
      undefined,
      "compress, deflate",
      "br;q=0, gzip;q=0, zstd;q=0",
      "gzip;q=5",
      "br;;;=",
      '"br"',
      "identity",
    ]
  ) {
    const res = await request(
      server,
      "/app.js",
      accept === undefined ? {} : { "Accept-Encoding": accept },
    );
    assertEquals(res.status, "HTTP/1.0 200 OK", accept);
    assertEquals(res.headers, [
      `Server: ${SERVER}`,
      "Date: DATE",
      `Content-type: ${JS_TYPE}`,
      `Content-Length: ${JS.length}`,
      "Vary: Accept-Encoding",
      `Last-Modified: ${MTIME_HTTP}`,
      `ETag: ${etag_of(JS.length, MTIME)}`,
      "Accept-Ranges: bytes",
    ], accept);
    assertEquals(decoder.decode(res.body), JS);
  }
  assertEquals(server.errors, []);
});

Deno.test("SimpleHTTPRequestHandler ignores a sibling older than the file, and sends no Vary without siblings", async () => {
  await using dir = await temp_dir();
  await write_file(`${dir.path}/a.js`, JS);
  await write_file(`${dir.path}/a.js.gz`, GZ, new Date(MTIME.getTime() - 1));
  await write_file(`${dir.path}/b.js`, JS);
  await using server = serve(handler_for(dir.path));
  for (const name of ["a.js", "b.js"]) {
    const res = await request(server, `/${name}`, {
      "Accept-Encoding": "gzip",
    });
    assertEquals(header(res, "Content-Encoding"), undefined);
    assertEquals(header(res, "Vary"), undefined);
    assertEquals(decoder.decode(res.body), JS);
  }
});

Deno.test("SimpleHTTPRequestHandler serves a sibling by its own name as itself", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path));
  const res = await request(server, "/app.js.gz", {
    "Accept-Encoding": "gzip",
  });
  assertEquals(header(res, "Content-Encoding"), undefined);
  assertEquals(header(res, "Content-Length"), String(GZ.length));
  assertEquals(res.body, GZ);
});

Deno.test("SimpleHTTPRequestHandler answers If-None-Match per encoding", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path));
  const br_tag = etag_of(JS.length, MTIME, "-br");
  const not_modified = await request(server, "/app.js", {
    "Accept-Encoding": "br",
    "If-None-Match": br_tag,
  });
  assertEquals(not_modified.status, "HTTP/1.0 304 Not Modified");
  assertEquals(not_modified.headers, [
    `Server: ${SERVER}`,
    "Date: DATE",
    `ETag: ${br_tag}`,
    "Vary: Accept-Encoding",
  ]);
  // The br tag does not match the gzip or identity representation.
  const gzip = await request(server, "/app.js", {
    "Accept-Encoding": "gzip",
    "If-None-Match": br_tag,
  });
  assertEquals(gzip.status, "HTTP/1.0 200 OK");
  assertEquals(header(gzip, "Content-Encoding"), "gzip");
  const identity = await request(server, "/app.js", {
    "If-None-Match": br_tag,
  });
  assertEquals(identity.status, "HTTP/1.0 200 OK");
  assertEquals(decoder.decode(identity.body), JS);
  const identity_304 = await request(server, "/app.js", {
    "If-None-Match": etag_of(JS.length, MTIME),
  });
  assertEquals(identity_304.status, "HTTP/1.0 304 Not Modified");
});

Deno.test("SimpleHTTPRequestHandler serves a Range from the identity representation", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path));
  const res = await request(server, "/app.js", {
    "Accept-Encoding": "br, gzip",
    Range: "bytes=10-19",
  });
  assertEquals(res.status, "HTTP/1.0 206 Partial Content");
  assertEquals(res.headers, [
    `Server: ${SERVER}`,
    "Date: DATE",
    `Content-type: ${JS_TYPE}`,
    "Content-Length: 10",
    "Vary: Accept-Encoding",
    `Last-Modified: ${MTIME_HTTP}`,
    `ETag: ${etag_of(JS.length, MTIME)}`,
    "Accept-Ranges: bytes",
    `Content-Range: bytes 10-19/${JS.length}`,
  ]);
  assertEquals(decoder.decode(res.body), JS.slice(10, 20));
});

Deno.test("SimpleHTTPRequestHandler.do_HEAD() sends the headers GET sends for a sibling", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path));
  const get = await request(server, "/app.js", { "Accept-Encoding": "br" });
  const head = await request(server, "/app.js", { "Accept-Encoding": "br" }, {
    method: "HEAD",
  });
  assertEquals(head.headers, get.headers);
  assertEquals(head.body.length, 0);
});

Deno.test("SimpleHTTPRequestHandler with precompressed = false serves identity without Vary", async () => {
  await using dir = await site();
  await using server = serve(handler_for(dir.path, { precompressed: false }));
  const res = await request(server, "/app.js", { "Accept-Encoding": "br" });
  assertEquals(header(res, "Content-Encoding"), undefined);
  assertEquals(header(res, "Vary"), undefined);
  assertEquals(decoder.decode(res.body), JS);
});

Deno.test("SimpleHTTPRequestHandler does not serve a sibling that links outside the tree", async () => {
  await using dir = await temp_dir();
  await Deno.mkdir(`${dir.path}/d`);
  await write_file(`${dir.path}/d/app.js`, JS);
  // A link to a sibling outside the tree is not used.
  const outside = await temp_dir();
  await write_file(`${outside.path}/x.gz`, GZ, LATER);
  await Deno.symlink(`${outside.path}/x.gz`, `${dir.path}/d/app.js.gz`);
  await using server = serve(handler_for(dir.path));
  const res = await request(server, "/d/app.js", { "Accept-Encoding": "gzip" });
  assertEquals(header(res, "Content-Encoding"), undefined);
  assertEquals(decoder.decode(res.body), JS);
  await outside[Symbol.asyncDispose]();
});
