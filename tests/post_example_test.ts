/**
 * examples/post.ts, the spec's POST server: the spec's curl upload, curl's
 * `Expect: 100-continue`, `fetch` with `FormData`, every kind of bad form
 * over a raw socket (400, no temporary file left), and a client that aborts
 * its upload. Uploads are spooled to a fresh directory per test, listed after
 * each request.
 */

import { concat } from "../_common/bytes.ts";
import { FieldFile, FieldStorage, type RequestOptions } from "../cgi.ts";
import { PostHandler } from "../examples/post.ts";
import { percent_format } from "../_common/pyformat.ts";
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import {
  curl,
  curl_version,
  error_response,
  normalize,
  RawClient,
  recorder_of,
  serve,
  SERVER,
  type TestServer,
} from "./_helpers.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const CRLF = "\r\n";
const encoder = new TextEncoder();

const CURL_VERSION = await curl_version();

/** A test server running PostHandler, spooling uploads to its own directory. */
interface PostServer extends AsyncDisposable {
  test: TestServer;
  port: number;
  /** Where uploads are spooled. */
  dir: string;
  /** Every file the forms spooled, in order. */
  spooled: string[];
}

/**
 * Starts PostHandler on port 0 (one connection at a time, as the example
 * runs), with `options` as its `form_options`; its log lines go to the
 * server's recorder. Disposing it stops the server and removes the directory.
 */
