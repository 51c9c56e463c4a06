/**
 * Missing Deno permissions (issue 15 item 5): one line naming the flag and
 * a 500, or an exit at start, never a silent 404.
 */

import { assertEquals, assertMatch } from "./_assert.ts";
import { listening_port, run_deno, spawn_server } from "./_subprocess.ts";

/** The log lines, without their `host - - [date] ` prefix. */
function messages(stderr: string): string[] {
  return stderr.trimEnd().split("\n").map((l) =>
    l.replace(/^\S+ - - \[[^\]]+\] /, "")
  );
}

Deno.test("http_server.ts without --allow-read exits 1 with one line naming the flag", async () => {
  const dir = await Deno.makeTempDir({ prefix: "permission_test_" });
  try {
    const out = await run_deno([
      "run",
      "--allow-net",
      "http_server.ts",
      "-d",
      dir,
      "0",
    ]);
    assertEquals(out.code, 1);
    assertEquals(out.stdout, "");
    assertEquals(
      out.stderr,
      `http_server.ts: error: serving '${dir}' needs permission to read it: deno run --allow-net --allow-read http_server.ts\n`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SimpleHTTPRequestHandler without read permission answers 500 and logs the flag to add, not 404", async () => {
  const dir = await Deno.makeTempDir({ prefix: "permission_test_" });
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    await using srv = await spawn_server([
      "run",
      "--allow-net",
      "tests/fixtures/static_server.ts",
      dir,
    ]);
    const port = Number(srv.banner.slice("port ".length));
    for (const path of ["/a.txt", "/"]) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      assertEquals(res.status, 500, path);
      await res.body?.cancel();
    }
    await srv.stop("SIGTERM");
    const lines = messages(await srv.stderr);
    assertEquals(lines.length, 6);
    for (const [i, path] of [[0, "/a.txt"], [3, "/"]] as const) {
      assertMatch(
        lines[i]!,
        /^Requires read access to ".*", run again with the --allow-read flag$/,
      );
      assertEquals(lines.slice(i + 1, i + 3), [
        "code 500, message Internal Server Error",
        `"GET ${path} HTTP/1.1" 500 -`,
      ]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("examples/post.ts without write permission answers an upload it must spool with 500 and one line naming the flag", async () => {
  await using srv = await spawn_server([
    "run",
    "--allow-net",
    "examples/post.ts",
    "0",
  ]);
  const port = await listening_port(srv.child.pid);
  const body = new FormData();
  body.append("small", "value");
  body.append("file", new Blob(["x".repeat(100_000)]), "big.txt");
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    body,
  });
  assertEquals(res.status, 500);
  await res.body?.cancel();
  await srv.stop("SIGINT");
  const lines = messages(await srv.stderr);
  assertMatch(
    lines[0]!,
    /^FieldStorage spools parts over \d+ bytes to the temporary directory \(TMPDIR, else \/tmp\): run with --allow-read and --allow-write for it$/,
  );
  assertEquals(lines.slice(1), [
    "code 500, message Internal Server Error",
    '"POST / HTTP/1.1" 500 -',
  ]);
});
