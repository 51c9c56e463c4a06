/**
 * Uploads over real sockets: PUT (Content-Length, chunked, curl -T), POST
 * of multipart forms (fetch, curl -F, raw bytes), every refused case with
 * its status and reason, cut-short and over-size bodies, a full disk,
 * races for one name, traversal by path and by file name. After each,
 * the directory holds exactly what was saved: no temporary file.
 */

import { SimpleHTTPRequestHandler } from "../http_server.ts";
import { percent_format } from "../_common/pyformat.ts";
import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import {
  RawClient,
  recorder_of,
  serve,
  type TestServer,
  tiny_disk,
  wait_for,
} from "./_helpers.ts";
import { curl, curl_version } from "./_subprocess.ts";

interface Options {
  upload?: boolean;
  allow_replace?: boolean;
  max_upload_size?: number | null;
  max_upload_fields?: number;
  dotfiles?: boolean;
}

function handler_for(dir: string, o: Options = {}) {
  return class extends SimpleHTTPRequestHandler {
    override directory = dir;
    override protocol_version = "HTTP/1.1";
    override upload = o.upload ?? true;
    override allow_replace = o.allow_replace ?? false;
    override max_upload_size = o.max_upload_size ?? null;
    override max_upload_fields = o.max_upload_fields ?? 1000;
    override dotfiles = o.dotfiles ?? true;
    override log_message(format: string, ...args: unknown[]): void {
      recorder_of(this.server).logs.push(percent_format(format, args));
    }
  };
}

/** A fresh directory served with uploads on; removed on dispose. */
async function setup(o: Options = {}): Promise<
  { dir: string; s: TestServer; url: string } & AsyncDisposable
> {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "upload_" }),
  );
  const s = serve(handler_for(dir, o));
  return {
    dir,
    s,
    url: `http://127.0.0.1:${s.port}`,
    async [Symbol.asyncDispose]() {
      await s[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** The names in a directory, sorted (temporary files included). */
function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

function random_bytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) {
    crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  }
  return out;
}

const encoder = new TextEncoder();

async function put(
  url: string,
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<[number, Headers, string]> {
  const res = await fetch(url, { method: "PUT", body, headers });
  return [res.status, res.headers, await res.text()];
}

/** The reason of an error page: its `Message: ...` line. */
function reason(page: string): string {
  return /<p>Message: (.*)\.<\/p>/.exec(page)?.[1] ?? `(no reason in ${page})`;
}

Deno.test("do_PUT() saves a Content-Length body byte for byte: 201, Location, no temporary file", async () => {
  await using t = await setup();
  const data = random_bytes(300_000);
  const [status, headers, body] = await put(`${t.url}/a%20b.bin`, data);
  assertEquals(status, 201);
  assertEquals(headers.get("location"), "/a%20b.bin");
  assertEquals(body, "Created a b.bin (300000 bytes)\n");
  assertEquals(Deno.readFileSync(`${t.dir}/a b.bin`), data);
  assertEquals(names(t.dir), ["a b.bin"]);
});

Deno.test("do_PUT() saves a chunked body, into a subdirectory, and answers JSON when asked", async () => {
  await using t = await setup();
  Deno.mkdirSync(`${t.dir}/sub`);
  const data = random_bytes(200_000);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < data.length; i += 50_000) {
        c.enqueue(data.slice(i, i + 50_000));
      }
      c.close();
    },
  });
  const [status, headers, body] = await put(`${t.url}/sub/c.bin`, stream, {
    Accept: "application/json",
  });
  assertEquals(status, 201);
  assertEquals(headers.get("location"), "/sub/c.bin");
  assertEquals(headers.get("content-type"), "application/json");
  assertEquals(JSON.parse(body), { name: "c.bin", size: 200_000 });
  assertEquals(Deno.readFileSync(`${t.dir}/sub/c.bin`), data);
  assertEquals(names(`${t.dir}/sub`), ["c.bin"]);
});

