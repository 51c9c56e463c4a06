/**
 * CGIHTTPRequestHandler over real sockets: scripts in TypeScript and in
 * `#!/bin/sh`, the example `examples/cgi-bin/form.ts`, Python's
 * CGIHTTPServerTestCase cases, traversal, failures, the timeout, a client
 * that hangs up, and `--cgi` on the command line.
 */

import { CGIHTTPRequestHandler } from "../http_server.ts";
import { percent_format } from "../_common/pyformat.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "./_assert.ts";
import { RESPONSES } from "../_protocol/status.ts";
import {
  delay,
  error_page,
  exchange,
  normalize,
  RawClient,
  recorder_of,
  serve,
  spawn_server,
  type TestServer,
} from "./_helpers.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const EXAMPLES = ROOT + "examples";
const CGI_SERVER = `SimpleHTTP/0.6 Deno/${Deno.version.deno}`;
const LINUX = Deno.build.os === "linux";
const WINDOWS = Deno.build.os === "windows";

/** The head the server writes before a script's output. */
function script_head(version = "HTTP/1.0"): string {
  return `${version} 200 Script output follows\r\n` +
    `Server: ${CGI_SERVER}\r\nDate: DATE\r\n`;
}

/** send_error()'s full response, with this handler's Server header. */
function error_response(code: number, message: string, explain: string) {
  const page = error_page(code, message, explain);
  return `HTTP/1.0 ${code} ${message}\r\n` +
    `Server: ${CGI_SERVER}\r\nDate: DATE\r\n` +
    `Content-Type: text/html;charset=utf-8\r\nConnection: close\r\n` +
    `Content-Length: ${new TextEncoder().encode(page).length}\r\n\r\n` +
    page;
}

const NOT_FOUND = "Nothing matches the given URI";
const FORBIDDEN = "Request forbidden -- authorization will not help";

const HELLO_SH =
  "#!/bin/sh\nprintf 'Content-type: text/html\\n\\nHello World\\n'\n";
const HELLO = script_head() + "Content-type: text/html\n\nHello World\n";

// Scripts, by path under the served directory: [text, mode].
const SCRIPTS: Record<string, [string, number]> = {
  // Python's cgi_file1, in its three places, and outside the CGI directories.
  "cgi-bin/file1.sh": [HELLO_SH, 0o755],
  "cgi-bin/child-dir/file3.sh": [HELLO_SH, 0o755],
  "sub/dir/cgi-bin/file5.sh": [HELLO_SH, 0o755],
  "nocgi.sh": [HELLO_SH, 0o755],
  // Leaves a mark when it runs: nothing outside cgi-bin may ever run.
  "outside.sh": [
    '#!/bin/sh\n: > "$(dirname "$0")/outside-ran"\nprintf \'Content-type: text/plain\\n\\nran\\n\'\n',
    0o755,
  ],
  "cgi-bin/noexec.sh": [HELLO_SH, 0o644],
  "cgi-bin/noshell.sh": ["#!/nonexistent/interpreter\n", 0o755],
  // Python's cgi_file4 (QUERY_STRING) and cgi_file6 (the environment).
  "cgi-bin/file4.ts": [
    'console.log("Content-type: text/html\\n\\n" + Deno.env.get("QUERY_STRING"));\n',
    0o644,
  ],
  "cgi-bin/env.ts": [
    'console.log("Content-Type: application/json\\n\\n" + JSON.stringify(Deno.env.toObject()));\n',
    0o644,
  ],
  "cgi-bin/args.sh": [
    '#!/bin/sh\nprintf \'Content-Type: text/plain\\n\\n%s:%s\\n\' "$#" "$1"\n',
    0o755,
  ],
  // Reads stdin to its end: the body must end at Content-Length.
  "cgi-bin/stdin.ts": [
    `const body = new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
const hex = [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
console.log(\`Content-Type: text/plain\\n\\n\${body.length} \${hex}\`);
`,
    0o644,
  ],
  "cgi-bin/fail.ts": [
    'console.log("Content-Type: text/plain\\n\\npartial");\nconsole.error("something failed");\nDeno.exit(3);\n',
    0o644,
  ],
  "cgi-bin/crash.ts": [
    'console.log("Content-Type: text/plain\\n");\nthrow new Error("boom");\n',
    0o644,
  ],
  // Writes its pid to PATH_TRANSLATED and never ends.
  "cgi-bin/hang.ts": [
    'await Deno.writeTextFile(Deno.env.get("PATH_TRANSLATED")!, String(Deno.pid));\nsetInterval(() => {}, 1000);\n',
    0o644,
  ],
  // Starts a process of its own, writes both pids, and waits for it.
  "cgi-bin/hang.sh": [
    `#!/bin/sh
sleep 60 &
printf '%s %s' $$ $! > "$PATH_TRANSLATED.tmp"
mv "$PATH_TRANSLATED.tmp" "$PATH_TRANSLATED"
printf 'Content-Type: text/plain\\n\\nwaiting\\n'
wait
`,
    0o755,
  ],
};

