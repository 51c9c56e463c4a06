/**
 * On-the-fly compression (`compress = true`) over real sockets: chunked
 * under HTTP/1.1, close-delimited under HTTP/1.0, decoded bytes compared
 * with the file, the size and type thresholds, HEAD, keep-alive after it.
 */

import { assert, assertEquals } from "./_assert.ts";
import { latin1, RawClient, serve } from "./_helpers.ts";
import {
  dechunk,
  decode,
  etag_of,
  handler_for,
  header,
  MTIME,
  MTIME_HTTP,
  request,
  SERVER,
  some_js,
  split_bytes,
  temp_dir,
  write_file,
} from "./_static_helpers.ts";

const decoder = new TextDecoder();
const JS = some_js(200_000);
const JS_TYPE = "text/javascript; charset=UTF-8";

Deno.test("SimpleHTTPRequestHandler with compress gzips a JS file on the fly, chunked under HTTP/1.1", async () => {
  await using dir = await temp_dir();
  await write_file(`${dir.path}/app.js`, JS);
  await using server = serve(
    handler_for(dir.path, { compress: true, protocol_version: "HTTP/1.1" }),
  );
  const res = await request(server, "/app.js", { "Accept-Encoding": "gzip" }, {
    version: "HTTP/1.1",
  });
  assertEquals(res.status, "HTTP/1.1 200 OK");
  assertEquals(res.headers, [
    `Server: ${SERVER}`,
    "Date: DATE",
    `Content-type: ${JS_TYPE}`,
    "Transfer-Encoding: chunked",
    "Content-Encoding: gzip",
    "Vary: Accept-Encoding",
    `Last-Modified: ${MTIME_HTTP}`,
    `ETag: ${etag_of(JS.length, MTIME, "-gzip")}`,
    "Accept-Ranges: bytes",
    "Connection: close", // the client asked for it
  ]);
  const packed = dechunk(res.body);
  assert(packed.length < JS.length / 4, `${packed.length} bytes`);
  assertEquals(decoder.decode(decode("gzip", packed)), JS);
});

Deno.test("SimpleHTTPRequestHandler with compress sends gzip (never br on the fly) in a close-delimited body under HTTP/1.0", async () => {
  await using dir = await temp_dir();
  await write_file(`${dir.path}/app.js`, JS);
  await using server = serve(
    handler_for(dir.path, { compress: true, protocol_version: "HTTP/1.1" }),
  );
  const res = await request(server, "/app.js", {
    "Accept-Encoding": "gzip, deflate, br",
  });
  assertEquals(res.status, "HTTP/1.1 200 OK");
  assertEquals(res.headers, [
    `Server: ${SERVER}`,
    "Date: DATE",
    `Content-type: ${JS_TYPE}`,
    "Content-Encoding: gzip",
    "Vary: Accept-Encoding",
    `Last-Modified: ${MTIME_HTTP}`,
    `ETag: ${etag_of(JS.length, MTIME, "-gzip")}`,
    "Accept-Ranges: bytes",
    "Connection: close",
  ]);
  assertEquals(decoder.decode(decode("gzip", res.body)), JS);
});

Deno.test("SimpleHTTPRequestHandler with compress keeps the connection after a chunked response", async () => {
  await using dir = await temp_dir();
  await write_file(`${dir.path}/app.js`, JS);
  await write_file(`${dir.path}/small.js`, "let x = 1;\n");
  await using server = serve(
    handler_for(dir.path, { compress: true, protocol_version: "HTTP/1.1" }),
  );
  await using client = await RawClient.connect(server);
  await client.write(
    "GET /app.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n" +
      "GET /small.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
  );
  assert(await client.read_to_eof());
  const all = client.bytes;
  const text = latin1(all);
  const second = text.lastIndexOf("HTTP/1.1 200 OK");
  assert(second > 0);
  const first = split_bytes(all.subarray(0, second));
  assertEquals(decoder.decode(decode("gzip", dechunk(first.body))), JS);
  // Up to 1 KiB: sent as it is, without Vary (it cannot vary).
  const small = split_bytes(all.subarray(second));
  assertEquals(header(small, "Content-Encoding"), undefined);
  assertEquals(header(small, "Vary"), undefined);
  assertEquals(decoder.decode(small.body), "let x = 1;\n");
});

Deno.test("SimpleHTTPRequestHandler with compress leaves images, small files and ranges alone", async () => {
  await using dir = await temp_dir();
  const png = new Uint8Array(5000).fill(7);
  await write_file(`${dir.path}/a.png`, png);
  await write_file(`${dir.path}/app.js`, JS);
  await using server = serve(handler_for(dir.path, { compress: true }));
  const image = await request(server, "/a.png", { "Accept-Encoding": "gzip" });
  assertEquals(header(image, "Content-Encoding"), undefined);
  assertEquals(header(image, "Vary"), undefined);
  assertEquals(image.body, png);
  const range = await request(server, "/app.js", {
    "Accept-Encoding": "gzip",
    Range: "bytes=0-9",
  });
  assertEquals(range.status, "HTTP/1.0 206 Partial Content");
  assertEquals(header(range, "Content-Encoding"), undefined);
  assertEquals(header(range, "Vary"), "Accept-Encoding");
  assertEquals(decoder.decode(range.body), JS.slice(0, 10));
  const identity = await request(server, "/app.js", {
    "Accept-Encoding": "identity",
  });
  assertEquals(header(identity, "Content-Length"), String(JS.length));
  assertEquals(header(identity, "Vary"), "Accept-Encoding");
  assertEquals(decoder.decode(identity.body), JS);
});

Deno.test("SimpleHTTPRequestHandler with compress: HEAD sends GET's headers, If-None-Match matches the gzip tag", async () => {
  await using dir = await temp_dir();
  await write_file(`${dir.path}/app.js`, JS);
  await using server = serve(
    handler_for(dir.path, { compress: true, protocol_version: "HTTP/1.1" }),
  );
  const options = { version: "HTTP/1.1" };
  const ae = { "Accept-Encoding": "gzip" };
  const get = await request(server, "/app.js", ae, options);
  const head = await request(server, "/app.js", ae, {
    ...options,
    method: "HEAD",
  });
  assertEquals(head.headers, get.headers);
  assertEquals(head.body.length, 0);
  const cached = await request(server, "/app.js", {
    ...ae,
    "If-None-Match": etag_of(JS.length, MTIME, "-gzip"),
  }, options);
  assertEquals(cached.status, "HTTP/1.1 304 Not Modified");
  assertEquals(header(cached, "Vary"), "Accept-Encoding");
});

Deno.test("SimpleHTTPRequestHandler with compress streams a 5 MiB file with bounded buffers", async () => {
  await using dir = await temp_dir();
  const big = some_js(5 * 1024 * 1024);
  await write_file(`${dir.path}/big.js`, big);
  await using server = serve(handler_for(dir.path, { compress: true }));
  const res = await request(server, "/big.js", { "Accept-Encoding": "gzip" });
  assertEquals(header(res, "Content-Encoding"), "gzip");
  assertEquals(decoder.decode(decode("gzip", res.body)), big);
});