Deno.test("do_PUT() refuses an existing file with 409 unless allow_replace, then 204", async () => {
  {
    await using t = await setup();
    Deno.writeTextFileSync(`${t.dir}/a.txt`, "old");
    const [status, , body] = await put(`${t.url}/a.txt`, "new");
    assertEquals(status, 409);
    assertEquals(reason(body), "File exists");
    assertEquals(Deno.readTextFileSync(`${t.dir}/a.txt`), "old");
    assertEquals(names(t.dir), ["a.txt"]);
  }
  {
    await using t = await setup({ allow_replace: true });
    Deno.writeTextFileSync(`${t.dir}/a.txt`, "old");
    const [status, headers, body] = await put(`${t.url}/a.txt`, "new");
    assertEquals([status, headers.get("location"), body], [204, "/a.txt", ""]);
    assertEquals(Deno.readTextFileSync(`${t.dir}/a.txt`), "new");
    assertEquals(names(t.dir), ["a.txt"]);
  }
});

Deno.test("do_PUT() refuses each bad target with its status and reason, writing nothing", async () => {
  await using t = await setup({ dotfiles: false });
  const outside = await Deno.realPath(await Deno.makeTempDir());
  try {
    Deno.mkdirSync(`${t.dir}/d`);
    Deno.mkdirSync(`${t.dir}/.hidden`);
    Deno.symlinkSync(outside, `${t.dir}/out`);
    Deno.writeTextFileSync(`${t.dir}/f.txt`, "f");
    Deno.symlinkSync(`${t.dir}/f.txt`, `${t.dir}/link.txt`);
    const cases: [string, number, string][] = [
      ["/missing/a.txt", 409, "Directory does not exist"],
      ["/f.txt/a.txt", 409, "Directory does not exist"],
      ["/.hidden/a.txt", 409, "Directory does not exist"],
      ["/d", 409, "Target is a directory"],
      ["/link.txt", 409, "Target is a symbolic link"],
      ["/d/", 400, "PUT needs a file name after the directory"],
      [
        "/out/x",
        400,
        "Path leads out of the served directory through a symbolic link",
      ],
      ["/../x", 400, 'Path contains ".."'],
      ["/%2e%2e/x", 400, 'Path contains ".."'],
      ["/d/%2E%2E/%2e%2e/x", 400, 'Path contains ".."'],
      ["/..", 400, 'Path contains ".."'],
      ["/a%2Fb", 400, "Invalid path"],
      ["/a%5Cb", 400, "Invalid path"],
      ["/a%00b", 400, "Invalid path"],
      ["/a%0Ab", 400, "File name contains a control character"],
      ["/a%1Bb", 400, "File name contains a control character"],
      ["/.env", 400, "File name starts with a dot and dotfiles are hidden"],
      [`/${"x".repeat(256)}`, 400, "File name is longer than 255 bytes"],
      [
        "/.upload-0123456789abcdef0123456789abcdef.part",
        400,
        "File name starts with a dot and dotfiles are hidden",
      ],
    ];
    for (const [path, code, why] of cases) {
      // Raw bytes: fetch would normalise ".." and "%2e%2e" itself.
      await using c = await RawClient.connect(t.s);
      await c.write(
        `PUT ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`,
      );
      await c.read_to_eof();
      assertEquals(c.text.split("\r\n", 1)[0], `HTTP/1.1 ${code} ${why}`, path);
      assertEquals(
        reason(c.text),
        why.replaceAll('"', '"'),
        path,
      );
    }
    assertEquals(names(t.dir), [".hidden", "d", "f.txt", "link.txt", "out"]);
    assertEquals(names(`${t.dir}/d`), []);
    assertEquals(names(outside), []);
    assertEquals(Deno.readTextFileSync(`${t.dir}/f.txt`), "f");
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("do_PUT() answers 413 over max_upload_size, by Content-Length and while counting a chunked body", async () => {
  await using t = await setup({ max_upload_size: 1000 });
  const [s1, , b1] = await put(`${t.url}/a.bin`, random_bytes(1001));
  assertEquals([s1, reason(b1)], [413, "Upload is larger than 1000 bytes"]);
  const big = random_bytes(100_000);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(big.slice(0, 600));
      c.enqueue(big.slice(600));
      c.close();
    },
  });
  const [s2, , b2] = await put(`${t.url}/b.bin`, stream);
  assertEquals([s2, reason(b2)], [413, "Upload is larger than 1000 bytes"]);
  const [s3] = await put(`${t.url}/c.bin`, random_bytes(1000));
  assertEquals(s3, 201);
  assertEquals(names(t.dir), ["c.bin"]);
});