async function post_server(options: RequestOptions = {}): Promise<PostServer> {
  const dir = await Deno.makeTempDir({ prefix: "post_example_" });
  const spooled: string[] = [];
  class SpoolHere extends FieldStorage {
    override async make_file(): Promise<FieldFile> {
      const path = await Deno.makeTempFile({ dir, prefix: "cgi_" });
      spooled.push(path);
      const file = await Deno.open(path, { read: true, write: true });
      return new FieldFile({ file, path, remove: true });
    }
  }
  class Handler extends PostHandler {
    override form_class = SpoolHere;
    override form_options: RequestOptions = {
      ...(this as PostHandler).form_options,
      ...options,
    };
    override log_message(format: string, ...args: unknown[]): void {
      recorder_of(this.server).logs.push(percent_format(format, args));
    }
  }
  const test = serve(Handler, { threading: false });
  return {
    test,
    port: test.port,
    dir,
    spooled,
    async [Symbol.asyncDispose]() {
      try {
        await test[Symbol.asyncDispose]();
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
}

/** The names in `dir`, sorted. */
async function list(dir: string): Promise<string[]> {
  const names = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

/** Replaces the port of the `Client:` line with PORT, after checking it. */
function client_port(text: string): string {
  return text.replace(
    /^Client: \('127\.0\.0\.1', (\d+)\)$/m,
    (_, port: string) => {
      assert(Number(port) > 0 && Number(port) < 65536, `port ${port}`);
      return "Client: ('127.0.0.1', PORT)";
    },
  );
}

const GET_TS_SIZE = (await Deno.stat(`${ROOT}examples/get.ts`)).size;

Deno.test({
  name: "PostHandler.do_POST() answers the spec's curl upload line by line",
  ignore: CURL_VERSION === null,
  async fn() {
    await using server = await post_server();
    const { stdout, code } = await curl(
      "-i",
      `http://127.0.0.1:${server.port}/`,
      "-F",
      "name=alvin",
      "-F",
      "foo=bar",
      "-F",
      "datafile=@examples/get.ts",
    );
    assertEquals(code, 0);
    // The spec's Python printed the fields in set order (foo before name);
    // ours keeps the order in which they were sent.
    assertEquals(
      client_port(normalize(stdout)),
      "HTTP/1.0 200 OK\r\n" +
        `Server: ${SERVER}\r\n` +
        "Date: DATE\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "\r\n" +
        "Client: ('127.0.0.1', PORT)\n" +
        `User-agent: curl/${CURL_VERSION}\n` +
        "Path: /\n" +
        "Form data:\n" +
        "\tname=alvin\n" +
        "\tfoo=bar\n" +
        `\tUploaded datafile as 'get.ts' (${GET_TS_SIZE} bytes)\n`,
    );
    assertEquals(server.test.logs, ['"POST / HTTP/1.1" 200 -']);
    // get.ts is under the 16 KiB spool threshold: kept in memory.
    assertEquals(server.spooled, []);
  },
});

Deno.test({
  name:
    "PostHandler.do_POST() answers curl's Expect: 100-continue before the body",
  ignore: CURL_VERSION === null,
  async fn() {
    await using server = await post_server();
    const { stdout, stderr, code } = await curl(
      "-v",
      "-H",
      "Expect: 100-continue",
      `http://127.0.0.1:${server.port}/`,
      "-F",
      "name=alvin",
      "-F",
      "datafile=@examples/get.ts",
    );
    assertEquals(code, 0);
    assert(stderr.includes("> Expect: 100-continue\r\n"), stderr);
    // curl sends the body once the 100 arrives; had it given up waiting
    // (after 1 s), it would say "Done waiting for 100-continue".
    const interim = stderr.indexOf("< HTTP/1.0 100 Continue\r\n");
    const sent = stderr.indexOf("We are completely uploaded and fine");
    const final = stderr.indexOf("< HTTP/1.0 200 OK\r\n");
    assert(interim !== -1, stderr);
    assert(interim < sent && sent < final, stderr);
    assert(!stderr.includes("Done waiting for 100-continue"), stderr);
    assertEquals(
      client_port(stdout),
      "Client: ('127.0.0.1', PORT)\n" +
        `User-agent: curl/${CURL_VERSION}\n` +
        "Path: /\n" +
        "Form data:\n" +
        "\tname=alvin\n" +
        `\tUploaded datafile as 'get.ts' (${GET_TS_SIZE} bytes)\n`,
    );
  },
});

/** 40,000 bytes of every byte value, with CRLFs and dashes among them. */
function tricky_binary(): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(40_000);
  for (let i = 0; i < out.length; i++) out[i] = (i * 7919) % 256;
  const traps = ["\r\n--", "\r\n----", "--\r\n", "\r\n\r\n", "\r\n--x--\r\n"];
  traps.forEach((trap, k) => out.set(encoder.encode(trap), 5000 * (k + 1)));
  out.set(encoder.encode("\r\n--"), out.length - 4); // the last bytes, too
  return out;
}

Deno.test("PostHandler.do_POST() echoes a fetch FormData: repeated names, unicode, binary and empty files", async () => {
  await using server = await post_server();
  const body = new FormData();
  body.append("tag", "a");
  body.append("bin", new File([tricky_binary()], "data.bin"));
  body.append("tag", "b");
  body.append("unicode", new File(["héllo"], "naïve 文件.txt"));
  body.append("empty", new File([], "empty.txt"));
  body.append("note", "é ü");
  const response = await fetch(`http://127.0.0.1:${server.port}/upload?x=1`, {
    method: "POST",
    body,
  });
  assertEquals(response.status, 200);
  assertEquals(
    client_port(await response.text()),
    "Client: ('127.0.0.1', PORT)\n" +
      `User-agent: Deno/${Deno.version.deno}\n` +
      "Path: /upload?x=1\n" +
      "Form data:\n" +
      // One line per value, under the name's first appearance.
      "\ttag=a\n" +
      "\ttag=b\n" +
      "\tUploaded bin as 'data.bin' (40000 bytes)\n" +
      "\tUploaded unicode as 'naïve 文件.txt' (6 bytes)\n" +
      "\tUploaded empty as 'empty.txt' (0 bytes)\n" +
      "\tnote=é ü\n",
  );
  assertEquals(server.spooled.length, 1, "the binary file was spooled");
  assertEquals(await list(server.dir), []);
});

Deno.test("PostHandler.do_POST() echoes a urlencoded form and prints None for a missing User-Agent", async () => {
  await using server = await post_server();
  await using client = await RawClient.connect(server.port);
  const body = "a=1&b=x%20y+z&a=2";
  await client.write(
    `POST /form HTTP/1.1${CRLF}Host: x${CRLF}` +
      `Content-Type: application/x-www-form-urlencoded${CRLF}` +
      `Content-Length: ${body.length}${CRLF}${CRLF}${body}`,
  );
  assert(await client.read_to_eof(), "the server closes the connection");
  const text = client_port(normalize(client.text));
  assertEquals(
    text.slice(text.indexOf("\r\n\r\n") + 4),
    "Client: ('127.0.0.1', PORT)\n" +
      // As Python's script prints self.headers['user-agent'] when absent.
      "User-agent: None\n" +
      "Path: /form\n" +
      "Form data:\n" +
      "\ta=1\n" +
      "\ta=2\n" +
      "\tb=x y z\n",
  );
});

Deno.test("PostHandler.do_POST() shows a text field over max_echo_bytes as its size, not its value", async () => {
  await using server = await post_server();
  const body = new FormData();
  body.append("fits", "a".repeat(64 * 1024));
  body.append("long", "b".repeat(64 * 1024 + 1));
  const response = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    body,
  });
  const text = await response.text();
  assertEquals(
    text.slice(text.indexOf("Form data:\n")),
    "Form data:\n" +
      `\tfits=${"a".repeat(64 * 1024)}\n` +
      "\tlong=<65537 bytes, not shown>\n",
  );
  assertEquals(server.spooled.length, 2);
  assertEquals(await list(server.dir), []);
});

/** A multipart body with boundary B, from raw parts (headers, then body). */
function multipart(parts: [string, string | Uint8Array][]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const [headers, body] of parts) {
    chunks.push(encoder.encode(`--B${CRLF}${headers}${CRLF}${CRLF}`));
    chunks.push(typeof body === "string" ? encoder.encode(body) : body);
    chunks.push(encoder.encode(CRLF));
  }
  chunks.push(encoder.encode(`--B--${CRLF}`));
  return concat(chunks);
}

