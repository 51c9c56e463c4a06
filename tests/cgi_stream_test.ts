// Streaming, exactness, bad input and temporary-file cleanup of cgi.ts.
import {
  FieldFile,
  FieldStorage,
  FormLimitError,
  FormParseError,
  QueryFieldError,
  TruncatedBodyError,
} from "../cgi.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

const encoder = new TextEncoder();
const BOUNDARY = "BOUNDARY";

function concat(
  ...parts: (Uint8Array | string)[]
): Uint8Array<ArrayBuffer> {
  const bytes = parts.map((p) => typeof p === "string" ? encoder.encode(p) : p);
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const b of bytes) {
    out.set(b, offset);
    offset += b.length;
  }
  return out;
}

interface Part {
  name: string;
  filename?: string;
  data: Uint8Array | string;
}

function multipart(
  parts: Part[],
  boundary = BOUNDARY,
): Uint8Array<ArrayBuffer> {
  const pieces: (Uint8Array | string)[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined
      ? ""
      : `; filename="${part.filename}"`;
    pieces.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n\r\n`,
      part.data,
      "\r\n",
    );
  }
  pieces.push(`--${boundary}--\r\n`);
  return concat(...pieces);
}

function environ(body: Uint8Array, boundary = BOUNDARY) {
  return {
    REQUEST_METHOD: "POST",
    CONTENT_TYPE: `multipart/form-data; boundary=${boundary}`,
    CONTENT_LENGTH: String(body.length),
  };
}

/** `bytes` cut at the given positions. */
function split(bytes: Uint8Array, ...at: number[]): Uint8Array[] {
  const cuts = [0, ...at, bytes.length];
  return cuts.slice(1).map((end, i) => bytes.slice(cuts[i], end));
}

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out = [];
  for (let i = 0; i < bytes.length; i += size) {
    out.push(bytes.slice(i, i + size));
  }
  return out;
}

/** A FieldStorage that spools parts above `threshold` bytes into `dir`. */
function spoolingTo(dir: string, threshold = 8) {
  return class extends FieldStorage {
    override spool_threshold = threshold;
    override async make_file(): Promise<FieldFile> {
      const path = await Deno.makeTempFile({ dir });
      const file = await Deno.open(path, { read: true, write: true });
      return new FieldFile({ file, path, remove: true });
    }
  };
}

async function listDir(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
}

async function withSpoolDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "cgi_test_" });
  try {
    await fn(dir);
    assertEquals(await listDir(dir), [], "temporary files left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

// Content that looks like delimiters but is not one.
const ADVERSARIAL = concat(
  "\r\n--BOUNDAR\r\n--\r\n",
  `\r\n--${BOUNDARY}X\r\n`,
  `\n--${BOUNDARY}-\r\n`,
  `\r\n--${BOUNDARY}--x\r\n`,
  `x--${BOUNDARY}\r\n`,
  `\r\n-${BOUNDARY}\r\n\r\r\n\r`,
  `\r\n--${BOUNDARY.slice(0, 5)}`,
);

Deno.test("FieldStorage.from() round-trips random binary at every chunk size", async () => {
  await withSpoolDir(async (dir) => {
    const Form = spoolingTo(dir, 1000);
    const binary = concat(
      randomBytes(150_000, 1),
      ADVERSARIAL,
      randomBytes(150_000, 2),
      "\r",
    );
    const body = multipart([
      { name: "a", data: "1" },
      { name: "bin", filename: "x.bin", data: binary },
      { name: "small", filename: "s.bin", data: ADVERSARIAL },
    ]);
    for (const size of [7, 64, 1000, 4096, 65536, 300_000, body.length]) {
      await using form = await Form.from({
        fp: chunks(body, size),
        environ: environ(body),
      });
      const file = form.get("bin") as FieldStorage;
      assertEquals(file.file!.size, binary.length);
      assert(file.file!.path?.startsWith(dir));
      assertEquals(file.value, binary, `chunk size ${size}`);
      assertEquals(form.getvalue("small"), ADVERSARIAL);
      assertEquals(form.getvalue("a"), "1");
    }
  });
});

Deno.test("FieldStorage.from() is exact for adversarial content at every split and chunk size", async () => {
  await withSpoolDir(async (dir) => {
    const Form = spoolingTo(dir, 16);
    const contents = [
      ADVERSARIAL,
      encoder.encode("\r"),
      encoder.encode("\r\n"),
      encoder.encode("\n"),
      encoder.encode(""),
      encoder.encode(`x\r\n--${BOUNDARY} \tx`),
    ];
    const body = multipart(
      contents.map((data, i) => ({ name: `f${i}`, filename: `${i}`, data })),
    );
    const inputs = Array.from({ length: 24 }, (_, i) => chunks(body, i + 1));
    for (let k = 0; k <= body.length; k++) {
      inputs.push(split(body, k), split(body, k, k + 1));
    }
    for (const [k, fp] of inputs.entries()) {
      await using form = await Form.from({ fp, environ: environ(body) });
      assertEquals(form.list!.map((f) => f.value), contents, `input ${k}`);
    }
  });
});

Deno.test("FieldStorage.from() accepts every fp shape and a Request", async () => {
  const body = multipart([{ name: "a", data: "1" }, {
    name: "f",
    filename: "f.txt",
    data: "hello",
  }]);
  async function* generator() {
    yield* chunks(body, 3);
  }
  let offset = 0;
  const reader = {
    read(n: number): Promise<Uint8Array> {
      const chunk = body.slice(offset, offset + Math.min(n, 5));
      offset += chunk.length;
      return Promise.resolve(chunk);
    },
  };
  const inputs = [
    generator(),
    ReadableStream.from(chunks(body, 4)),
    { readable: ReadableStream.from([body]) },
    reader,
  ];
  for (const fp of inputs) {
    await using form = await FieldStorage.from({ fp, environ: environ(body) });
    assertEquals([form.getvalue("a"), form.getvalue("f")], [
      "1",
      encoder.encode("hello"),
    ]);
  }
  const request = new Request("http://localhost/?q=1", {
    method: "POST",
    headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
    body,
  });
  await using form = await FieldStorage.from(request);
  assertEquals(form.keys(), ["a", "f"]);
  assertEquals(form.headers, request.headers);
  const get = await FieldStorage.from(new Request("http://localhost/?q=1"));
  assertEquals(get.getvalue("q"), "1");
});

Deno.test("FieldStorage.from() stops reading at Content-Length", async () => {
  const body = multipart([{ name: "a", data: "1" }]);
  await using form = await FieldStorage.from({
    fp: [concat(body, "trailing garbage")],
    environ: environ(body),
  });
  assertEquals(form.getvalue("a"), "1");
});

Deno.test("FieldStorage.from() reads a part up to outerboundary", async () => {
  await using form = await FieldStorage.from({
    fp: [encoder.encode("part body\r\n--outer\r\nmore")],
    headers: { "content-disposition": 'form-data; name="p"' },
    outerboundary: encoder.encode("outer"),
  });
  assertEquals([form.name, form.type, form.value], [
    "p",
    "text/plain",
    "part body",
  ]);
});

Deno.test("FieldFile streams and reads a spooled part", async () => {
  const data = randomBytes(100_000, 3);
  const body = multipart([{ name: "f", filename: "f.bin", data }]);
  const form = await FieldStorage.from({ fp: [body], environ: environ(body) });
  const file = (form.get("f") as FieldStorage).file!;
  // Unlinked when opened, as Python's TemporaryFile: the handle holds it.
  if (Deno.build.os !== "windows") assertEquals(file.path, null);
  assertEquals(await file.read(10), data.slice(0, 10));
  assertEquals(file.readSync(5), data.slice(10, 15));
  const streamed = await new Response(file.stream()).bytes();
  assertEquals(streamed, data);
  form.close();
  form.close();
  assert(file.closed);
});

Deno.test("FieldStorage.from() rejects an aborted upload and removes its files", async () => {
  await withSpoolDir(async (dir) => {
    const Form = spoolingTo(dir);
    const body = multipart([
      { name: "a", filename: "a", data: randomBytes(5000, 4) },
      { name: "b", filename: "b", data: randomBytes(100_000, 5) },
    ]);
    for (const cut of [3, 60, 200, 5100, 50_000, body.length - 3]) {
      // Without a length, the end of the input is where the body ends.
      await assertRejects(
        () =>
          Form.from({
            fp: chunks(body.slice(0, cut), 4096),
            environ: { ...environ(body), CONTENT_LENGTH: undefined },
          }),
        TruncatedBodyError,
        'Multipart body ended before the final boundary "--BOUNDARY--"',
      );
      const error = await assertRejects(
        () =>
          Form.from({
            fp: chunks(body.slice(0, cut), 4096),
            environ: environ(body),
          }),
        TruncatedBodyError,
        `Body ended after ${cut} of ${body.length} bytes`,
      );
      assertEquals([error.bytes_read, error.expected], [cut, body.length]);
    }
  });
});

Deno.test("FieldStorage.from() rejects a short urlencoded body", async () => {
  await assertRejects(
    () =>
      FieldStorage.from({
        fp: [encoder.encode("a=1")],
        environ: {
          REQUEST_METHOD: "POST",
          CONTENT_TYPE: "application/x-www-form-urlencoded",
          CONTENT_LENGTH: "10",
        },
      }),
    TruncatedBodyError,
    "Body ended after 3 of 10 bytes",
  );
});

Deno.test("FieldStorage.from() rejects more fields than max_num_fields and removes files", async () => {
  await withSpoolDir(async (dir) => {
    const body = multipart([
      { name: "f", filename: "f", data: randomBytes(1000, 6) },
      { name: "a", data: "1" },
      { name: "b", data: "2" },
    ]);
    const error = await assertRejects(
      () =>
        spoolingTo(dir).from({
          fp: [body],
          environ: environ(body),
          max_num_fields: 2,
        }),
      FormLimitError,
      "Form has more than 2 fields",
    );
    assertEquals([error.kind, error.limit], ["max_num_fields", 2]);
  });
});

Deno.test("FieldStorage.from() rejects part headers over max_header_size", async () => {
  await withSpoolDir(async (dir) => {
    const Form = spoolingTo(dir);
    const big = "x".repeat(20_000);
    for (const headers of [`X-Big: ${big}\r\n`, `X-A: 1\r\nX-Big: ${big}`]) {
      const body = concat(
        multipart([{ name: "f", filename: "f", data: randomBytes(100, 7) }])
          .slice(0, -12),
        `\r\n--${BOUNDARY}\r\n${headers}\r\n\r\nx\r\n--${BOUNDARY}--\r\n`,
      );
      const error = await assertRejects(
        () => Form.from({ fp: chunks(body, 1000), environ: environ(body) }),
        FormLimitError,
        "Part headers exceed 16384 bytes",
      );
      assertEquals(error.kind, "max_header_size");
    }
  });
});

Deno.test("FieldStorage.from() enforces limit", async () => {
  await withSpoolDir(async (dir) => {
    const Form = spoolingTo(dir);
    const body = multipart([{
      name: "f",
      filename: "f",
      data: "x".repeat(50),
    }]);
    await assertRejects(
      () => Form.from({ fp: [body], environ: environ(body), limit: 100 }),
      FormLimitError,
      `Content-Length "${body.length}" exceeds the limit of 100 bytes`,
    );
    const error = await assertRejects(
      () =>
        Form.from({
          fp: chunks(body, 30),
          environ: { ...environ(body), CONTENT_LENGTH: undefined },
          limit: 100,
        }),
      FormLimitError,
      "Body exceeds the limit of 100 bytes",
    );
    assertEquals([error.kind, error.limit], ["limit", 100]);
    await using form = await Form.from({
      fp: chunks(body, 30),
      environ: { ...environ(body), CONTENT_LENGTH: undefined },
      limit: body.length,
    });
    assertEquals(form.getvalue("f"), encoder.encode("x".repeat(50)));
  });
});

Deno.test("FieldStorage.from() removes earlier files when make_file() fails", async () => {
  await withSpoolDir(async (dir) => {
    let calls = 0;
    class Failing extends spoolingTo(dir) {
      override make_file(): Promise<FieldFile> {
        if (++calls === 2) throw new Error("disk full");
        return super.make_file();
      }
    }
    const body = multipart([
      { name: "a", filename: "a", data: "x".repeat(100) },
      { name: "b", filename: "b", data: "y".repeat(100) },
    ]);
    await assertRejects(
      () => Failing.from({ fp: [body], environ: environ(body) }),
      Error,
      "disk full",
    );
  });
});

Deno.test("FieldStorage.from() checks percent-encoding under strict_parsing", async () => {
  const environ = { QUERY_STRING: "a=%zz&b=%4" };
  const error = await assertRejects(
    () => FieldStorage.from({ environ, strict_parsing: true }),
    QueryFieldError,
    'Bad percent-encoding in query field "a=%zz"',
  );
  assertEquals(error.field, "a=%zz");
  const form = await FieldStorage.from({ environ });
  assertEquals([form.getvalue("a"), form.getvalue("b")], ["%zz", "%4"]);
  const utf8 = await FieldStorage.from({
    environ: { QUERY_STRING: "x=%C3%A9+%E2%82&y=caf%E9" },
  });
  assertEquals(utf8.getvalue("x"), "\u00e9 \ufffd");
  const latin1 = await FieldStorage.from({
    environ: { QUERY_STRING: "y=caf%E9" },
    encoding: "latin-1",
  });
  assertEquals(latin1.getvalue("y"), "caf\u00e9");
});

Deno.test("FieldStorage.from() throws FormParseError on undecodable text under strict errors", async () => {
  const body = multipart([{ name: "a", data: new Uint8Array([0xff]) }]);
  await assertRejects(
    async () => {
      const form = await FieldStorage.from({
        fp: [body],
        environ: environ(body),
        errors: "strict",
      });
      form.getvalue("a");
    },
    FormParseError,
    'Cannot decode bytes as "utf-8"',
  );
});

Deno.test("FieldStorage.from() reads the spec's curl upload", async () => {
  const source = encoder.encode("#!/usr/bin/env python3\n".repeat(100));
  const body = new FormData();
  body.append("name", "alvin");
  body.append("foo", "bar");
  body.append("datafile", new File([source], "http_server_GET.py"));
  const request = new Request("http://127.0.0.1:8081/", {
    method: "POST",
    body,
  });
  await using form = await FieldStorage.from({
    fp: request.body!,
    headers: request.headers,
    environ: {
      REQUEST_METHOD: "POST",
      CONTENT_TYPE: request.headers.get("Content-Type") ?? "",
    },
  });
  const lines = [];
  for (const key of form.keys()) {
    const field = form.get(key);
    if (field instanceof FieldStorage && field.filename !== null) {
      lines.push(
        `Uploaded ${key} as '${field.filename}' (${field.file!.size} bytes)`,
      );
    } else if (field !== undefined && !Array.isArray(field)) {
      lines.push(`${key}=${field.value}`);
    }
  }
  assertEquals(lines, [
    "name=alvin",
    "foo=bar",
    "Uploaded datafile as 'http_server_GET.py' (2300 bytes)",
  ]);
});

Deno.test("FieldStorage.from() ends an empty part at a delimiter right after its headers", async () => {
  // Python's line reader sees the delimiter at the start of the part's
  // first line; no CRLF before it is needed.
  const body = encoder.encode(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="b"\r\n\r\n` +
      `x\r\n--${BOUNDARY}--`,
  );
  for (const fp of [[body], chunks(body, 1)]) {
    const form = await FieldStorage.from({ fp, environ: environ(body) });
    assertEquals([form.getvalue("a"), form.getvalue("b")], ["", "x"]);
  }
});

