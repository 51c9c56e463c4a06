import { assertEquals, assertStringIncludes, assertThrows } from "./_assert.ts";
import { CliError, type CliOptions, parse_args, USAGE } from "../_cli/args.ts";

const ENV = { cwd: "/repo" };
const TASK_ENV = { cwd: "/repo", init_cwd: "/home/me/site" };

const DEFAULTS: CliOptions = {
  port: 8000,
  bind: undefined,
  directory: "/repo",
  protocol: "HTTP/1.1",
  tls_cert: undefined,
  tls_key: undefined,
  cors: false,
  cgi: false,
  workers: 1,
  headers: [],
  content_type: undefined,
  no_cache: false,
  compress: false,
  spa: false,
  error_page: false,
  tls_password_file: undefined,
  upload: false,
  allow_replace: false,
  max_upload_size: null,
  auth: [],
  auth_upload_only: false,
  proxy_protocol: false,
  trust_proxy: [],
  help: false,
};

function fails(args: string[], message: string, argument?: string): void {
  const e = assertThrows(() => parse_args(args, ENV), CliError);
  assertEquals(e.message, message, args.join(" "));
  assertEquals(e.argument, argument, args.join(" "));
  assertEquals(e.name, "CliError");
  assertEquals(e instanceof SyntaxError, true);
}

Deno.test("parse_args() gives the defaults", () => {
  assertEquals(parse_args([], ENV), DEFAULTS);
});

Deno.test("parse_args() serves INIT_CWD under deno task", () => {
  assertEquals(parse_args([], TASK_ENV).directory, "/home/me/site");
  assertEquals(
    parse_args([], { cwd: "/repo", init_cwd: "" }).directory,
    "/repo",
  );
  assertEquals(
    parse_args([], { cwd: "/repo", init_cwd: undefined }).directory,
    "/repo",
  );
});

Deno.test("parse_args() resolves a relative directory against the user's directory", () => {
  assertEquals(
    parse_args(["-d", "public"], TASK_ENV).directory,
    "/home/me/site/public",
  );
  assertEquals(parse_args(["-d", "public"], ENV).directory, "/repo/public");
  assertEquals(parse_args(["-d", "."], ENV).directory, "/repo/.");
  assertEquals(parse_args(["-d", "../x"], ENV).directory, "/repo/../x");
  assertEquals(parse_args(["-d", "/srv/www"], TASK_ENV).directory, "/srv/www");
  assertEquals(parse_args(["-d", "x"], { cwd: "/" }).directory, "/x");
  assertEquals(
    parse_args(["-d", "public"], { cwd: "C:\\Users\\me" }).directory,
    "C:\\Users\\me\\public",
  );
  assertEquals(
    parse_args(["-d", "D:\\www"], { cwd: "C:\\Users\\me" }).directory,
    "D:\\www",
  );
  assertEquals(parse_args(["-d", "C:/www"], ENV).directory, "C:/www");
});

Deno.test("parse_args() reads every option", () => {
  assertEquals(
    parse_args([
      "--cgi",
      "--cors",
      "-b",
      "127.0.0.1",
      "-d",
      "/srv",
      "-p",
      "HTTP/1.0",
      "--tls-cert",
      "cert.pem",
      "--tls-key",
      "key.pem",
      "--workers",
      "4",
      "9000",
      "--tls-password-file",
      "pass.txt",
      "-H",
      "X-A: 1",
      "--header=X-B:2",
      "--content-type",
      "text/plain",
      "--no-cache",
      "--compress",
      "--spa",
      "--error-page",
    ], ENV),
    {
      port: 9000,
      bind: "127.0.0.1",
      directory: "/srv",
      protocol: "HTTP/1.0",
      tls_cert: "cert.pem",
      tls_key: "key.pem",
      cors: true,
      cgi: true,
      workers: 4,
      headers: [["X-A", "1"], ["X-B", "2"]],
      content_type: "text/plain",
      no_cache: true,
      compress: true,
      spa: true,
      error_page: true,
      tls_password_file: "pass.txt",
      upload: false,
      allow_replace: false,
      max_upload_size: null,
      auth: [],
      auth_upload_only: false,
      proxy_protocol: false,
      trust_proxy: [],
      help: false,
    },
  );
});

Deno.test("parse_args() accepts argparse's spellings", () => {
  const bind = (args: string[]) => parse_args(args, ENV).bind;
  assertEquals(bind(["--bind", "::1"]), "::1");
  assertEquals(bind(["--bind=::1"]), "::1");
  assertEquals(bind(["-b::1"]), "::1");
  assertEquals(bind(["-b=::1"]), "::1");
  assertEquals(bind(["--bi", "::1"]), "::1");
  assertEquals(bind(["--b=::1"]), "::1");
  assertEquals(bind(["--bind=x", "--bind", "y"]), "y");
  assertEquals(bind(["--bind="]), "");
  assertEquals(bind(["-b", "-1"]), "-1");
  assertEquals(parse_args(["--dir", "/x"], ENV).directory, "/x");
  assertEquals(parse_args(["--prot=HTTP/1.0"], ENV).protocol, "HTTP/1.0");
  assertEquals(parse_args(["--cg"], ENV).cgi, true);
  assertEquals(parse_args(["--cor"], ENV).cors, true);
  assertEquals(parse_args(["--com"], ENV).compress, true);
  assertEquals(parse_args(["--w", "2"], ENV).workers, 2);
  assertEquals(parse_args(["--tls-c", "c", "--tls-k", "k"], ENV).tls_key, "k");
});

