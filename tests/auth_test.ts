/**
 * HTTP Basic authentication of the static handler over real sockets: the
 * 401 challenge for every path and method before anything about the tree,
 * users in clear and as sha256 digests, --auth-upload-only, an authorize()
 * override, the user in the log line, and the CLI's start warnings.
 */

import { SimpleHTTPRequestHandler } from "../http_server.ts";
import { percent_format } from "../_common/pyformat.ts";
import {
  check_basic,
  parse_basic,
  parse_credential,
  sha256,
} from "../_static/auth.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./_assert.ts";
import { normalize, RawClient, recorder_of, serve } from "./_helpers.ts";
import { spawn_server } from "./_subprocess.ts";

const SECRET_DIGEST = Array.from(
  sha256("s3cret"),
  (b) => b.toString(16).padStart(2, "0"),
).join("");
const USERS = ["alice:open sesame", `bob:sha256:${SECRET_DIGEST}`];
const basic = (pair: string) =>
  "Basic " + btoa(String.fromCharCode(...new TextEncoder().encode(pair)));

function handler_for(dir: string, upload_only = false) {
  return class extends SimpleHTTPRequestHandler {
    override directory = dir;
    override upload = true;
    override auth = USERS;
    override auth_upload_only = upload_only;
    override auth_realm = "test files";
    override log_message(format: string, ...args: unknown[]): void {
      recorder_of(this.server).logs.push(
        `${this.auth_user ?? "-"} ${percent_format(format, args)}`,
      );
    }
  };
}

async function tree(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "auth_" });
  Deno.writeTextFileSync(`${dir}/a.txt`, "A");
  Deno.mkdirSync(`${dir}/sub`);
  return dir;
}

Deno.test("parse_credential(), parse_basic() and check_basic() follow RFC 7617", () => {
  assertEquals(parse_credential("alice:a:b").user, "alice");
  assertEquals(parse_credential("alice:a:b").password_digest, sha256("a:b"));
  assertThrows(() => parse_credential("alice"), TypeError);
  assertThrows(() => parse_credential(":pw"), TypeError);
  assertThrows(() => parse_credential("al\nice:pw"), TypeError);
  assertEquals(parse_basic("basic   " + btoa("u:p")), ["u", "p"]);
  assertEquals(parse_basic("Basic " + btoa("no colon")), null);
  assertEquals(parse_basic("Basic !!!"), null);
  assertEquals(parse_basic("Basic " + btoa("\xff:x")), null); // not UTF-8
  assertEquals(parse_basic(basic("jörg:pässword")), ["jörg", "pässword"]);
  assertEquals(check_basic(basic("alice:open sesame"), USERS), "alice");
  assertEquals(check_basic(basic("bob:s3cret"), USERS), "bob");
  assertEquals(check_basic(basic("bob:open sesame"), USERS), null);
  assertEquals(check_basic(basic("alice:open sesam"), USERS), null);
  assertEquals(check_basic(basic(":"), USERS), null);
  assertEquals(check_basic("Bearer x", USERS), null);
});