Deno.test("do_PUT() leaves no file and no temporary file when the client stops mid-body, and goes on serving", async () => {
  await using t = await setup();
  {
    await using c = await RawClient.connect(t.s);
    await c.write(
      "PUT /cut.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
    );
    await c.write(random_bytes(50_000));
    // Wait until the server has made its temporary file, then vanish.
    assert(await wait_for(() => names(t.dir).length === 1));
    await c.close();
  }
  assert(await wait_for(() => names(t.dir).length === 0));
  {
    await using c = await RawClient.connect(t.s);
    await c.write(
      "PUT /chunk.bin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n",
    );
    assert(await wait_for(() => names(t.dir).length === 1));
    await c.close();
  }
  assert(await wait_for(() => names(t.dir).length === 0));
  const [status] = await put(`${t.url}/ok.txt`, "ok");
  assertEquals(status, 201);
  assertEquals(names(t.dir), ["ok.txt"]);
});

Deno.test("do_PUT() and do_POST() racing for one name: never a mixed file", async () => {
  await using t = await setup();
  const a = new Uint8Array(500_000).fill(0x61);
  const b = new Uint8Array(500_000).fill(0x62);
  const results = await Promise.all([
    put(`${t.url}/race.bin`, a),
    put(`${t.url}/race.bin`, b),
  ]);
  const statuses = results.map((r) => r[0]).sort();
  assertEquals(statuses, [201, 409]);
  const saved = Deno.readFileSync(`${t.dir}/race.bin`);
  assert(
    saved.every((x) => x === 0x61) || saved.every((x) => x === 0x62),
  );
  assertEquals(saved.length, 500_000);
  Deno.removeSync(`${t.dir}/race.bin`);
  const post = async (data: Uint8Array<ArrayBuffer>) => {
    const form = new FormData();
    form.append("file", new File([data], "race.bin"));
    const res = await fetch(`${t.url}/`, {
      method: "POST",
      body: form,
      headers: { Accept: "application/json" },
    });
    assertEquals(res.status, 201);
    return (await res.json())[0].name;
  };
  const got = (await Promise.all([post(a), post(b)])).sort();
  assertEquals(got, ["race (1).bin", "race.bin"]);
  const one = Deno.readFileSync(`${t.dir}/race.bin`);
  const two = Deno.readFileSync(`${t.dir}/race (1).bin`);
  assertEquals(one[0] === two[0], false);
  assert(one.every((x) => x === one[0]) && two.every((x) => x === two[0]));
  assertEquals(names(t.dir), ["race (1).bin", "race.bin"]);
});