/** A reader of `bytes` with only `readinto()`, at most `step` bytes a call. */
function readinto_reader(bytes: Uint8Array, step: number) {
  let offset = 0;
  return {
    readinto(buffer: Uint8Array): Promise<number> {
      const n = Math.min(step, buffer.length, bytes.length - offset);
      buffer.set(bytes.subarray(offset, offset + n));
      offset += n;
      return Promise.resolve(n);
    },
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      throw new Error("readinto() is there: the parser should use it");
    },
  };
}

Deno.test("FieldStorage.from() reads an fp with readinto() into its buffer, within the same bounds", async () => {
  await withSpoolDir(async (dir) => {
    const Form = spoolingTo(dir);
    const data = randomBytes(700_000, 8);
    const body = multipart([
      { name: "a", data: "1" },
      { name: "f", filename: "f.bin", data },
    ]);
    for (const step of [1000, 65_536, 1 << 20]) {
      for (const length of [String(body.length), undefined]) {
        await using form = await Form.from({
          fp: readinto_reader(body, step),
          environ: { ...environ(body), CONTENT_LENGTH: length },
        });
        assertEquals(form.getvalue("a"), "1");
        assertEquals(form.getvalue("f"), data);
      }
    }
    const cut = body.slice(0, 400_000);
    await assertRejects(
      () =>
        Form.from({ fp: readinto_reader(cut, 65_536), environ: environ(body) }),
      TruncatedBodyError,
      `Body ended after 400000 of ${body.length} bytes`,
    );
    const over = await assertRejects(
      () =>
        Form.from({
          fp: readinto_reader(body, 65_536),
          environ: { ...environ(body), CONTENT_LENGTH: undefined },
          limit: 300_000,
        }),
      FormLimitError,
      "Body exceeds the limit of 300000 bytes",
    );
    assertEquals(over.kind, "limit");
    // A single part (read through chunks()) and a urlencoded body.
    await using put = await Form.from({
      fp: readinto_reader(data, 65_536),
      environ: { REQUEST_METHOD: "PUT", CONTENT_LENGTH: String(data.length) },
    });
    assertEquals(put.file?.size, data.length);
    assertEquals(put.value, new TextDecoder().decode(data));
    const qs = encoder.encode("a=1&b=" + "x".repeat(100_000));
    const urlencoded = await FieldStorage.from({
      fp: readinto_reader(qs, 4096),
      environ: {
        REQUEST_METHOD: "POST",
        CONTENT_TYPE: "application/x-www-form-urlencoded",
        CONTENT_LENGTH: String(qs.length),
      },
    });
    assertEquals(urlencoded.getvalue("b"), "x".repeat(100_000));
    await assertRejects(
      () =>
        FieldStorage.from({
          fp: { readinto: () => Promise.resolve(-1) },
          environ: environ(body),
        } as never),
      TypeError,
      "fp.readinto() returned -1",
    );
  });
});