/** A 40,000-byte file part: over the spool threshold, so spooled. */
const BIG_FILE: [string, Uint8Array] = [
  'Content-Disposition: form-data; name="big"; filename="big.bin"',
  new Uint8Array(40_000).fill(0x61),
];

/**
 * A 400,000-byte file part: larger than the parser's read-ahead (it buffers
 * up to 128 KiB before it scans), so a cut-off copy is spooled before the
 * end of the input is found.
 */
const HUGE_FILE: [string, Uint8Array] = [
  'Content-Disposition: form-data; name="huge"; filename="huge.bin"',
  new Uint8Array(400_000).fill(0x62),
];

function field(name: string, value: string): [string, string] {
  return [`Content-Disposition: form-data; name="${name}"`, value];
}

/** The head of a POST with this Content-Type and Content-Length. */
function post_head(
  content_type: string,
  length: number,
  extra = "",
): Uint8Array {
  return encoder.encode(
    `POST / HTTP/1.1${CRLF}Host: x${CRLF}Content-Type: ${content_type}${CRLF}` +
      `Content-Length: ${length}${CRLF}${extra}${CRLF}`,
  );
}

/** One bad form: what is sent, and the explanation of the 400. */
interface BadForm {
  what: string;
  options?: RequestOptions;
  content_type: string;
  body: Uint8Array;
  /** Content-Length, if not the body's length (the body then ends early). */
  length?: number;
  /** The error page's explanation (its message is "Bad form data"). */
  explain: string;
  /** Whether a file was spooled before the error was found. */
  spools: boolean;
}

const WITHOUT_CLOSE = multipart([field("a", "1"), BIG_FILE]).subarray(
  0,
  -`--B--${CRLF}`.length,
);