Deno.test("parse_args() takes the port anywhere, as Python's int() reads it", () => {
  const port = (args: string[]) => parse_args(args, ENV).port;
  assertEquals(port(["8080"]), 8080);
  assertEquals(port(["8080", "--cgi"]), 8080);
  assertEquals(port(["--cgi", "8080", "-b", "::"]), 8080);
  assertEquals(port(["0"]), 0);
  assertEquals(port(["65535"]), 65535);
  assertEquals(port(["+80"]), 80);
  assertEquals(port([" 80 "]), 80);
  assertEquals(port(["8_000"]), 8000);
  assertEquals(port(["--", "8080"]), 8080);
  assertEquals(port(["0080"]), 80);
});

Deno.test("parse_args() stops at -h and --help", () => {
  assertEquals(parse_args(["-h"], ENV), { ...DEFAULTS, help: true });
  assertEquals(parse_args(["--help"], ENV).help, true);
  assertEquals(parse_args(["--hel"], ENV).help, true);
  assertEquals(
    parse_args(["--cgi", "-h", "not-a-port", "--nope"], ENV).help,
    true,
  );
  assertEquals(parse_args(["--cgi", "-h"], ENV).cgi, true);
});

Deno.test("parse_args() reports argparse's errors", () => {
  fails(["abc"], "argument port: invalid int value: 'abc'", "port");
  fails(["80.5"], "argument port: invalid int value: '80.5'", "port");
  fails([""], "argument port: invalid int value: ''", "port");
  fails(["it's"], `argument port: invalid int value: "it's"`, "port");
  fails(["-b"], "argument -b/--bind: expected one argument", "-b/--bind");
  fails(["--bind"], "argument -b/--bind: expected one argument", "-b/--bind");
  fails(
    ["-d", "--cgi"],
    "argument -d/--directory: expected one argument",
    "-d/--directory",
  );
  fails(
    ["--workers"],
    "argument --workers: expected one argument",
    "--workers",
  );
  fails(["--cgi=1"], "argument --cgi: ignored explicit argument '1'", "--cgi");
  fails(
    ["--help=1"],
    "argument -h/--help: ignored explicit argument '1'",
    "-h/--help",
  );
  fails(
    ["--c"],
    "ambiguous option: --c could match --cgi, --cors, --content-type, --compress",
  );
  fails(
    ["--tls"],
    "ambiguous option: --tls could match --tls-cert, --tls-key, --tls-password-file",
  );
  fails(["--foo"], "unrecognized arguments: --foo");
  fails(["-x"], "unrecognized arguments: -x");
  fails(["1", "2"], "unrecognized arguments: 2");
  fails(["1", "--foo", "2", "3"], "unrecognized arguments: --foo 2 3");
  fails(["--", "1", "-b"], "unrecognized arguments: -b");
});

Deno.test("parse_args() checks values Python would accept and fail on later", () => {
  fails(["-1"], "argument port: out of range 0-65535: '-1'", "port");
  fails(["65536"], "argument port: out of range 0-65535: '65536'", "port");
  fails(
    ["-p", "HTTP/2"],
    "argument -p/--protocol: invalid choice: 'HTTP/2' (choose from 'HTTP/1.0', 'HTTP/1.1')",
    "-p/--protocol",
  );
  fails(
    ["-p", "http/1.1"],
    "argument -p/--protocol: invalid choice: 'http/1.1' (choose from 'HTTP/1.0', 'HTTP/1.1')",
    "-p/--protocol",
  );
  fails(
    ["--workers", "0"],
    "argument --workers: must be at least 1: '0'",
    "--workers",
  );
  fails(
    ["--workers", "x"],
    "argument --workers: invalid int value: 'x'",
    "--workers",
  );
  fails(
    ["--workers", "-2"],
    "argument --workers: must be at least 1: '-2'",
    "--workers",
  );
  fails(
    ["--tls-cert", "c.pem"],
    "argument --tls-cert: requires --tls-key",
    "--tls-cert",
  );
  fails(
    ["--tls-key", "k.pem"],
    "argument --tls-key: requires --tls-cert",
    "--tls-key",
  );
});

Deno.test("parse_args() reports an error before a later -h, like argparse", () => {
  fails(
    ["-p", "HTTP/9", "-h"],
    "argument -p/--protocol: invalid choice: 'HTTP/9' (choose from 'HTTP/1.0', 'HTTP/1.1')",
    "-p/--protocol",
  );
});

