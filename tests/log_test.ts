import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";

/** Runs a server in a subprocess, sends one request, returns its stderr. */
async function stderr_of(target: string): Promise<string> {
  const script = `
import { BaseHTTPRequestHandler, HTTPServer } from ${
    JSON.stringify(new URL("../mod.ts", import.meta.url).href)
  };
class H extends BaseHTTPRequestHandler {
  do_GET() {
    const decoded = decodeURIComponent(this.path);
    this.log_message("decoded %s", decoded);
    throw new Error("cannot serve " + decoded);
  }
}
const server = new HTTPServer(["127.0.0.1", 0], H);
const serving = server.serve_forever();
const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.server_port });
await conn.write(new TextEncoder().encode(${
    JSON.stringify(`GET ${target} HTTP/1.0\r\n\r\n`)
  }));
const buf = new Uint8Array(4096);
while ((await conn.read(buf)) !== null) { /* until the server closes */ }
conn.close();
await server.shutdown();
await serving;
server.server_close();
`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stderr } = await child.output();
  const text = new TextDecoder().decode(stderr);
  assertEquals(code, 0, text);
  return text;
}

Deno.test("BaseHTTPRequestHandler.log_message() and HTTPServer.handle_error() escape U+202E, U+2028, ESC and NEL as repr() does", async () => {
  const text = await stderr_of("/%E2%80%AE%E2%80%A8%1B[31m%C2%85x");
  for (const raw of ["\u202e", "\u2028", "\x1b", "\x85"]) {
    assert(!text.includes(raw), `raw ${JSON.stringify(raw)} in ${text}`);
  }
  // In the handler's own line and in the traceback's message.
  assertStringIncludes(text, "decoded /\\u202e\\u2028\\x1b[31m\\x85x\n");
  assertStringIncludes(
    text,
    "Error: cannot serve /\\u202e\\u2028\\x1b[31m\\x85x\n",
  );
  // One log line per line: U+2028 did not start a new one.
  assertEquals(text.split("\n").filter((l) => l.includes("decoded")).length, 1);
});