const BAD_FORMS: BadForm[] = [
  {
    what: "a multipart type without a boundary",
    content_type: "multipart/form-data",
    body: multipart([field("a", "1")]),
    explain: 'Missing boundary in content type "multipart/form-data"',
    spools: false,
  },
  {
    what: "an invalid boundary",
    content_type: 'multipart/form-data; boundary="B "',
    body: multipart([field("a", "1")]),
    explain: 'Invalid multipart boundary "B "',
    spools: false,
  },
  {
    what: "a body that ends before the final boundary",
    content_type: "multipart/form-data; boundary=B",
    body: WITHOUT_CLOSE,
    explain: 'Multipart body ended before the final boundary "--B--"',
    spools: true,
  },
  {
    what: "more fields than max_num_fields",
    options: { max_num_fields: 3 },
    content_type: "multipart/form-data; boundary=B",
    body: multipart([
      BIG_FILE,
      field("a", "1"),
      field("b", "2"),
      field("c", "3"),
    ]),
    explain: "Form has more than 3 fields",
    spools: true,
  },
  {
    what: "part headers over max_header_size",
    content_type: "multipart/form-data; boundary=B",
    body: multipart([
      BIG_FILE,
      [`X-Long: ${"h".repeat(17_000)}${CRLF}${field("a", "1")[0]}`, "1"],
    ]),
    explain: "Part headers exceed 16384 bytes",
    spools: true,
  },
  {
    what: "invalid percent-encoding under strict_parsing",
    options: { strict_parsing: true },
    content_type: "application/x-www-form-urlencoded",
    body: encoder.encode("a=1&b=%zz"),
    explain: 'Bad percent-encoding in query field "b=%zz"',
    spools: false,
  },
];

for (const bad of BAD_FORMS) {
  Deno.test(`PostHandler.do_POST() answers 400 to ${bad.what}, leaving no temporary file`, async () => {
    await using server = await post_server(bad.options);
    await using client = await RawClient.connect(server.port);
    await client.write(post_head(bad.content_type, bad.body.length));
    await client.write(bad.body);
    assert(await client.read_to_eof(), "the server closes the connection");
    assertEquals(
      normalize(client.text),
      error_response(400, "Bad form data", bad.explain),
    );
    assertEquals(server.test.logs, [
      `code 400, message Bad form data`,
      '"POST / HTTP/1.1" 400 -',
    ]);
    assertEquals(server.test.errors, []);
    assertEquals(server.spooled.length > 0, bad.spools, "spooled a file");
    assertEquals(await list(server.dir), []);
  });
}

Deno.test("PostHandler.do_POST() answers 400 to a body that ends before its Content-Length, leaving no temporary file", async () => {
  await using server = await post_server();
  const body = multipart([field("a", "1"), HUGE_FILE]);
  const sent = body.length - 100; // within the file
  await using client = await RawClient.connect(server.port);
  await client.write(
    post_head("multipart/form-data; boundary=B", body.length),
  );
  await client.write(body.subarray(0, sent));
  await client.close_write();
  assert(await client.read_to_eof(), "the server closes the connection");
  // rfile, not the form parser, finds this one: the server answers it.
  const message = `Client closed the connection after ${sent} body bytes`;
  assertEquals(
    normalize(client.text),
    error_response(400, message, "Bad request syntax or unsupported method"),
  );
  assertEquals(server.test.errors, []);
  assertEquals(server.spooled.length, 1);
  assertEquals(await list(server.dir), []);
});

Deno.test("PostHandler.do_POST() answers 400 without 100 Continue to a form without a boundary", async () => {
  await using server = await post_server();
  const body = multipart([field("a", "1")]);
  await using client = await RawClient.connect(server.port);
  await client.write(
    post_head(
      "multipart/form-data",
      body.length,
      `Expect: 100-continue${CRLF}`,
    ),
  );
  // The body is not sent: the answer comes without it.
  assert(await client.read_to_eof(), "the server closes the connection");
  assertEquals(
    normalize(client.text),
    error_response(
      400,
      "Bad form data",
      'Missing boundary in content type "multipart/form-data"',
    ),
  );
});

Deno.test("PostHandler.do_POST() survives a client that aborts mid-upload and serves the next request", async () => {
  await using server = await post_server();
  const body = multipart([field("a", "1"), HUGE_FILE, field("b", "2")]);
  const half = body.subarray(0, body.length >> 1);
  {
    await using client = await RawClient.connect(server.port);
    await client.write(
      post_head("multipart/form-data; boundary=B", body.length),
    );
    await client.write(half);
  } // closed here, halfway through the body
  // One connection at a time: this answer means the aborted one is done.
  const form = new FormData();
  form.append("next", "request");
  const response = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    body: form,
  });
  assertEquals(response.status, 200);
  assertMatch(await response.text(), /\n\tnext=request\n$/);
  assertEquals(server.test.errors, []);
  assertEquals(server.test.logs, [
    `Client closed the connection after ${half.length} body bytes`,
    "code 400, message " +
    `Client closed the connection after ${half.length} body bytes`,
    '"POST / HTTP/1.1" 400 -',
    '"POST / HTTP/1.1" 200 -',
  ]);
  assertEquals(server.spooled.length, 1, "the aborted upload was spooled");
  assertEquals(await list(server.dir), []);
});