interface Fixture extends AsyncDisposable {
  dir: string;
}

/** A served directory holding SCRIPTS. */
async function fixture(): Promise<Fixture> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "cgi_handler_test_" }),
  );
  for (const [name, [text, mode]] of Object.entries(SCRIPTS)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
    if (!WINDOWS) await Deno.chmod(path, mode);
  }
  return {
    dir,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

interface CGIOptions {
  cgi_timeout?: number;
  cgi_directories?: string[];
  Base?: typeof CGIHTTPRequestHandler;
}

/** A server whose CGI handler serves `dir` and logs into its recorder. */
function cgi_serve(dir: string, options: CGIOptions = {}): TestServer {
  const Base = options.Base ?? CGIHTTPRequestHandler;
  class Handler extends Base {
    override directory = dir;
    override cgi_timeout = options.cgi_timeout ?? 20;
    override cgi_directories = options.cgi_directories ??
      ["/cgi-bin", "/htbin"];
    override log_message(format: string, ...args: unknown[]): void {
      recorder_of(this.server).logs.push(percent_format(format, args));
    }
  }
  return serve(Handler);
}

/** One HTTP/1.0 request; the response with Date normalized. */
async function request(
  srv: TestServer,
  target: string,
  headers = "",
  method = "GET",
): Promise<string> {
  // `headers` may end with "\r\n\r\n" and a body.
  const end = headers.includes("\r\n\r\n") ? "" : "\r\n";
  const res = await exchange(
    srv,
    `${method} ${target} HTTP/1.0\r\n${headers}${end}`,
  );
  assert(res.closed, `no end of response to ${target}`);
  return normalize(res.text);
}

/** The body of a response. */
function body_of(response: string): string {
  return response.slice(response.indexOf("\r\n\r\n") + 4);
}

/** The environment env.ts saw. */
async function env_of(
  srv: TestServer,
  target: string,
  headers = "",
): Promise<Record<string, string>> {
  const response = await request(srv, target, headers);
  const head = script_head() + "Content-Type: application/json\n\n";
  assertEquals(response.slice(0, head.length), head);
  return JSON.parse(response.slice(head.length));
}

/** Waits for a file a script writes; its text. */
async function wait_for_file(path: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    try {
      const text = await Deno.readTextFile(path);
      if (text) return text;
    } catch {
      // Not yet.
    }
    await delay(25);
  }
  throw new Error(`${path} never appeared`);
}

/**
 * Whether a process runs, by `ps` (reading /proc needs --allow-all); a
 * zombie has exited, only its reaping is left.
 */
async function running(pid: number): Promise<boolean> {
  const out = await new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  const stat = new TextDecoder().decode(out.stdout).trim();
  return out.success && stat !== "" && !stat.startsWith("Z");
}

/** Waits up to 5 s for a process to end; whether it did. */
async function ends(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!(await running(pid))) return true;
    await delay(50);
  }
  return false;
}

Deno.test("CGIHTTPRequestHandler.run_cgi() sends Python's status line, then the script's headers and body", async () => {
  // test_headers_and_content, test_nested_cgi_path_issue21323
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  assertEquals(await request(srv, "/cgi-bin/file1.sh"), HELLO);
  assertEquals(await request(srv, "/cgi-bin/child-dir/file3.sh"), HELLO);
  // test_no_leading_slash (Python issue 2254)
  assertEquals(await request(srv, "cgi-bin/file1.sh"), HELLO);
  // HEAD runs the script too, and its output is sent, as in Python.
  assertEquals(await request(srv, "/cgi-bin/file1.sh", "", "HEAD"), HELLO);
  assertEquals(srv.logs, [
    '"GET /cgi-bin/file1.sh HTTP/1.0" 200 -',
    '"GET /cgi-bin/child-dir/file3.sh HTTP/1.0" 200 -',
    '"GET cgi-bin/file1.sh HTTP/1.0" 200 -',
    '"HEAD /cgi-bin/file1.sh HTTP/1.0" 200 -',
  ]);
});

Deno.test("CGIHTTPRequestHandler.cgi_directories adds directories, nested ones included", async () => {
  // test_cgi_path_in_sub_directories
  await using fx = await fixture();
  {
    await using srv = cgi_serve(fx.dir);
    const source = await request(srv, "/sub/dir/cgi-bin/file5.sh");
    assertMatch(source, /^HTTP\/1\.0 200 OK\r\n/);
    assertEquals(body_of(source), HELLO_SH);
  }
  await using srv = cgi_serve(fx.dir, {
    cgi_directories: ["/cgi-bin", "/htbin", "/sub/dir/cgi-bin"],
  });
  assertEquals(await request(srv, "/sub/dir/cgi-bin/file5.sh"), HELLO);
});