Deno.test("authorize() answers 401 with a Basic challenge for every path and method, telling nothing of the tree", async () => {
  const dir = await tree();
  try {
    await using s = serve(handler_for(dir));
    const answers = new Set<string>();
    for (
      const [method, path, auth] of [
        ["GET", "/", undefined],
        ["GET", "/a.txt", undefined],
        ["GET", "/missing", undefined],
        ["GET", "/sub", undefined],
        ["GET", "/../etc/passwd", undefined],
        ["HEAD", "/a.txt", undefined],
        ["PUT", "/new.txt", undefined],
        ["POST", "/", undefined],
        ["GET", "/a.txt", basic("alice:wrong")],
        ["GET", "/a.txt", basic("mallory:open sesame")],
        ["GET", "/a.txt", "Basic"],
        ["GET", "/a.txt", "Bearer abc"],
      ] as const
    ) {
      await using c = await RawClient.connect(s);
      await c.write(
        `${method} ${path} HTTP/1.1\r\nHost: x\r\n${
          auth ? `Authorization: ${auth}\r\n` : ""
        }Content-Length: 2\r\n\r\nhi`,
      );
      await c.read_to_eof();
      const text = normalize(c.text);
      assertEquals(
        text.split("\r\n", 1)[0],
        "HTTP/1.0 401 Authentication required",
        `${method} ${path}`,
      );
      assertStringIncludes(
        text,
        '\r\nWWW-Authenticate: Basic realm="test files", charset="UTF-8"\r\n',
      );
      // The same bytes whatever the path: no 404, 403 or 301 leaks.
      answers.add(method === "HEAD" ? "HEAD" : text);
    }
    assertEquals(answers.size, 2);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "a.txt",
      "sub",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("authorize() lets in each user, in clear or by sha256 digest, and the log names the user", async () => {
  const dir = await tree();
  try {
    await using s = serve(handler_for(dir));
    const url = `http://127.0.0.1:${s.port}`;
    const a = await fetch(`${url}/a.txt`, {
      headers: { Authorization: basic("alice:open sesame") },
    });
    assertEquals([a.status, await a.text()], [200, "A"]);
    const b = await fetch(`${url}/b.txt`, {
      method: "PUT",
      body: "B",
      headers: { Authorization: basic("bob:s3cret") },
    });
    assertEquals(b.status, 201);
    await b.body?.cancel();
    assertEquals(Deno.readTextFileSync(`${dir}/b.txt`), "B");
    const denied = await fetch(`${url}/a.txt`);
    assertEquals(denied.status, 401);
    await denied.body?.cancel();
    assertEquals(s.logs, [
      'alice "GET /a.txt HTTP/1.1" 200 -',
      'bob "PUT /b.txt HTTP/1.1" 201 -',
      "- code 401, message Authentication required",
      '- "GET /a.txt HTTP/1.1" 401 -',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("auth_upload_only guards writes only", async () => {
  const dir = await tree();
  try {
    await using s = serve(handler_for(dir, true));
    const url = `http://127.0.0.1:${s.port}`;
    const get = await fetch(`${url}/a.txt`);
    assertEquals([get.status, await get.text()], [200, "A"]);
    const list = await fetch(`${url}/`);
    assertEquals(list.status, 200);
    await list.body?.cancel();
    for (const method of ["PUT", "POST", "DELETE"]) {
      const res = await fetch(`${url}/x.txt`, { method, body: "x" });
      assertEquals(res.status, 401, method);
      assertEquals(
        res.headers.get("www-authenticate"),
        'Basic realm="test files", charset="UTF-8"',
      );
      await res.body?.cancel();
    }
    const ok = await fetch(`${url}/x.txt`, {
      method: "PUT",
      body: "x",
      headers: { Authorization: basic("alice:open sesame") },
    });
    assertEquals(ok.status, 201);
    await ok.body?.cancel();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("authorize() can be overridden to check a token instead", async () => {
  const dir = await tree();
  try {
    class TokenHandler extends SimpleHTTPRequestHandler {
      override directory = dir;
      override authorize(): boolean {
        return this.headers.get("X-Token") === "let-me-in";
      }
      override log_message(): void {}
    }
    await using s = serve(TokenHandler);
    const url = `http://127.0.0.1:${s.port}/a.txt`;
    const no = await fetch(url);
    assertEquals(no.status, 401);
    await no.body?.cancel();
    const yes = await fetch(url, { headers: { "X-Token": "let-me-in" } });
    assertEquals([yes.status, await yes.text()], [200, "A"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task serve --upload --auth: the log line names the user; warnings for exposed uploads and clear passwords", async () => {
  const dir = await tree();
  try {
    {
      await using server = await spawn_server([
        "run",
        "--allow-net",
        "--allow-read",
        `--allow-write=${dir}`,
        "http_server.ts",
        "0",
        "-b",
        "127.0.0.1",
        "-d",
        dir,
        "--upload",
        "--auth",
        "carol:pw",
      ]);
      const res = await fetch(`http://127.0.0.1:${server.port}/c.txt`, {
        method: "PUT",
        body: "C",
        headers: { Authorization: basic("carol:pw") },
      });
      assertEquals(res.status, 201);
      await res.body?.cancel();
      assertEquals(Deno.readTextFileSync(`${dir}/c.txt`), "C");
      await server.stop("SIGTERM");
      const err = await server.stderr;
      assertEquals(err.includes("Warning"), false);
      assertStringIncludes(err, "127.0.0.1 - carol [");
      assertStringIncludes(err, '] "PUT /c.txt HTTP/1.1" 201 -\n');
    }
    {
      await using server = await spawn_server([
        "run",
        "--allow-net",
        "--allow-read",
        `--allow-write=${dir}`,
        "http_server.ts",
        "0",
        "-b",
        "0.0.0.0",
        "-d",
        dir,
        "--upload",
      ]);
      await server.stop("SIGTERM");
      assertStringIncludes(
        await server.stderr,
        "Warning: --upload on 0.0.0.0 without --auth: anyone who can reach this port can write files.\n",
      );
    }
    {
      await using server = await spawn_server([
        "run",
        "--allow-net",
        "--allow-read",
        "http_server.ts",
        "0",
        "-b",
        "0.0.0.0",
        "-d",
        dir,
        "--auth",
        "carol:pw",
      ]);
      await server.stop("SIGTERM");
      assertStringIncludes(
        await server.stderr,
        "Warning: --auth over plain HTTP on 0.0.0.0: passwords travel in clear; use --tls-cert and --tls-key.\n",
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