Deno.test("PostHandler.do_POST() prints a part with an empty filename as a value, as Python's `if field_item.filename:` does", async () => {
  await using server = await post_server();
  const body = [
    "--x",
    'Content-Disposition: form-data; name="none"; filename=""',
    "Content-Type: application/octet-stream",
    "",
    "",
    "--x",
    'Content-Disposition: form-data; name="some"; filename=""',
    "",
    "a'\t\x01\\",
    "--x",
    'Content-Disposition: form-data; name="real"; filename="r.txt"',
    "",
    "abc",
    "--x--",
    "",
  ].join("\r\n");
  const response = await fetch(`http://127.0.0.1:${server.port}/`, {
    method: "POST",
    headers: { "content-type": "multipart/form-data; boundary=x" },
    body,
  });
  assertEquals(response.status, 200);
  // Python 3.12: the value of a part with a filename is bytes, printed as
  // their repr.
  assertEquals(
    (await response.text()).split("Form data:\n")[1],
    "\tnone=b''\n" +
      '\tsome=b"a\'\\t\\x01\\\\"\n' +
      "\tUploaded real as 'r.txt' (3 bytes)\n",
  );
});

Deno.test("PostHandler.do_POST() answers 413 to a body over its 64 MiB limit, before reading it", async () => {
  await using server = await post_server();
  const limit = 64 * 1024 * 1024;
  await using client = await RawClient.connect(server.port);
  // Only the head is sent: the Content-Length alone is refused.
  await client.write(post_head("multipart/form-data; boundary=B", limit + 1));
  assert(await client.read_to_eof(), "the server closes the connection");
  assertEquals(
    normalize(client.text),
    error_response(
      413,
      "Upload too large",
      `Content-Length "${limit + 1}" exceeds the limit of ${limit} bytes`,
    ),
  );
  assertEquals(await list(server.dir), []);
});

Deno.test("PostHandler.do_POST() answers 413 to a chunked body that runs past the limit, leaving no temporary file", async () => {
  await using server = await post_server({ limit: 20_000 });
  const body = multipart([field("a", "1"), HUGE_FILE]);
  await using client = await RawClient.connect(server.port);
  await client.write(encoder.encode(
    `POST / HTTP/1.1${CRLF}Host: x${CRLF}` +
      `Content-Type: multipart/form-data; boundary=B${CRLF}` +
      `Transfer-Encoding: chunked${CRLF}${CRLF}` +
      `${body.length.toString(16)}${CRLF}`,
  ));
  await client.write(body);
  await client.write(encoder.encode(`${CRLF}0${CRLF}${CRLF}`));
  assert(await client.read_to_eof(), "the server closes the connection");
  assertEquals(
    normalize(client.text),
    error_response(
      413,
      "Upload too large",
      "Body exceeds the limit of 20000 bytes",
    ),
  );
  assertEquals(await list(server.dir), []);
});

Deno.test("PostHandler.do_POST() answers 400 to multiparts nested past max_multipart_depth", async () => {
  await using server = await post_server();
  let body = "x";
  for (let i = 3000; i > 0; i--) {
    body = `--b${i}\r\nContent-Type: multipart/mixed; boundary=b${i + 1}` +
      `\r\n\r\n${body}\r\n--b${i}--\r\n`;
  }
  await using client = await RawClient.connect(server.port);
  const bytes = encoder.encode(body);
  await client.write(
    post_head("multipart/form-data; boundary=b1", bytes.length),
  );
  await client.write(bytes);
  assert(await client.read_to_eof(), "the server closes the connection");
  assertEquals(
    normalize(client.text),
    error_response(
      400,
      "Bad form data",
      'Multipart "multipart/mixed" is nested deeper than max_multipart_depth (2)',
    ),
  );
  assertEquals(server.test.errors, []);
});