Deno.test("USAGE lists every option in argparse's layout", () => {
  assertEquals(
    USAGE.split("\n")[0],
    "usage: http_server.ts [-h] [--cgi] [--cors] [-b ADDRESS] [-d DIRECTORY]",
  );
  for (
    const option of [
      "  port ",
      "  -h, --help ",
      "  --cgi ",
      "  --cors ",
      "  -b, --bind ADDRESS ",
      "  -d, --directory DIRECTORY\n",
      "  -p, --protocol VERSION\n",
      "  --tls-cert FILE ",
      "  --tls-key FILE ",
      "  --workers N ",
      "(default: 8000)",
      "(default: HTTP/1.1)",
    ]
  ) {
    assertStringIncludes(USAGE, option);
  }
  for (const line of USAGE.split("\n")) {
    assertEquals(line.length <= 80, true, line);
  }
});

Deno.test("test() takes Python's positional arguments: test(HandlerClass, ServerClass, protocol, port, bind)", async () => {
  const { test, ThreadingHTTPServer, BaseHTTPRequestHandler } = await import(
    "../http_server.ts"
  );
  class Handler extends BaseHTTPRequestHandler {
    override log_message() {}
    async do_GET() {
      this.send_response(200);
      this.send_header("Content-Length", "2");
      this.end_headers();
      await this.wfile.write("ok");
    }
  }
  let started: InstanceType<typeof ThreadingHTTPServer> | undefined;
  class Server extends ThreadingHTTPServer {
    override server_activate(): void {
      super.server_activate();
      started = this;
    }
  }
  const log = console.log;
  console.log = () => {};
  try {
    const done = test(Handler, Server, "HTTP/1.1", 0, "127.0.0.1");
    while (started === undefined) await new Promise((r) => setTimeout(r, 5));
    const res = await fetch(`http://127.0.0.1:${started.server_port}/`);
    assertEquals(await res.text(), "ok");
    assertEquals(res.headers.get("connection"), null);
    await started.shutdown();
    await done;
  } finally {
    console.log = log;
  }
});

Deno.test("parse_args() reads --upload, --allow-replace, --max-upload-size, repeated --auth and --auth-upload-only", () => {
  const o = parse_args([
    "--upload",
    "--allow-replace",
    "--max-upload-size",
    "1_000",
    "--auth",
    "alice:secret",
    "--auth=bob:sha256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b",
    "--auth-upload-only",
  ], ENV);
  assertEquals(
    [o.upload, o.allow_replace, o.max_upload_size, o.auth, o.auth_upload_only],
    [true, true, 1000, [
      "alice:secret",
      "bob:sha256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b",
    ], true],
  );
  fails(
    ["--auth", "alice"],
    "argument --auth: expected USER:PASSWORD",
    "--auth",
  );
  fails(
    ["--auth", ":secret"],
    "argument --auth: expected USER:PASSWORD",
    "--auth",
  );
  fails(
    ["--max-upload-size", "-1"],
    "argument --max-upload-size: must not be negative: '-1'",
    "--max-upload-size",
  );
  fails(
    ["--max-upload-size", "1k"],
    "argument --max-upload-size: invalid int value: '1k'",
    "--max-upload-size",
  );
  for (
    const option of [
      "  --upload ",
      "  --allow-replace ",
      "  --max-upload-size BYTES\n",
      "  --auth USER:PASSWORD ",
      "  --auth-upload-only ",
    ]
  ) assertStringIncludes(USAGE, option);
});

Deno.test("parse_args() refuses a -H/--header that is not a valid field", () => {
  const h = "-H/--header";
  fails(
    ["-H", "NoColon"],
    `argument ${h}: expected "Name: value", got "NoColon"`,
    h,
  );
  fails(
    ["-H", "Bad Name: x"],
    `argument ${h}: invalid header name "Bad Name"`,
    h,
  );
  fails(["-H", ": x"], `argument ${h}: invalid header name ""`, h);
  fails(["-H", "X-A: a\rb"], `argument ${h}: invalid header value "a\\rb"`, h);
  fails(
    ["-H", "X-A: a\nX-B: b"],
    `argument ${h}: invalid header value "a\\nX-B: b"`,
    h,
  );
  fails(
    ["-H", "X-A: a\0"],
    `argument ${h}: invalid header value "a\\u0000"`,
    h,
  );
  fails(
    ["-H", "X-A: \u0100"],
    `argument ${h}: invalid header value "\u0100"`,
    h,
  );
  fails(["-H"], `argument ${h}: expected one argument`, h);
  assertEquals(parse_args(["-H", "X-Empty:"], ENV).headers, [["X-Empty", ""]]);
  assertEquals(parse_args(["-HX-A:\tb c "], ENV).headers, [["X-A", "b c"]]);
});

Deno.test("parse_args() checks --content-type and --tls-password-file", () => {
  fails(
    ["--content-type", " "],
    "argument --content-type: invalid media type: ' '",
    "--content-type",
  );
  fails(
    ["--content-type", "a\nb"],
    "argument --content-type: invalid media type: 'a\\nb'",
    "--content-type",
  );
  fails(
    ["--tls-password-file", "p"],
    "argument --tls-password-file: requires --tls-key",
    "--tls-password-file",
  );
});
