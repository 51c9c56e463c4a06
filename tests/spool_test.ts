// Spooled uploads must not outlive their use, even when a form is never
// closed: the default make_file() unlinks its file when it opens it, and a
// temporary file with a path is deleted at exit.
import { assert, assertEquals } from "./_assert.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** Runs `code` in a subprocess with TMPDIR set to `tmp`; returns stdout. */
async function run(code: string, tmp: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", code],
    cwd: ROOT,
    env: { TMPDIR: tmp },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert(out.success, stderr);
  return new TextDecoder().decode(out.stdout).trim();
}

async function names(dir: string): Promise<string[]> {
  const found = [];
  for await (const entry of Deno.readDir(dir)) found.push(entry.name);
  return found.sort();
}

/** Parses a 100,000-byte upload (spooled) and prints what TMPDIR holds. */
const PARSE = (make_file: string) => `
  import { FieldFile, FieldStorage } from "./cgi.ts";
  class Form extends FieldStorage {
    ${make_file}
  }
  const body = new FormData();
  body.append("f", new File([new Uint8Array(100_000).fill(97)], "f.bin"));
  const request = new Request("http://localhost/", { method: "POST", body });
  const form = await Form.from(request);
  const file = (form.get("f") as FieldStorage).file!;
  const held = [];
  for await (const e of Deno.readDir(Deno.env.get("TMPDIR")!)) held.push(e.name);
  console.log(JSON.stringify({ size: file.size, bytes: (form.getvalue("f") as Uint8Array).length, path: file.path, held }));
  // Never closed.
`;

Deno.test("FieldStorage.make_file() leaves no file in TMPDIR for a form that is never closed", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "spool_test_" });
  try {
    const got = JSON.parse(await run(PARSE(""), tmp));
    if (Deno.build.os === "windows") {
      assertEquals(got.held.length, 1);
    } else {
      // Nothing on disk while the form is in use: the handle holds the data.
      assertEquals(got, {
        size: 100_000,
        bytes: 100_000,
        path: null,
        held: [],
      });
    }
    assertEquals(await names(tmp), []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("FieldFile with remove: true deletes its file at exit when the form is never closed", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "spool_test_" });
  try {
    // A make_file() that keeps a path, as on Windows or in a subclass.
    const got = JSON.parse(
      await run(
        PARSE(`override async make_file(): Promise<FieldFile> {
          const path = await Deno.makeTempFile({ prefix: "keep_" });
          const file = await Deno.open(path, { read: true, write: true });
          return new FieldFile({ file, path, remove: true });
        }`),
        tmp,
      ),
    );
    assertEquals(got.size, 100_000);
    assertEquals(got.held.length, 1, "the file exists while the form is used");
    assert(got.path.startsWith(tmp), got.path);
    assertEquals(await names(tmp), [], "deleted at exit");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