Deno.test("CGIHTTPRequestHandler.run_cgi() passes the query as sent", async () => {
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  const head = script_head() + "Content-type: text/html\n\n";
  // test_query_with_multiple_question_mark
  assertEquals(
    await request(srv, "/cgi-bin/file4.ts?a=b?c=d"),
    head + "a=b?c=d\n",
  );
  // test_query_with_continuous_slashes
  assertEquals(
    await request(srv, "/cgi-bin/file4.ts?k=aa%2F%2Fbb&//q//p//=//a//b//"),
    head + "k=aa%2F%2Fbb&//q//p//=//a//b//\n",
  );
  // A query that climbs is still only a query.
  assertEquals(
    await request(srv, "/cgi-bin/file4.ts?/../../outside.sh"),
    head + "/../../outside.sh\n",
  );
  // A query without "=" is also the script's argument, "+" decoded (ISINDEX).
  const args = script_head() + "Content-Type: text/plain\n\n";
  assertEquals(
    await request(srv, "/cgi-bin/args.sh?hello+world"),
    args + "1:hello world\n",
  );
  assertEquals(await request(srv, "/cgi-bin/args.sh?a=b"), args + "0:\n");
});

Deno.test("CGIHTTPRequestHandler.run_cgi() gives the script the CGI variables, PATH and TMPDIR, and nothing of the server's environment", async () => {
  // test_os_environ_is_not_altered, and our difference from Python: the
  // server's environment is not copied.
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  Deno.env.set("SERVER_SOFTWARE", "Test CGI Server");
  Deno.env.set("CGI_TEST_SECRET", "must not leak");
  let env: Record<string, string>;
  try {
    env = await env_of(
      srv,
      "/cgi-bin/env.ts/a%20b/c?x=1&y",
      "Host: example.test\r\nUser-Agent: ua/1\r\nCookie: a=1\r\nCookie: b=2\r\n" +
        "Referer: http://r.test/\r\nX-Custom: 1\r\nx-custom: 2\r\nX_Under: no\r\n",
    );
    assertEquals(Deno.env.get("SERVER_SOFTWARE"), "Test CGI Server");
  } finally {
    Deno.env.delete("SERVER_SOFTWARE");
    Deno.env.delete("CGI_TEST_SECRET");
  }
  const expected: Record<string, string> = {
    SERVER_SOFTWARE: CGI_SERVER,
    SERVER_NAME: srv.server.server_name,
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_PROTOCOL: "HTTP/1.0",
    SERVER_PORT: String(srv.port),
    REQUEST_METHOD: "GET",
    PATH_INFO: "/a b/c",
    PATH_TRANSLATED: `${fx.dir}/a b/c`,
    SCRIPT_NAME: "/cgi-bin/env.ts",
    SCRIPT_FILENAME: `${fx.dir}/cgi-bin/env.ts`,
    QUERY_STRING: "x=1&y",
    REMOTE_ADDR: "127.0.0.1",
    REMOTE_HOST: "",
    CONTENT_TYPE: "text/plain",
    CONTENT_LENGTH: "",
    HTTP_ACCEPT: "",
    HTTP_USER_AGENT: "ua/1",
    HTTP_COOKIE: "a=1, b=2",
    HTTP_REFERER: "http://r.test/",
    HTTP_HOST: "example.test",
    HTTP_X_CUSTOM: "1, 2",
    TMPDIR: Deno.env.get("TMPDIR") ?? "/tmp",
  };
  const path = Deno.env.get("PATH");
  if (path !== undefined) expected.PATH = path;
  assertEquals(env, expected);
});

Deno.test("CGIHTTPRequestHandler.run_cgi() decodes PATH_INFO once (Python decodes it twice)", async () => {
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  const env = await env_of(srv, "/cgi-bin/env.ts/100%2541");
  assertEquals(env.PATH_INFO, "/100%41");
  assertEquals(env.PATH_TRANSLATED, `${fx.dir}/100%41`);
  assertEquals(env.SCRIPT_NAME, "/cgi-bin/env.ts");
});

