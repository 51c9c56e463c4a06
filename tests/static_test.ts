/**
 * SimpleHTTPRequestHandler over real sockets: Python's behaviour (listing,
 * redirects, index pages, validators, HEAD, 404s, unicode names, CVE-2021-28861,
 * traversal), then ours (symlinks, ranges, ETag, CORS, media types, dotfiles,
 * streaming). Exact status lines, headers and bytes.
 */

import { SimpleHTTPRequestHandler } from "../http_server.ts";
import { percent_format } from "../_common/pyformat.ts";
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import {
  bytes_of,
  exchange,
  latin1,
  normalize,
  RawClient,
  recorder_of,
  serve,
  split_response,
  type TestServer,
} from "./_helpers.ts";

const SERVER = `SimpleHTTP/0.6 Deno/${Deno.version.deno}`;
const encoder = new TextEncoder();
/** A fixed modification time with milliseconds: 2024-01-02 03:04:05.678 UTC. */
const MTIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
const MTIME_HTTP = "Tue, 02 Jan 2024 03:04:05 GMT";
const DATA = "We are the knights who say Ni!";

interface HandlerOptions {
  cors?: boolean;
  dotfiles?: boolean;
  follow_symlinks_outside?: boolean;
  protocol_version?: string;
}

/** A SimpleHTTPRequestHandler for `dir` that logs into its server's recorder. */
function handler_for(
  dir: string,
  o: HandlerOptions = {},
): typeof SimpleHTTPRequestHandler {
  return class extends SimpleHTTPRequestHandler {
    override directory = dir;
    override cors = o.cors ?? false;
    override dotfiles = o.dotfiles ?? true;
    override follow_symlinks_outside = o.follow_symlinks_outside ?? false;
    override protocol_version = o.protocol_version ?? "HTTP/1.0";
    override log_message(format: string, ...args: unknown[]): void {
      recorder_of(this.server).logs.push(percent_format(format, args));
    }
  };
}

/** The expected ETag, computed apart from _static/etag.ts. */
function etag_of(size: number, mtime: Date): string {
  return `"${size.toString(16)}-${mtime.getTime().toString(16)}"`;
}

/** A temp dir with `root/` (served) and `secret.txt` beside it. */
interface Fixture extends AsyncDisposable {
  base: string;
  root: string;
}

async function fixture(): Promise<Fixture> {
  const base = await Deno.makeTempDir({ prefix: "static_test_" });
  const root = `${base}/root`;
  await Deno.mkdir(root);
  await Deno.writeTextFile(`${base}/secret.txt`, "SECRET");
  await Deno.writeTextFile(`${root}/test`, DATA);
  await Deno.utime(`${root}/test`, MTIME, MTIME);
  return {
    base,
    root,
    async [Symbol.asyncDispose]() {
      await Deno.remove(base, { recursive: true });
    },
  };
}