Deno.test("do_POST() saves every file part, ignores plain fields, and answers 303 to the directory", async () => {
  await using t = await setup();
  Deno.mkdirSync(`${t.dir}/sub dir`);
  const one = random_bytes(100_000);
  const two = encoder.encode("second\r\n--boundary-like\r\n");
  const form = new FormData();
  form.append("note", "a plain field");
  form.append("file", new File([one], "one.bin"));
  form.append("file", new File([two], "two.txt"));
  form.append("empty", new File([], "empty.txt"));
  const res = await fetch(`${t.url}/sub%20dir/?x=1`, {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  assertEquals(res.status, 303);
  assertEquals(res.headers.get("location"), "/sub%20dir/");
  assertEquals(res.headers.get("content-length"), "0");
  await res.body?.cancel();
  assertEquals(names(`${t.dir}/sub dir`), ["empty.txt", "one.bin", "two.txt"]);
  assertEquals(Deno.readFileSync(`${t.dir}/sub dir/one.bin`), one);
  assertEquals(Deno.readFileSync(`${t.dir}/sub dir/two.txt`), two);
  assertEquals(Deno.readFileSync(`${t.dir}/sub dir/empty.txt`).length, 0);
});

Deno.test("do_POST() numbers taken names, keeps only base names (../../x), and answers 201 with JSON when asked", async () => {
  await using t = await setup();
  Deno.writeTextFileSync(`${t.dir}/a.txt`, "old");
  const form = new FormData();
  form.append("file", new File(["1"], "a.txt"));
  form.append("file", new File(["22"], "a.txt"));
  form.append("file", new File(["333"], "../../x"));
  form.append("file", new File(["4444"], "folder/sub/y.txt"));
  const res = await fetch(`${t.url}/`, {
    method: "POST",
    body: form,
    headers: { Accept: "application/json" },
  });
  assertEquals(res.status, 201);
  assertEquals(res.headers.get("location"), "/");
  assertEquals(res.headers.get("content-type"), "application/json");
  assertEquals(await res.json(), [
    { name: "a (1).txt", size: 1 },
    { name: "a (2).txt", size: 2 },
    { name: "x", size: 3 },
    { name: "y.txt", size: 4 },
  ]);
  assertEquals(names(t.dir), ["a (1).txt", "a (2).txt", "a.txt", "x", "y.txt"]);
  assertEquals(Deno.readTextFileSync(`${t.dir}/a.txt`), "old");
  assertEquals(Deno.readTextFileSync(`${t.dir}/x`), "333");
});

Deno.test("do_POST() with allow_replace replaces a taken name", async () => {
  await using t = await setup({ allow_replace: true });
  Deno.writeTextFileSync(`${t.dir}/a.txt`, "old");
  const form = new FormData();
  form.append("file", new File(["new"], "a.txt"));
  const res = await fetch(`${t.url}/`, {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  assertEquals(res.status, 303);
  await res.body?.cancel();
  assertEquals(Deno.readTextFileSync(`${t.dir}/a.txt`), "new");
  assertEquals(names(t.dir), ["a.txt"]);
});

/** A multipart body with raw part headers, for names fetch would not send. */
function multipart(parts: [disposition: string, body: string][]): string {
  let out = "";
  for (const [disposition, body] of parts) {
    out +=
      `--XyZ\r\nContent-Disposition: form-data; ${disposition}\r\n\r\n${body}\r\n`;
  }
  return out + "--XyZ--\r\n";
}

async function post_raw(
  t: { s: TestServer },
  path: string,
  body: string,
  type = "multipart/form-data; boundary=XyZ",
): Promise<string> {
  await using c = await RawClient.connect(t.s);
  await c.write(
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${
      encoder.encode(body).length
    }\r\nConnection: close\r\n\r\n${body}`,
  );
  await c.read_to_eof();
  return c.text;
}

Deno.test("do_POST() refuses the whole form for one bad part, with its status and reason, saving nothing", async () => {
  await using t = await setup({ dotfiles: false, max_upload_fields: 5 });
  Deno.writeTextFileSync(`${t.dir}/file.txt`, "f");
  const good: [string, string] = [
    'name="f"; filename="good.txt"',
    "x".repeat(
      50_000,
    ),
  ];
  const cases: [string, string, number, string][] = [
    [
      "/",
      multipart([good, ['name="f"; filename=".."', "x"]]),
      400,
      'File name ".." is not allowed',
    ],
    [
      "/",
      multipart([good, ['name="f"; filename="../.."', "x"]]),
      400,
      'File name ".." is not allowed',
    ],
    [
      "/",
      multipart([good, ['name="f"; filename="a\\\\"', "x"]]),
      400,
      "File name is empty",
    ],
    [
      "/",
      multipart([good, ['name="f"; filename=".env"', "x"]]),
      400,
      "File name starts with a dot and dotfiles are hidden",
    ],
    [
      "/",
      multipart([good, ['name="f"; filename=".env"', ""]]),
      400,
      "File name starts with a dot and dotfiles are hidden",
    ],
    ["/", multipart([good, ['name="f"; filename="a%00b"', "x"]]), 201, ""],
    ["/", multipart([['name="note"', "text"]]), 400, "The form holds no file"],
    [
      "/",
      multipart([['name="f"; filename=""', ""]]),
      400,
      "The form holds no file",
    ],
    [
      "/",
      multipart(Array(6).fill(['name="n"', "v"])),
      400,
      "Form has more than 5 fields",
    ],
    [
      "/",
      '--XyZ\r\nContent-Disposition: form-data; name="f"; filename="cut.txt"\r\n\r\nabc',
      400,
      "",
    ],
    ["/", "a=1", 415, "Uploads must be multipart/form-data"],
    ["/missing/", multipart([good]), 404, "Directory not found"],
    ["/file.txt", multipart([good]), 404, "Directory not found"],
    ["/%2e%2e/", multipart([good]), 400, 'Path contains ".."'],
  ];
  for (const [path, body, code, why] of cases) {
    const type = body === "a=1"
      ? "application/x-www-form-urlencoded"
      : undefined;
    const text = await post_raw(t, path, body, type);
    const status = text.split("\r\n", 1)[0]!;
    if (code === 201) {
      // "a%00b" is a literal name (no %-decoding in a filename): allowed.
      assertEquals(status, "HTTP/1.1 303 See Other", body);
      assertEquals(names(t.dir), ["a%00b", "file.txt", "good.txt"]);
      Deno.removeSync(`${t.dir}/a%00b`);
      Deno.removeSync(`${t.dir}/good.txt`);
      continue;
    }
    assert(status.startsWith(`HTTP/1.1 ${code} `), `${status} for ${body}`);
    if (why !== "") {
      assertEquals(reason(text), why, body);
    }
    assertEquals(names(t.dir), ["file.txt"], body);
  }
});

Deno.test("do_POST() answers 413 over max_upload_size and leaves no temporary file", async () => {
  await using t = await setup({ max_upload_size: 10_000 });
  const form = new FormData();
  form.append("file", new File([random_bytes(20_000)], "big.bin"));
  const res = await fetch(`${t.url}/`, { method: "POST", body: form });
  assertEquals(res.status, 413);
  await res.body?.cancel();
  assertEquals(names(t.dir), []);
});

Deno.test("do_POST() leaves no file and no temporary file when the client vanishes mid-part", async () => {
  await using t = await setup();
  await using c = await RawClient.connect(t.s);
  const head =
    '--XyZ\r\nContent-Disposition: form-data; name="f"; filename="one.txt"\r\n\r\nfirst\r\n' +
    '--XyZ\r\nContent-Disposition: form-data; name="f"; filename="two.bin"\r\n\r\n';
  await c.write(
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 10000000\r\n\r\n${head}`,
  );
  // More than the parser's 256 KiB read buffer, so that both parts start.
  await c.write(random_bytes(1024 * 1024));
  assert(await wait_for(() => names(t.dir).length === 2), names(t.dir).join());
  assert(names(t.dir).every((n) => /^\.upload-[0-9a-f]{32}\.part$/.test(n)));
  await c.close();
  assert(await wait_for(() => names(t.dir).length === 0));
});

Deno.test("PUT and POST without upload, and DELETE, keep Python's 501", async () => {
  await using t = await setup({ upload: false });
  for (const method of ["PUT", "POST", "DELETE"]) {
    const res = await fetch(`${t.url}/a.txt`, { method, body: "x" });
    assertEquals(res.status, 501);
    assertEquals(reason(await res.text()), `Unsupported method ('${method}')`);
  }
  assertEquals(names(t.dir), []);
});

Deno.test("list_directory() shows the upload form only when upload is on, and never a temporary file", async () => {
  for (const upload of [true, false]) {
    await using t = await setup({ upload });
    Deno.writeTextFileSync(
      `${t.dir}/.upload-0123456789abcdef0123456789abcdef.part`,
      "",
    );
    Deno.writeTextFileSync(`${t.dir}/a.txt`, "a");
    const page = await (await fetch(`${t.url}/`)).text();
    assertEquals(
      page.includes(
        '<form id="upload" method="post" enctype="multipart/form-data">',
      ),
      upload,
    );
    assertEquals(
      page.includes('<input type="file" name="file" multiple required>'),
      upload,
    );
    assertEquals(page.includes(".upload-"), false);
    assertStringIncludes(page, '<a href="a.txt">a.txt</a>');
  }
});

Deno.test("PUT and POST answer 507 when the disk fills, leaving no file", async (t) => {
  const disk = await tiny_disk();
  if (disk === null) {
    // Needs a tmpfs, which only root may mount.
    await t.step({
      name: "needs root to mount a tmpfs",
      ignore: true,
      fn() {},
    });
    return;
  }
  try {
    const s = serve(handler_for(disk));
    try {
      const url = `http://127.0.0.1:${s.port}`;
      const [status, , body] = await put(
        `${url}/big.bin`,
        random_bytes(1024 * 1024),
      );
      assertEquals([status, reason(body)], [507, "Insufficient Storage"]);
      assertEquals(names(disk), []);
      const form = new FormData();
      form.append("file", new File([random_bytes(1024 * 1024)], "big.bin"));
      const res = await fetch(`${url}/`, { method: "POST", body: form });
      assertEquals(res.status, 507);
      await res.body?.cancel();
      assertEquals(names(disk), []);
      const [ok] = await put(`${url}/small.txt`, "fits");
      assertEquals(ok, 201);
      assertEquals(names(disk), ["small.txt"]);
    } finally {
      await s[Symbol.asyncDispose]();
    }
  } finally {
    await new Deno.Command("umount", { args: [disk] }).output();
    await Deno.remove(disk, { recursive: true });
  }
});

Deno.test("curl -T file http://host/dir/ and curl -F file=@x upload byte for byte", async (t) => {
  if (await curl_version() === null) {
    await t.step({ name: "needs curl", ignore: true, fn() {} });
    return;
  }
  await using u = await setup();
  Deno.mkdirSync(`${u.dir}/dir`);
  const src = await Deno.makeTempDir();
  try {
    const data = random_bytes(1_500_000);
    Deno.writeFileSync(`${src}/data.bin`, data);
    const put_out = await curl(
      "-T",
      `${src}/data.bin`,
      "-w",
      "%{http_code}",
      `${u.url}/dir/`,
    );
    assertEquals(put_out.stdout, "Created data.bin (1500000 bytes)\n201");
    assertEquals(Deno.readFileSync(`${u.dir}/dir/data.bin`), data);
    const post_out = await curl(
      "-F",
      `file=@${src}/data.bin`,
      "-H",
      "Accept: application/json",
      `${u.url}/dir/`,
    );
    assertEquals(JSON.parse(post_out.stdout), [
      { name: "data (1).bin", size: 1_500_000 },
    ]);
    assertEquals(Deno.readFileSync(`${u.dir}/dir/data (1).bin`), data);
    assertEquals(names(`${u.dir}/dir`), ["data (1).bin", "data.bin"]);
  } finally {
    await Deno.remove(src, { recursive: true });
  }
});