Deno.test("CGIHTTPRequestHandler.run_cgi() sets HTTP_ACCEPT, AUTH_TYPE and REMOTE_USER as Python, never HTTP_PROXY or HTTP_AUTHORIZATION", async () => {
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  // test_accept
  const browser =
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
  assertEquals(
    (await env_of(srv, "/cgi-bin/env.ts", `Accept: ${browser}\r\n`))
      .HTTP_ACCEPT,
    browser,
  );
  assertEquals((await env_of(srv, "/cgi-bin/env.ts")).HTTP_ACCEPT, "");
  assertEquals(
    (await env_of(
      srv,
      "/cgi-bin/env.ts",
      "Accept: text/html\r\nACCEPT: text/plain\r\n",
    )).HTTP_ACCEPT,
    "text/html,text/plain",
  );
  // test_authorization
  const env = await env_of(
    srv,
    "/cgi-bin/env.ts",
    `Authorization: Basic ${btoa("username:pass")}\r\n` +
      "Proxy: http://evil.test:8080/\r\nProxy-Authorization: Basic eDp5\r\n",
  );
  assertEquals(env.AUTH_TYPE, "Basic");
  assertEquals(env.REMOTE_USER, "username");
  // httpoxy (CVE-2016-5385): a Proxy header must never become HTTP_PROXY.
  const leaked = Object.keys(env).filter((k) => /PROXY|AUTHORIZATION/.test(k));
  assertEquals(leaked, []);
  const bearer = await env_of(
    srv,
    "/cgi-bin/env.ts",
    "Authorization: Bearer abc\r\n",
  );
  assertEquals([bearer.AUTH_TYPE, bearer.REMOTE_USER], ["Bearer", undefined]);
  // And test_authorization's own check: the script still runs.
  assertEquals(
    await request(
      srv,
      "/cgi-bin/file1.sh",
      `Authorization: Basic ${btoa("username:pass")}\r\n`,
    ),
    HELLO,
  );
});

Deno.test("CGIHTTPRequestHandler.run_cgi() runs examples/cgi-bin/form.ts: a GET query through FieldStorage", async () => {
  await using srv = cgi_serve(EXAMPLES);
  const page = "Method: GET\nScript: /cgi-bin/form.ts\n" +
    "Query: name=Ada&lang=ts&lang=js\nForm data:\n" +
    "\tname=Ada\n\tlang=ts\n\tlang=js\n";
  assertEquals(
    await request(srv, "/cgi-bin/form.ts?name=Ada&lang=ts&lang=js"),
    script_head() + "Content-Type: text/plain; charset=utf-8\r\n" +
      `Content-Length: ${page.length}\r\n\r\n` + page,
  );
  assertEquals(srv.logs, [
    '"GET /cgi-bin/form.ts?name=Ada&lang=ts&lang=js HTTP/1.0" 200 -',
  ]);
});

/** Deterministic bytes with every value, CR LF and boundary look-alikes. */
function upload_bytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  // Near misses of the delimiter "\r\n--BOUNDARY".
  const trap = new TextEncoder().encode("\r\n--BOUNDARX\r\n--BOUNDAR");
  out.set(trap, 1000);
  out.set(trap, n - trap.length);
  return out;
}

Deno.test("CGIHTTPRequestHandler.run_cgi() runs examples/cgi-bin/form.ts: a multipart upload through stdin with the exact byte count", async () => {
  await using srv = cgi_serve(EXAMPLES);
  const data = upload_bytes(100_003);
  const enc = new TextEncoder();
  const body = new Blob([
    "--BOUNDARY\r\n",
    'Content-Disposition: form-data; name="name"\r\n\r\nAda Lovelace\r\n',
    "--BOUNDARY\r\n",
    'Content-Disposition: form-data; name="datafile"; filename="data.bin"\r\n',
    "Content-Type: application/octet-stream\r\n\r\n",
    data,
    "\r\n--BOUNDARY--\r\n",
  ]);
  const bytes = new Uint8Array(await body.arrayBuffer());
  const head = "POST /cgi-bin/form.ts?via=query HTTP/1.0\r\n" +
    "Content-Type: multipart/form-data; boundary=BOUNDARY\r\n" +
    `Content-Length: ${bytes.length}\r\n\r\n`;
  const res = await exchange(srv, [enc.encode(head), bytes], {
    timeout_ms: 10_000,
  });
  assert(res.closed);
  const page = "Method: POST\nScript: /cgi-bin/form.ts\nQuery: via=query\n" +
    "Form data:\n\tvia=query\n\tname=Ada Lovelace\n" +
    "\tUploaded datafile as 'data.bin' (100003 bytes, application/octet-stream)\n";
  assertEquals(
    normalize(res.text),
    script_head() + "Content-Type: text/plain; charset=utf-8\r\n" +
      `Content-Length: ${page.length}\r\n\r\n` + page,
  );
});