/** One HTTP/1.0 request on a new connection; the whole response as latin1. */
async function request(
  server: TestServer,
  target: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<string> {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  const res = await exchange(
    server,
    bytes_of(`${method} ${target} HTTP/1.0\r\n${lines}\r\n`),
  );
  assert(res.closed, `the server kept ${target} open`);
  return normalize(res.text);
}

function status_of(text: string): string {
  return text.slice(0, text.indexOf("\r\n"));
}

function header(text: string, name: string): string | undefined {
  const { headers } = split_response(text);
  const prefix = name.toLowerCase() + ":";
  const line = headers.find((h) => h.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}

function utf8(text: string): string {
  return latin1(encoder.encode(text));
}

Deno.test("SimpleHTTPRequestHandler.send_head() serves a file with Python's headers, byte for byte", async () => {
  await using f = await fixture();
  await using server = serve(handler_for(f.root));
  assertEquals(
    await request(server, "/test"),
    "HTTP/1.0 200 OK\r\n" +
      `Server: ${SERVER}\r\n` +
      "Date: DATE\r\n" +
      "Content-type: application/octet-stream\r\n" +
      `Content-Length: ${DATA.length}\r\n` +
      `Last-Modified: ${MTIME_HTTP}\r\n` +
      `ETag: ${etag_of(DATA.length, MTIME)}\r\n` +
      "Accept-Ranges: bytes\r\n" +
      "\r\n" + DATA,
  );
  assertEquals(server.logs, ['"GET /test HTTP/1.0" 200 -']);
});

Deno.test("SimpleHTTPRequestHandler.do_HEAD() sends the headers of GET and no body", async () => {
  await using f = await fixture();
  await using server = serve(
    handler_for(f.root, { protocol_version: "HTTP/1.1" }),
  );
  // Keep-alive: a body after the head would be read as the next response.
  await using client = await RawClient.connect(server);
  await client.write(
    "HEAD /test HTTP/1.1\r\nHost: x\r\n\r\nHEAD /test HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  );
  assert(await client.read_to_eof());
  const head = "HTTP/1.1 200 OK\r\n" +
    `Server: ${SERVER}\r\n` +
    "Date: DATE\r\n" +
    "Content-type: application/octet-stream\r\n" +
    `Content-Length: ${DATA.length}\r\n` +
    `Last-Modified: ${MTIME_HTTP}\r\n` +
    `ETag: ${etag_of(DATA.length, MTIME)}\r\n` +
    "Accept-Ranges: bytes\r\n";
  assertEquals(
    normalize(client.text),
    head + "\r\n" + head + "Connection: close\r\n\r\n",
  );
  // A large file takes the streaming path: still no body.
  await Deno.writeFile(`${f.root}/big.bin`, new Uint8Array(300_000));
  const big = await request(server, "/big.bin", {}, "HEAD");
  assertEquals(status_of(big), "HTTP/1.1 200 OK");
  assertEquals(header(big, "Content-Length"), "300000");
  assertEquals(split_response(big).body, "");
});

Deno.test("SimpleHTTPRequestHandler.list_directory() renders Python's listing: sorted case-insensitively, escaped, percent-encoded", async () => {
  await using f = await fixture();
  await Deno.remove(`${f.root}/test`);
  for (
    const name of ["Zeta", "alpha", "<b>&'\".txt", "ünï code.txt", "a#b?c"]
  ) {
    await Deno.writeTextFile(`${f.root}/${name}`, "x");
  }
  await Deno.mkdir(`${f.root}/Beta dir`);
  await using server = serve(handler_for(f.root));
  const text = await request(server, "/");
  const { status, headers, body } = split_response(text);
  assertEquals(status, "HTTP/1.0 200 OK");
  assertEquals(headers, [
    `Server: ${SERVER}`,
    "Date: DATE",
    "Content-type: text/html; charset=utf-8",
    `Content-Length: ${body.length}`,
    "Vary: Accept",
  ]);
  const page = new TextDecoder().decode(bytes_of(body));
  assertStringIncludes(page, "<title>Directory listing for /</title>");
  assertStringIncludes(
    page,
    '<h1>Directory listing for <a href="./">/</a></h1>',
  );
  const tbody = page.slice(page.indexOf("<tbody>"));
  const links = [...tbody.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)]
    .map((m) => [m[1], m[2]]);
  assertEquals(links, [
    ["%3Cb%3E%26%27%22.txt", "&lt;b&gt;&amp;'\".txt"],
    ["a%23b%3Fc", "a#b?c"],
    ["alpha", "alpha"],
    ["Beta%20dir/", "Beta dir/"],
    ["Zeta", "Zeta"],
    ["%C3%BCn%C3%AF%20code.txt", "ünï code.txt"],
  ]);
  // No parent link at the root; one below it.
  const sub = await request(server, "/Beta%20dir/?q=%3Cx%3E");
  assertStringIncludes(
    sub,
    "<title>Directory listing for /Beta dir/?q=&lt;x&gt;</title>",
  );
  assertStringIncludes(sub, '<a href="../">../</a>');
  assertEquals(server.logs, [
    '"GET / HTTP/1.0" 200 -',
    '"GET /Beta%20dir/?q=%3Cx%3E HTTP/1.0" 200 -',
  ]);
});

Deno.test("SimpleHTTPRequestHandler.send_head() redirects a directory without its slash, keeping the query", async () => {
  await using f = await fixture();
  await Deno.mkdir(`${f.root}/sub`);
  await using server = serve(handler_for(f.root));
  const redirect = (location: string) =>
    "HTTP/1.0 301 Moved Permanently\r\n" +
    `Server: ${SERVER}\r\n` +
    "Date: DATE\r\n" +
    `Location: ${location}\r\n` +
    "Content-Length: 0\r\n\r\n";
  assertEquals(await request(server, "/sub"), redirect("/sub/"));
  assertEquals(await request(server, "/sub?hi=1"), redirect("/sub/?hi=1"));
  assertEquals(
    await request(server, "/sub?a=1&b=%20#frag"),
    redirect("/sub/?a=1&b=%20#frag"),
  );
  // Python's test_path_without_leading_slash: the Location stays relative.
  assertEquals(await request(server, "sub?hi=1"), redirect("sub/?hi=1"));
  assertEquals(
    status_of(await request(server, "/sub/?hi=2")),
    "HTTP/1.0 200 OK",
  );
});

Deno.test("SimpleHTTPRequestHandler.send_head() serves index.html, else index.htm, for a directory", async () => {
  await using f = await fixture();
  await Deno.mkdir(`${f.root}/both`);
  await Deno.writeTextFile(`${f.root}/both/index.html`, "<p>html</p>");
  await Deno.writeTextFile(`${f.root}/both/index.htm`, "<p>htm</p>");
  await Deno.mkdir(`${f.root}/htm`);
  await Deno.writeTextFile(`${f.root}/htm/index.htm`, "<p>htm</p>");
  // Python's test_get: a directory named index.html is not an index page.
  await Deno.mkdir(`${f.root}/spam/index.html`, { recursive: true });
  await using server = serve(handler_for(f.root));
  const both = await request(server, "/both/");
  assertEquals(status_of(both), "HTTP/1.0 200 OK");
  assertEquals(header(both, "Content-type"), "text/html");
  assertEquals(split_response(both).body, "<p>html</p>");
  const htm = await request(server, "/htm/?x=1");
  assertEquals(header(htm, "Content-Length"), "10");
  assertEquals(split_response(htm).body, "<p>htm</p>");
  const spam = await request(server, "/spam/");
  assertEquals(status_of(spam), "HTTP/1.0 200 OK");
  assertStringIncludes(spam, '<a href="index.html/">index.html/</a>');
});

Deno.test("SimpleHTTPRequestHandler.send_head() answers If-Modified-Since with 304 as Python", async () => {
  await using f = await fixture();
  await using server = serve(handler_for(f.root));
  const not_modified = "HTTP/1.0 304 Not Modified\r\n" +
    `Server: ${SERVER}\r\n` +
    "Date: DATE\r\n" +
    `ETag: ${etag_of(DATA.length, MTIME)}\r\n\r\n`;
  assertEquals(
    await request(server, "/test", { "If-Modified-Since": MTIME_HTTP }),
    not_modified,
  );
  // An hour later: still 304 (Python's test_browser_cache).
  assertEquals(
    await request(server, "/test", {
      "If-Modified-Since": "Tue, 02 Jan 2024 04:04:05 GMT",
    }),
    not_modified,
  );
  for (
    const since of [
      "Tue, 02 Jan 2024 03:04:04 GMT", // a second before
      "Mon, 02 Jan 2023 03:04:05 GMT", // a year before
      "yesterday", // unparsable: ignored
    ]
  ) {
    const text = await request(server, "/test", { "If-Modified-Since": since });
    assertEquals(status_of(text), "HTTP/1.0 200 OK", since);
    assertEquals(split_response(text).body, DATA, since);
  }
});

Deno.test("SimpleHTTPRequestHandler.send_head() ignores the query and fragment when mapping to a file", async () => {
  await using f = await fixture();
  await using server = serve(handler_for(f.root));
  for (
    const target of ["/test?x=1", "/test#frag", "/test?a=/../b#c?d", "/test?"]
  ) {
    const text = await request(server, target);
    assertEquals(status_of(text), "HTTP/1.0 200 OK", target);
    assertEquals(split_response(text).body, DATA, target);
  }
});

Deno.test("SimpleHTTPRequestHandler.send_head() answers 404 for what is missing", async () => {
  await using f = await fixture();
  await using server = serve(handler_for(f.root));
  for (
    const target of [
      "/ThisDoesNotExist",
      "/ThisDoesNotExist/",
      "/test/", // a file asked for as a directory (Python issue 17324)
      "/test/x",
    ]
  ) {
    const text = await request(server, target);
    assertEquals(status_of(text), "HTTP/1.0 404 File not found", target);
    assertStringIncludes(text, "<p>Message: File not found.</p>");
  }
  // Python: an unreadable directory is a 404 too (root can read anything).
  if (Deno.uid() !== 0) {
    await Deno.mkdir(`${f.root}/locked`, { mode: 0o000 });
    const text = await request(server, "/locked/");
    assertEquals(
      status_of(text),
      "HTTP/1.0 404 No permission to list directory",
    );
    await Deno.chmod(`${f.root}/locked`, 0o755);
  }
});

Deno.test("SimpleHTTPRequestHandler.send_head() serves unicode file names", async () => {
  await using f = await fixture();
  await Deno.mkdir(`${f.root}/日本`);
  await Deno.writeTextFile(`${f.root}/日本/ünï cödé.txt`, "ü");
  await using server = serve(handler_for(f.root));
  const text = await request(
    server,
    "/%E6%97%A5%E6%9C%AC/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9.txt",
  );
  assertEquals(status_of(text), "HTTP/1.0 200 OK");
  assertEquals(header(text, "Content-type"), "text/plain; charset=UTF-8");
  assertEquals(split_response(text).body, utf8("ü"));
  const listing = await request(server, "/%E6%97%A5%E6%9C%AC/");
  assertStringIncludes(
    listing,
    utf8("<title>Directory listing for /日本/</title>"),
  );
  assertStringIncludes(
    listing,
    utf8('<a href="%C3%BCn%C3%AF%20c%C3%B6d%C3%A9.txt">ünï cödé.txt</a>'),
  );
  // Raw UTF-8 in the request target is refused (RFC 9112 §3.2).
  const raw = await request(server, latin1(encoder.encode("/日本/")));
  assertEquals(status_of(raw).slice(0, 29), "HTTP/1.0 400 Bad request targ");
});

Deno.test("SimpleHTTPRequestHandler.send_head() never redirects to another host (CVE-2021-28861)", async () => {
  await using f = await fixture();
  await Deno.mkdir(`${f.root}/existing_directory`);
  await using server = serve(handler_for(f.root));
  // Python's test_get_dir_redirect_location_domain_injection_bug.
  const url =
    "/python.org/..%2f..%2f..%2f..%2f..%2f../%0a%0d/../existing_directory";
  const location = async (target: string) => {
    const text = await request(server, target);
    return [status_of(text), header(text, "Location")];
  };
  // Encoded slashes are refused outright here (Python resolves them).
  assertEquals(await location(url), ["HTTP/1.0 404 File not found", undefined]);
  const plain = "/python.org/../existing_directory";
  const moved = "HTTP/1.0 301 Moved Permanently";
  assertEquals(await location(plain), [moved, `${plain}/`]);
  assertEquals(await location(`/${plain}`), [moved, `${plain}/`]);
  assertEquals(await location(`//${plain}`), [moved, `${plain}/`]);
  assertEquals(await location("//example.com/.."), [moved, "/example.com/../"]);
  assertEquals(await location("/\\example.com/.."), [
    "HTTP/1.0 404 File not found",
    undefined,
  ]);
  assertEquals(await location("https://pypi.org/existing_directory?q"), [
    moved,
    "/existing_directory/?q",
  ]);
});

Deno.test("SimpleHTTPRequestHandler.translate_path() never leaves the root: .., %2e%2e, encoded slashes, backslashes, NUL", async () => {
  await using f = await fixture();
  await Deno.mkdir(`${f.root}/sub`);
  await using server = serve(handler_for(f.root));
  for (
    const target of [
      "/../secret.txt",
      "/../../secret.txt",
      "/sub/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/%2e%2e/secret.txt",
      "/.%2e/secret.txt",
      "/..%2fsecret.txt",
      "/sub%2f..%2f..%2fsecret.txt",
      "/..%5csecret.txt",
      "/..\\secret.txt",
      "/sub\\..\\..\\secret.txt",
      "/secret.txt%00",
      "/test%00.txt",
      "/%c0%ae%c0%ae/secret.txt", // overlong UTF-8 dots
      "../secret.txt",
      "http://x/../secret.txt",
    ]
  ) {
    const text = await request(server, target);
    assert(!text.includes("SECRET"), `${target} escaped: ${text}`);
    assertEquals(status_of(text), "HTTP/1.0 404 File not found", target);
  }
  // ".." that stays inside is resolved as Python resolves it.
  const inside = await request(server, "/sub/../test");
  assertEquals(split_response(inside).body, DATA);
  const dotted = await request(server, "/sub/%2e%2e/test");
  assertEquals(split_response(dotted).body, DATA);
});

Deno.test("SimpleHTTPRequestHandler follows symlinks inside the root and answers 404 for those that lead outside", async () => {
  await using f = await fixture();
  await Deno.mkdir(`${f.root}/dir`);
  await Deno.writeTextFile(`${f.root}/dir/in.txt`, "inside");
  await Deno.symlink(`${f.root}/dir/in.txt`, `${f.root}/inner-link.txt`);
  await Deno.symlink(`${f.root}/dir`, `${f.root}/inner-dir`);
  await Deno.symlink(`${f.base}/secret.txt`, `${f.root}/outer-link.txt`);
  await Deno.symlink(f.base, `${f.root}/outer-dir`);
  await Deno.symlink(`${f.base}/nothing`, `${f.root}/dangling`);
  {
    await using server = serve(handler_for(f.root));
    assertEquals(
      split_response(await request(server, "/inner-link.txt")).body,
      "inside",
    );
    assertEquals(
      split_response(await request(server, "/inner-dir/in.txt")).body,
      "inside",
    );
    for (
      const target of [
        "/outer-link.txt",
        "/outer-dir/",
        "/outer-dir/secret.txt",
        "/dangling",
      ]
    ) {
      const text = await request(server, target);
      assertEquals(status_of(text), "HTTP/1.0 404 File not found", target);
    }
    // The listing shows links that stay inside, and nothing of the others.
    const listing = await request(server, "/");
    assertStringIncludes(
      listing,
      '<a href="inner-link.txt">inner-link.txt@</a>',
    );
    assertStringIncludes(listing, '<a href="inner-dir/">inner-dir@</a>');
    assert(!listing.includes("outer-"), listing);
    assert(!listing.includes("dangling"), listing);
  }
  {
    // follow_symlinks_outside = true is Python's behaviour.
    await using server = serve(
      handler_for(f.root, { follow_symlinks_outside: true }),
    );
    assertEquals(
      split_response(await request(server, "/outer-link.txt")).body,
      "SECRET",
    );
    assertEquals(
      split_response(await request(server, "/outer-dir/secret.txt")).body,
      "SECRET",
    );
    assertStringIncludes(
      await request(server, "/"),
      '<a href="outer-link.txt">outer-link.txt@</a>',
    );
  }
});

Deno.test("SimpleHTTPRequestHandler.send_head() answers one range with 206 and Content-Range", async () => {
  await using f = await fixture();
  await using server = serve(handler_for(f.root));
  const size = DATA.length;
  const cases: [string, number, number][] = [
    ["bytes=0-0", 0, 0],
    ["bytes=3-8", 3, 8],
    ["bytes=20-", 20, size - 1],
    ["bytes=-5", size - 5, size - 1],
    ["bytes=10-1000", 10, size - 1],
    ["bytes=-1000", 0, size - 1],
  ];
  for (const [range, start, end] of cases) {
    assertEquals(
      await request(server, "/test", { Range: range }),
      "HTTP/1.0 206 Partial Content\r\n" +
        `Server: ${SERVER}\r\n` +
        "Date: DATE\r\n" +
        "Content-type: application/octet-stream\r\n" +
        `Content-Length: ${end - start + 1}\r\n` +
        `Last-Modified: ${MTIME_HTTP}\r\n` +
        `ETag: ${etag_of(size, MTIME)}\r\n` +
        "Accept-Ranges: bytes\r\n" +
        `Content-Range: bytes ${start}-${end}/${size}\r\n` +
        "\r\n" + DATA.slice(start, end + 1),
      range,
    );
  }
  // Several ranges, other units and malformed ones: the whole file.
  for (const range of ["bytes=0-1,3-4", "items=0-1", "bytes=5-2", "bytes=x"]) {
    const text = await request(server, "/test", { Range: range });
    assertEquals(status_of(text), "HTTP/1.0 200 OK", range);
    assertEquals(split_response(text).body, DATA, range);
  }
});

Deno.test("SimpleHTTPRequestHandler.send_head() answers an unsatisfiable range with 416", async () => {
  await using f = await fixture();
  await using server = serve(handler_for(f.root));
  for (
    const range of [`bytes=${DATA.length}-`, "bytes=1000-2000", "bytes=-0"]
  ) {
    assertEquals(
      await request(server, "/test", { Range: range }),
      "HTTP/1.0 416 Range Not Satisfiable\r\n" +
        `Server: ${SERVER}\r\n` +
        "Date: DATE\r\n" +
        `Content-Range: bytes */${DATA.length}\r\n` +
        "Content-Length: 0\r\n\r\n",
      range,
    );
  }
});

Deno.test("SimpleHTTPRequestHandler.send_head() honours If-Range with the ETag or Last-Modified", async () => {
  await using f = await fixture();
  await using server = serve(handler_for(f.root));
  const etag = etag_of(DATA.length, MTIME);
  const ranged = async (if_range: string) => {
    const text = await request(server, "/test", {
      Range: "bytes=0-1",
      "If-Range": if_range,
    });
    return [status_of(text), split_response(text).body];
  };
  const partial = ["HTTP/1.0 206 Partial Content", "We"];
  const whole = ["HTTP/1.0 200 OK", DATA];
  assertEquals(await ranged(etag), partial);
  assertEquals(await ranged(MTIME_HTTP), partial);
  assertEquals(await ranged(`W/${etag}`), whole); // weak: never matches
  assertEquals(await ranged('"other"'), whole);
  assertEquals(await ranged("Tue, 02 Jan 2024 03:04:06 GMT"), whole);
  // The file changes: the old tag no longer resumes it.
  await Deno.writeTextFile(`${f.root}/test`, DATA + "!");
  assertEquals(await ranged(etag), ["HTTP/1.0 200 OK", DATA + "!"]);
});

Deno.test("SimpleHTTPRequestHandler.send_head() answers a matching If-None-Match with 304", async () => {
  await using f = await fixture();
  await using server = serve(handler_for(f.root));
  const etag = etag_of(DATA.length, MTIME);
  for (const inm of [etag, `"x", ${etag}`, `W/${etag}`, "*"]) {
    assertEquals(
      await request(server, "/test", { "If-None-Match": inm }),
      "HTTP/1.0 304 Not Modified\r\n" +
        `Server: ${SERVER}\r\n` +
        "Date: DATE\r\n" +
        `ETag: ${etag}\r\n\r\n`,
      inm,
    );
  }
  // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
  const text = await request(server, "/test", {
    "If-None-Match": '"other"',
    "If-Modified-Since": MTIME_HTTP,
  });
  assertEquals(status_of(text), "HTTP/1.0 200 OK");
  assertEquals(split_response(text).body, DATA);
});

Deno.test("SimpleHTTPRequestHandler.end_headers() sends Access-Control-Allow-Origin when cors is set", async () => {
  await using f = await fixture();
  await Deno.mkdir(`${f.root}/d`);
  {
    await using server = serve(handler_for(f.root, { cors: true }));
    for (const target of ["/test", "/", "/d", "/missing"]) {
      const text = await request(server, target);
      assertEquals(header(text, "Access-Control-Allow-Origin"), "*", target);
    }
  }
  {
    await using server = serve(handler_for(f.root));
    const text = await request(server, "/test");
    assertEquals(header(text, "Access-Control-Allow-Origin"), undefined);
  }
});

Deno.test("SimpleHTTPRequestHandler.guess_type() serves modules with types Deno and browsers accept", async () => {
  await using f = await fixture();
  const wasm = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  const files: [string, string | Uint8Array, string][] = [
    ["mod.ts", "export const a = 1;", "text/typescript; charset=UTF-8"],
    ["mod.mts", "export const a = 1;", "text/typescript; charset=UTF-8"],
    ["view.tsx", "export const a = <b />;", "text/tsx; charset=UTF-8"],
    ["app.js", "export const a = 1;", "text/javascript; charset=UTF-8"],
    ["app.mjs", "export const a = 1;", "text/javascript; charset=UTF-8"],
    ["data.json", '{"a":1}', "application/json"],
    ["mod.wasm", wasm, "application/wasm"],
    ["page.html", "<p>", "text/html"],
    ["style.css", "p{}", "text/css; charset=UTF-8"],
    ["UPPER.TXT", "x", "text/plain; charset=UTF-8"],
  ];
  for (const [name, body] of files) {
    if (typeof body === "string") {
      await Deno.writeTextFile(`${f.root}/${name}`, body);
    } else await Deno.writeFile(`${f.root}/${name}`, body);
  }
  await using server = serve(handler_for(f.root));
  for (const [name, , type] of files) {
    const text = await request(server, `/${name}`);
    assertEquals(header(text, "Content-type"), type, name);
  }
  // What a browser does with it: WebAssembly.instantiateStreaming needs
  // exactly application/wasm.
  const res = await fetch(`http://127.0.0.1:${server.port}/mod.wasm`);
  const { instance } = await WebAssembly.instantiateStreaming(res);
  assertEquals(Object.keys(instance.exports), []);
});

Deno.test("SimpleHTTPRequestHandler.dotfiles decides whether names starting with a dot are listed and served", async () => {
  await using f = await fixture();
  await Deno.writeTextFile(`${f.root}/.env`, "TOKEN=1");
  await Deno.mkdir(`${f.root}/.git`);
  await Deno.writeTextFile(`${f.root}/.git/config`, "[core]");
  await Deno.mkdir(`${f.root}/.well-known`);
  await Deno.writeTextFile(`${f.root}/.well-known/security.txt`, "Contact: x");
  await Deno.mkdir(`${f.root}/d`);
  await Deno.writeTextFile(`${f.root}/d/.hidden`, "h");
  {
    // Default, as Python: listed and served.
    await using server = serve(handler_for(f.root));
    assertEquals(
      split_response(await request(server, "/.env")).body,
      "TOKEN=1",
    );
    assertEquals(
      split_response(await request(server, "/.git/config")).body,
      "[core]",
    );
    assertStringIncludes(await request(server, "/"), '<a href=".env">.env</a>');
  }
  {
    await using server = serve(handler_for(f.root, { dotfiles: false }));
    for (
      const target of [
        "/.env",
        "/.git/config",
        "/.git/",
        "/.git",
        "/d/.hidden",
        "/%2Eenv",
        "/.well-known/security.txt",
      ]
    ) {
      const text = await request(server, target);
      assertEquals(status_of(text), "HTTP/1.0 404 File not found", target);
    }
    const listing = await request(server, "/");
    assert(!listing.includes(".env"), listing);
    assert(!listing.includes(".git"), listing);
    assertStringIncludes(listing, '<a href="test">test</a>');
    assert(!(await request(server, "/d/")).includes(".hidden"));
    // ".." is not a dotfile.
    assertEquals(
      split_response(await request(server, "/d/../test")).body,
      DATA,
    );
  }
});

Deno.test("SimpleHTTPRequestHandler.copyfile() streams large files and ranges byte for byte", async () => {
  await using f = await fixture();
  // Not a multiple of the chunk size, with a pattern that shows misplacement.
  const size = 3 * 256 * 1024 + 12_345;
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
  await Deno.writeFile(`${f.root}/big.bin`, data);
  await using server = serve(handler_for(f.root));
  const base = `http://127.0.0.1:${server.port}/big.bin`;
  const whole = await fetch(base);
  assertEquals(whole.headers.get("content-length"), String(size));
  assertEquals(new Uint8Array(await whole.arrayBuffer()), data);
  // A range across chunk boundaries, and the last byte.
  const start = 256 * 1024 - 7;
  const end = 2 * 256 * 1024 + 100;
  const part = await fetch(base, {
    headers: { Range: `bytes=${start}-${end}` },
  });
  assertEquals(part.status, 206);
  assertEquals(
    part.headers.get("content-range"),
    `bytes ${start}-${end}/${size}`,
  );
  assertEquals(
    new Uint8Array(await part.arrayBuffer()),
    data.subarray(start, end + 1),
  );
  const last = await fetch(base, { headers: { Range: "bytes=-1" } });
  assertEquals(new Uint8Array(await last.arrayBuffer()), data.subarray(-1));
  // A client that goes away mid-download does not stop the server.
  await using client = await RawClient.connect(server);
  await client.write("GET /big.bin HTTP/1.0\r\n\r\n");
  await client.read_until((t) => t.length > 1000);
  await client.close();
  const again = await request(server, "/test");
  assertEquals(split_response(again).body, DATA);
});

Deno.test("SimpleHTTPRequestHandler answers methods it lacks with 501, as Python", async () => {
  await using f = await fixture();
  await using server = serve(handler_for(f.root));
  for (const method of ["POST", "PUT", "FOO", "get"]) {
    const text = await request(server, "/test", {}, method);
    assertEquals(
      status_of(text),
      "HTTP/1.0 501 Unsupported method ('" + method + "')",
      method,
    );
  }
});