Deno.test("CGIHTTPRequestHandler.run_cgi() runs examples/cgi-bin/form.ts: an urlencoded POST", async () => {
  // test_post
  await using srv = cgi_serve(EXAMPLES);
  const form = "spam=1&eggs=python&bacon=123456";
  const page = "Method: POST\nScript: /cgi-bin/form.ts\nQuery: \nForm data:\n" +
    "\tspam=1\n\teggs=python\n\tbacon=123456\n";
  assertEquals(
    await request(
      srv,
      "/cgi-bin/form.ts",
      "Content-Type: application/x-www-form-urlencoded\r\n" +
        `Content-Length: ${form.length}\r\n\r\n${form}`,
      "POST",
    ),
    script_head() + "Content-Type: text/plain; charset=utf-8\r\n" +
      `Content-Length: ${page.length}\r\n\r\n` + page,
  );
});

Deno.test("CGIHTTPRequestHandler.run_cgi() streams the body to stdin and ends it at Content-Length", async () => {
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  const digest = async (b: Uint8Array<ArrayBuffer>) =>
    [...new Uint8Array(await crypto.subtle.digest("SHA-256", b))]
      .map((x) => x.toString(16).padStart(2, "0")).join("");
  const head = script_head() + "Content-Type: text/plain\n\n";
  // A pipelined request after the body is not part of the script's input.
  const res = await exchange(
    srv,
    "POST /cgi-bin/stdin.ts HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello" +
      "GET /cgi-bin/file1.sh HTTP/1.0\r\n\r\n",
  );
  assertEquals(
    normalize(res.text),
    head + `5 ${await digest(new TextEncoder().encode("hello"))}\n`,
  );
  // 4 MiB, more than any pipe holds: it streams.
  const big = upload_bytes(4 << 20);
  const big_res = await exchange(srv, [
    `POST /cgi-bin/stdin.ts HTTP/1.0\r\nContent-Length: ${big.length}\r\n\r\n`,
    big,
  ], { timeout_ms: 10_000 });
  assertEquals(
    normalize(big_res.text),
    head + `${big.length} ${await digest(big)}\n`,
  );
});

Deno.test("CGIHTTPRequestHandler.run_cgi() ends the response when the script ends, even if the client never sends the rest of its body", async () => {
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  await using client = await RawClient.connect(srv);
  await client.write(
    "POST /cgi-bin/file1.sh HTTP/1.0\r\nContent-Length: 100\r\n\r\n0123456789",
  );
  assert(await client.read_to_eof(5000), "the response never ended");
  assertEquals(normalize(client.text), HELLO);
});

Deno.test("CGIHTTPRequestHandler.run_cgi() answers 404, 403, 411, 500 and 501 as Python", async () => {
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  // test_invaliduri
  assertEquals(
    await request(srv, "/cgi-bin/invalid"),
    error_response(404, "No such CGI script ('/cgi-bin/invalid')", NOT_FOUND),
  );
  // test_issue19435
  assertEquals(
    await request(srv, "///////////nocgi.sh/../cgi-bin/nothere.sh"),
    error_response(
      404,
      "No such CGI script ('/cgi-bin/nothere.sh')",
      NOT_FOUND,
    ),
  );
  assertEquals(
    await request(srv, "/cgi-bin/child-dir"),
    error_response(
      403,
      "CGI script is not a plain file ('/cgi-bin/child-dir')",
      FORBIDDEN,
    ),
  );
  assertEquals(
    await request(srv, "/cgi-bin/"),
    error_response(
      403,
      "CGI script is not a plain file ('/cgi-bin/')",
      FORBIDDEN,
    ),
  );
  assertEquals(
    await request(srv, "/cgi-bin/noexec.sh"),
    error_response(
      403,
      "CGI script is not executable ('/cgi-bin/noexec.sh')",
      FORBIDDEN,
    ),
  );
  assertEquals(
    await request(srv, "/nocgi.sh", "Content-Length: 0\r\n", "POST"),
    error_response(
      501,
      "Can only POST to CGI scripts",
      "Server does not support this operation",
    ),
  );
  assertEquals(
    normalize(
      (await exchange(
        srv,
        "POST /cgi-bin/file1.sh HTTP/1.1\r\nHost: h\r\n" +
          "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      )).text,
    ),
    error_response(
      411,
      "CGI scripts need a Content-Length",
      "Client must specify Content-Length",
    ),
  );
  assertEquals(
    await request(srv, "/cgi-bin/noshell.sh"),
    error_response(
      500,
      "CGI script could not start",
      "Server got itself in trouble",
    ),
  );
  // The directory itself still gets its slash, as in Python.
  assertMatch(
    await request(srv, "/cgi-bin"),
    /^HTTP\/1\.0 301 Moved Permanently\r\n(.*\r\n)*Location: \/cgi-bin\/\r\n/,
  );
});

Deno.test("CGIHTTPRequestHandler.is_cgi() normalises the path: nothing outside the CGI directories runs, no script's source is served", async () => {
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  const outside = SCRIPTS["outside.sh"]![0];
  const cases: [string, string][] = [
    // Runs the script: these all name /cgi-bin/file1.sh.
    ["//cgi-bin//file1.sh", HELLO],
    ["/cgi-bin/./file1.sh", HELLO],
    ["/nocgi.sh/../cgi-bin/file1.sh", HELLO],
    ["/%63gi-bin/file1.sh", HELLO],
    ["/../cgi-bin/file1.sh", HELLO],
    ["/%2e%2e/cgi-bin/file1.sh", HELLO],
    ["/cgi-bin/file1.sh#/../..", HELLO],
    ["http://example.test/cgi-bin/file1.sh", HELLO],
    // Climbs out of cgi-bin: served as a file, never run.
    ["/cgi-bin/../outside.sh", "source"],
    ["/cgi-bin/%2e%2e/outside.sh", "source"],
    ["/cgi-bin/%2E%2E/%2E%2E/outside.sh", "source"],
    ["/cgi-bin/file1.sh/../../outside.sh", "source"],
    // Encoded twice: the name "%2e%2e", not "..".
    [
      "/cgi-bin/%252e%252e/outside.sh",
      error_response(
        404,
        "No such CGI script ('/cgi-bin/%2e%2e')",
        NOT_FOUND,
      ),
    ],
    // Encoded slashes and backslashes: refused (test_urlquote_decoding_in_cgi_check
    // runs /cgi-bin%2ffile1.py in Python).
    ["/cgi-bin%2ffile1.sh", error_response(404, "File not found", NOT_FOUND)],
    [
      "/cgi-bin%2f..%2foutside.sh",
      error_response(404, "File not found", NOT_FOUND),
    ],
    [
      "/cgi-bin/..%5coutside.sh",
      error_response(404, "File not found", NOT_FOUND),
    ],
    [
      "/cgi-bin\\file1.sh",
      error_response(404, "File not found", NOT_FOUND),
    ],
    [
      "/cgi-bin/file1.sh%00",
      error_response(404, "File not found", NOT_FOUND),
    ],
  ];
  for (const [target, expected] of cases) {
    const response = await request(srv, target);
    if (expected === "source") {
      assertMatch(response, /^HTTP\/1\.0 200 OK\r\n/, target);
      assertEquals(body_of(response), outside, target);
    } else {
      assertEquals(response, expected, target);
    }
  }
  let ran = true;
  try {
    await Deno.stat(`${fx.dir}/outside-ran`);
  } catch {
    ran = false;
  }
  assertEquals(ran, false, "a script outside cgi-bin ran");
});

Deno.test("CGIHTTPRequestHandler.send_head() never serves a file under a CGI directory, even when an overridden is_cgi() says no", async () => {
  await using fx = await fixture();
  class OnlyTypeScript extends CGIHTTPRequestHandler {
    override is_cgi(): boolean {
      return super.is_cgi() && this.cgi_info[1].split("?")[0]!.endsWith(".ts");
    }
  }
  await using srv = cgi_serve(fx.dir, { Base: OnlyTypeScript });
  assertEquals(
    await request(srv, "/cgi-bin/file1.sh"),
    error_response(404, "File not found", NOT_FOUND),
  );
  assertEquals(
    await request(srv, "/cgi-bin/child-dir/"),
    error_response(404, "File not found", NOT_FOUND),
  );
  assertMatch(await request(srv, "/cgi-bin"), /^HTTP\/1\.0 301 /);
  const source = await request(srv, "/nocgi.sh");
  assertMatch(source, /^HTTP\/1\.0 200 OK\r\n/);
  assertEquals(body_of(source), HELLO_SH);
});

Deno.test("CGIHTTPRequestHandler.run_cgi() logs a script that exits non-zero or crashes, with its stderr, and keeps serving", async () => {
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  assertEquals(
    await request(srv, "/cgi-bin/fail.ts"),
    script_head() + "Content-Type: text/plain\n\npartial\n",
  );
  assertEquals(srv.logs, [
    '"GET /cgi-bin/fail.ts HTTP/1.0" 200 -',
    "CGI script stderr: something failed",
    "CGI script exit status 3",
  ]);
  srv.logs.length = 0;
  assertEquals(
    await request(srv, "/cgi-bin/crash.ts"),
    script_head() + "Content-Type: text/plain\n\n",
  );
  assertEquals(srv.logs[0], '"GET /cgi-bin/crash.ts HTTP/1.0" 200 -');
  assertEquals(srv.logs.at(-1), "CGI script exit status 1");
  assert(
    srv.logs.some((l) => /^CGI script stderr: .*Error: boom/.test(l)),
    srv.logs.join("\n"),
  );
  assertEquals(await request(srv, "/cgi-bin/file1.sh"), HELLO);
  assertEquals(srv.errors, []);
});

Deno.test({
  name:
    "CGIHTTPRequestHandler.cgi_timeout kills a script that runs too long, and what it started, closes the connection, and the server keeps serving",
  ignore: !LINUX,
  async fn() {
    await using fx = await fixture();
    await using srv = cgi_serve(fx.dir, { cgi_timeout: 1 });
    await using client = await RawClient.connect(srv);
    await client.write("GET /cgi-bin/hang.sh/pids HTTP/1.0\r\n\r\n");
    const pids = (await wait_for_file(`${fx.dir}/pids`)).split(" ").map(
      Number,
    );
    assertEquals(pids.length, 2);
    for (const pid of pids) assert(await running(pid), `${pid} not running`);
    assert(await client.read_to_eof(8000), "the connection stayed open");
    assertEquals(
      normalize(client.text),
      script_head() + "Content-Type: text/plain\n\nwaiting\n",
    );
    for (const pid of pids) assert(await ends(pid), `${pid} still runs`);
    assertEquals(srv.logs, [
      '"GET /cgi-bin/hang.sh/pids HTTP/1.0" 200 -',
      "CGI script killed: timed out",
    ]);
    assertEquals(await request(srv, "/cgi-bin/file1.sh"), HELLO);
  },
});

Deno.test({
  name:
    "CGIHTTPRequestHandler.run_cgi() kills the script when its client disconnects",
  ignore: !LINUX,
  async fn() {
    await using fx = await fixture();
    await using srv = cgi_serve(fx.dir, { cgi_timeout: 20 });
    const client = await RawClient.connect(srv);
    await client.write("GET /cgi-bin/hang.ts/pid HTTP/1.0\r\n\r\n");
    const pid = Number(await wait_for_file(`${fx.dir}/pid`));
    assert(await running(pid), `${pid} not running`);
    await client.close();
    assert(await ends(pid), `${pid} still runs after its client left`);
    for (let i = 0; i < 100 && srv.logs.length < 2; i++) await delay(20);
    assertEquals(srv.logs, [
      '"GET /cgi-bin/hang.ts/pid HTTP/1.0" 200 -',
      "CGI script killed: client disconnected",
    ]);
    assertEquals(await request(srv, "/cgi-bin/file1.sh"), HELLO);
  },
});

Deno.test("CGIHTTPRequestHandler.run_cgi() does not kill a script whose client closes after reading all of a response with a length", async () => {
  await using srv = cgi_serve(EXAMPLES);
  const res = await fetch(
    `http://127.0.0.1:${srv.port}/cgi-bin/form.ts?a=1`,
  );
  assertEquals(res.status, 200);
  assertStringIncludes(await res.text(), "\ta=1\n");
  for (let i = 0; i < 50; i++) await delay(20);
  assertEquals(srv.logs, ['"GET /cgi-bin/form.ts?a=1 HTTP/1.1" 200 -']);
});

Deno.test("CGIHTTPRequestHandler under --cgi: deno run http_server.ts --cgi -d DIR PORT runs scripts", async () => {
  await using fx = await fixture();
  const cli = await spawn_server([
    "run",
    "--allow-net",
    "--allow-read",
    "--allow-env",
    "--allow-run",
    ROOT + "http_server.ts",
    "--cgi",
    "-d",
    fx.dir,
    "0",
  ]);
  try {
    const port = cli.port;
    assert(port > 0, cli.banner);
    const res = await exchange(
      port,
      "GET /cgi-bin/file4.ts?from=cli HTTP/1.0\r\n\r\n",
    );
    assertEquals(
      normalize(res.text),
      // The command line serves HTTP/1.1 by default.
      script_head("HTTP/1.1") + "Content-type: text/html\n\nfrom=cli\n",
    );
  } finally {
    await cli[Symbol.asyncDispose]();
  }
  assertMatch(
    await cli.stderr,
    /"GET \/cgi-bin\/file4\.ts\?from=cli HTTP\/1\.0" 200 -\n/,
  );
});

Deno.test({
  name:
    "CGIHTTPRequestHandler under deno task serve --cgi asks for run permission, and without a terminal says how to grant it",
  async fn() {
    await using fx = await fixture();
    // The serve task grants no --allow-run (a static server never needs it):
    // --cgi requests it, which prompts in a terminal and is refused here.
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "serve", "--cgi", "-b", "127.0.0.1", "-d", fx.dir, "0"],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assertEquals(out.code, 1);
    assertEquals(new TextDecoder().decode(out.stdout), "");
    const lines = new TextDecoder().decode(out.stderr).trim().split("\n")
      .filter((l) => !l.startsWith("Task "));
    assertEquals(lines, [
      "http_server.ts: error: --cgi needs permission to run scripts: deno run --allow-net --allow-read --allow-env --allow-run http_server.ts --cgi",
    ]);
  },
});

Deno.test({
  name:
    "CGIHTTPRequestHandler.run_cgi() runs no program through a symlink that leads out of its CGI directory (issue 16 item 2)",
  ignore: WINDOWS,
  async fn() {
    await using fx = await fixture();
    const outside = await Deno.realPath(
      await Deno.makeTempDir({ prefix: "cgi_outside_" }),
    );
    try {
      const mark = `${outside}/mark.sh`;
      await Deno.writeTextFile(
        mark,
        '#!/bin/sh\n: > "$(dirname "$0")/ran"\nprintf \'Content-type: text/plain\\n\\nran\\n\'\n',
      );
      await Deno.chmod(mark, 0o755);
      await Deno.symlink(mark, `${fx.dir}/cgi-bin/link.sh`);
      await Deno.symlink(outside, `${fx.dir}/cgi-bin/outdir`);
      await Deno.symlink("/usr/bin/env", `${fx.dir}/cgi-bin/env`);
      // Inside the tree but outside cgi-bin: the static side serves it.
      await Deno.symlink(`${fx.dir}/outside.sh`, `${fx.dir}/cgi-bin/up.sh`);
      // A link that stays inside cgi-bin still runs.
      await Deno.symlink("file1.sh", `${fx.dir}/cgi-bin/alias.sh`);
      await using srv = cgi_serve(fx.dir);
      for (const script of ["link.sh", "outdir/mark.sh", "env", "up.sh"]) {
        assertEquals(
          await request(srv, `/cgi-bin/${script}?${mark}`),
          error_response(
            404,
            `No such CGI script ('/cgi-bin/${script}')`,
            NOT_FOUND,
          ),
          script,
        );
      }
      assertEquals(await request(srv, "/cgi-bin/alias.sh"), HELLO);
      await assertRejects(() => Deno.stat(`${outside}/ran`));
      await assertRejects(() => Deno.stat(`${fx.dir}/outside-ran`));
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "CGIHTTPRequestHandler.send_head() serves no script's source and lists no CGI directory through a symlinked directory (issue 16 item 3)",
  ignore: WINDOWS,
  async fn() {
    await using fx = await fixture();
    await Deno.symlink("cgi-bin", `${fx.dir}/scripts`);
    await Deno.symlink("cgi-bin/file1.sh", `${fx.dir}/file-link.sh`);
    await using srv = cgi_serve(fx.dir);
    for (const target of ["/scripts/file1.sh", "/scripts/", "/file-link.sh"]) {
      assertEquals(
        await request(srv, target),
        error_response(404, "File not found", NOT_FOUND),
        target,
      );
    }
    // The directory without its slash is redirected, as any directory is.
    assertMatch(await request(srv, "/scripts"), /^HTTP\/1\.0 301 /);
    const source = await request(srv, "/nocgi.sh");
    assertEquals(body_of(source), HELLO_SH);
  },
});

Deno.test("CGIHTTPRequestHandler.run_cgi() sets CONTENT_LENGTH to the framed length (issue 16 item 11)", async () => {
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  const response = await request(
    srv,
    "/cgi-bin/env.ts",
    "Content-Length: 5, 5\r\n\r\nhello",
    "POST",
  );
  const head = script_head() + "Content-Type: application/json\n\n";
  assertEquals(response.slice(0, head.length), head);
  assertEquals(JSON.parse(response.slice(head.length)).CONTENT_LENGTH, "5");
});

Deno.test("CGIHTTPRequestHandler.run_cgi() answers 431 or 414, not a failed exec, when the environment exceeds the kernel's limits (issue 16 item 11)", async () => {
  await using fx = await fixture();
  await using srv = cgi_serve(fx.dir);
  // Three cookie lines under the 64 KiB line limit join into one variable
  // over Linux's 128 KiB limit for a single environment string.
  const cookie = `Cookie: c=${"x".repeat(60_000)}\r\n`;
  assertEquals(
    await request(srv, "/cgi-bin/env.ts", cookie.repeat(3)),
    error_response(
      431,
      "Request headers too large for a CGI script",
      RESPONSES[431]![1],
    ),
  );
  assertEquals(
    await request(srv, `/cgi-bin/args.sh?${"y".repeat(60_000)}`),
    script_head() + `Content-Type: text/plain\n\n1:${"y".repeat(60_000)}\n`,
  );
  // Still serving.
  assertEquals(await request(srv, "/cgi-bin/file1.sh"), HELLO);
  // A query past the kernel's limit needs a longer request line than the
  // default allows.
  class LongLines extends CGIHTTPRequestHandler {
    override max_request_line = 300_000;
  }
  await using long = cgi_serve(fx.dir, { Base: LongLines });
  assertEquals(
    await request(long, `/cgi-bin/args.sh?${"y".repeat(150_000)}`),
    error_response(
      414,
      "Request-URI too long for a CGI script",
      RESPONSES[414]![1],
    ),
  );
});
