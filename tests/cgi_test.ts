// Ports the behaviours checked by CPython 3.12's Lib/test/test_cgi.py.
import {
  BoundaryError,
  type Environ,
  FieldStorage,
  FormLimitError,
  MiniFieldStorage,
  parse,
  parse_header,
  parse_multipart,
  QueryFieldError,
  TruncatedBodyError,
} from "../cgi.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
} from "./_assert.ts";

/** Python's `s.encode("latin-1")`. */
function latin1(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

const BOUNDARY = "---------------------------721837373350705526688164684";

const POSTDATA = `-----------------------------721837373350705526688164684
Content-Disposition: form-data; name="id"

1234
-----------------------------721837373350705526688164684
Content-Disposition: form-data; name="title"


-----------------------------721837373350705526688164684
Content-Disposition: form-data; name="file"; filename="test.txt"
Content-Type: text/plain

Testing 123.

-----------------------------721837373350705526688164684
Content-Disposition: form-data; name="submit"

 Add\x20
-----------------------------721837373350705526688164684--
`;

const POSTDATA_NON_ASCII =
  `-----------------------------721837373350705526688164684
Content-Disposition: form-data; name="id"

\xe7\xf1\x80
-----------------------------721837373350705526688164684--
`;

const BOUNDARY_W3 = "AaB03x";
const POSTDATA_W3 = `--AaB03x
Content-Disposition: form-data; name="submit-name"

Larry
--AaB03x
Content-Disposition: form-data; name="files"
Content-Type: multipart/mixed; boundary=BbC04y

--BbC04y
Content-Disposition: file; filename="file1.txt"
Content-Type: text/plain

... contents of file1.txt ...
--BbC04y
Content-Disposition: file; filename="file2.gif"
Content-Type: image/gif
Content-Transfer-Encoding: binary

...contents of file2.gif...
--BbC04y--
--AaB03x--
`;

function multipartEnviron(boundary: string, length: number): Environ {
  return {
    REQUEST_METHOD: "POST",
    CONTENT_TYPE: `multipart/form-data; boundary=${boundary}`,
    CONTENT_LENGTH: String(length),
  };
}

/** Python's gen_result: each key's value, or its list of values. */
async function genResult(
  data: string,
  environ: Environ,
): Promise<Record<string, unknown>> {
  await using form = await FieldStorage.from({
    fp: [latin1(data)],
    environ,
    encoding: "latin-1",
  });
  const result: Record<string, unknown> = {};
  for (const key of form.keys()) {
    const value = form.get(key)!;
    result[String(key)] = Array.isArray(value)
      ? form.getlist(key)
      : value.value;
  }
  return result;
}

function fieldsOf(form: FieldStorage): unknown[] {
  return form.list!.map((f) => ({
    name: f.name,
    filename: f.filename,
    value: f.value,
  }));
}

const EXPECTED_POSTDATA = [
  { name: "id", filename: null, value: "1234" },
  { name: "title", filename: null, value: "" },
  { name: "file", filename: "test.txt", value: latin1("Testing 123.\n") },
  { name: "submit", filename: null, value: " Add " },
];

Deno.test("parse_multipart() returns the lists of values", async () => {
  const result = await parse_multipart([latin1(POSTDATA)], {
    boundary: latin1(BOUNDARY),
    "CONTENT-LENGTH": String(POSTDATA.length),
  });
  assertEquals(result, {
    id: ["1234"],
    title: [""],
    file: [latin1("Testing 123.\n")],
    submit: [" Add "],
  });
});

Deno.test("parse_multipart() rejects a body shorter than CONTENT-LENGTH", async () => {
  // CPython's test passes 558 for this 540-byte body and gets a result.
  const error = await assertRejects(
    () =>
      parse_multipart([latin1(POSTDATA)], {
        boundary: BOUNDARY,
        "CONTENT-LENGTH": "558",
      }),
    TruncatedBodyError,
    "Body ended after 540 of 558 bytes",
  );
  assertEquals([error.bytes_read, error.expected], [540, 558]);
});

Deno.test("parse_multipart() works without a content length", async () => {
  const data = `--JfISa01
Content-Disposition: form-data; name="submit-name"

just a string

--JfISa01--
`;
  const result = await parse_multipart([latin1(data)], {
    boundary: latin1("JfISa01"),
  });
  assertEquals(result, { "submit-name": ["just a string\n"] });
});

Deno.test("parse_multipart() decodes with encoding and errors", async () => {
  const data = `--JfISa01
Content-Disposition: form-data; name="submit-name"
Content-Length: 3

\u2603
--JfISa01--`;
  const bytes = utf8(data);
  const result = await parse_multipart([bytes], {
    boundary: "JfISa01",
    "CONTENT-LENGTH": String(bytes.length),
  }, { encoding: "ascii", errors: "surrogateescape" });
  assertEquals(result, { "submit-name": ["\udce2\udc98\udc83"] });
});

Deno.test("FieldStorage.from() with no input is an empty GET form", async () => {
  const form = await FieldStorage.from({ environ: {} });
  assertEquals(form.list, []);
  assertEquals(form.size, 0);
  assertEquals([...form], form.keys());
  form.list!.push(new MiniFieldStorage("fieldvalue", "x"));
  assertEquals(form.size, 1);
});

Deno.test("FieldStorage.from() rejects a bad fp or headers", async () => {
  await assertRejects(
    () =>
      FieldStorage.from({
        fp: "not-a-file-obj" as unknown as Uint8Array[],
        environ: { REQUEST_METHOD: "PUT" },
      }),
    TypeError,
    "Cannot read form data from fp of type string",
  );
  await assertRejects(
    () =>
      FieldStorage.from({
        headers: "bar" as unknown as Record<string, string>,
        environ: {},
      }),
    TypeError,
    "Cannot use headers of type string",
  );
  const form = await FieldStorage.from({
    headers: { "content-type": "text/plain" },
    environ: {},
  });
  assertThrows(() => form.keys(), TypeError, "not indexable");
  assertThrows(() => form.get("a"), TypeError, "not indexable");
});

// [query, expected result or the field a strict parse rejects]
const STRICT_CASES: [string, Record<string, string[]> | QueryFieldError][] = [
  ["", {}],
  ["&", new QueryFieldError('Bad query field ""', "")],
  ["&&", new QueryFieldError('Bad query field ""', "")],
  ["=", {}],
  ["=&=", {}],
  ["=a", { "": ["a"] }],
  ["&=a", new QueryFieldError('Bad query field ""', "")],
  ["=a&", new QueryFieldError('Bad query field ""', "")],
  ["=&a", new QueryFieldError('Bad query field "a"', "a")],
  ["b=a", { b: ["a"] }],
  ["b+=a", { "b ": ["a"] }],
  ["a=b=a", { a: ["b=a"] }],
  ["a=+b=a", { a: [" b=a"] }],
  ["&b=a", new QueryFieldError('Bad query field ""', "")],
  ["b&=a", new QueryFieldError('Bad query field "b"', "b")],
  ["a=a+b&b=b+c", { a: ["a b"], b: ["b c"] }],
  ["a=a+b&a=b+a", { a: ["a b", "b a"] }],
  ["x=1&y=2.0&z=2-3.%2b0", { x: ["1"], y: ["2.0"], z: ["2-3.+0"] }],
  [
    "Hbc5161168c542333633315dee1182227:key_store_seqid=400006&cuyer=r&view=bustomer&order_id=0bb2e248638833d48cb7fed300000f1b&expire=964546263&lobale=en-US&kid=130003.300038&ss=env",
    {
      "Hbc5161168c542333633315dee1182227:key_store_seqid": ["400006"],
      cuyer: ["r"],
      view: ["bustomer"],
      order_id: ["0bb2e248638833d48cb7fed300000f1b"],
      expire: ["964546263"],
      lobale: ["en-US"],
      kid: ["130003.300038"],
      ss: ["env"],
    },
  ],
  [
    "group_id=5470&set=custom&_assigned_to=31392&_status=1&_category=100&SUBMIT=Browse",
    {
      group_id: ["5470"],
      set: ["custom"],
      _assigned_to: ["31392"],
      _status: ["1"],
      _category: ["100"],
      SUBMIT: ["Browse"],
    },
  ],
];

async function strictParse(
  query: string,
  method: "GET" | "POST",
): Promise<Record<string, unknown> | unknown> {
  const options = method === "GET"
    ? { environ: { REQUEST_METHOD: "GET", QUERY_STRING: query } }
    : {
      fp: [latin1(query)],
      environ: {
        REQUEST_METHOD: "POST",
        CONTENT_TYPE: "application/x-www-form-urlencoded",
        CONTENT_LENGTH: String(query.length),
      },
    };
  try {
    return await parse({ ...options, strict_parsing: true });
  } catch (e) {
    return e;
  }
}

Deno.test("parse() and FieldStorage.from() follow Python's strict cases", async () => {
  for (const [query, expected] of STRICT_CASES) {
    for (const method of ["GET", "POST"] as const) {
      const got = await strictParse(query, method);
      if (expected instanceof QueryFieldError) {
        assert(got instanceof QueryFieldError, `${method} ${query}`);
        assertEquals([got.message, got.field], [
          expected.message,
          expected.field,
        ]);
      } else {
        assertEquals(got, expected, `${method} ${query}`);
      }
    }
    if (expected instanceof QueryFieldError) continue;
    const form = await FieldStorage.from({ environ: { QUERY_STRING: query } });
    assertEquals(form.size, Object.keys(expected).length);
    assertEquals(form.keys(), Object.keys(expected));
    assertEquals(form.getvalue("nonexistent field", "default"), "default");
    for (const [key, values] of Object.entries(expected)) {
      assert(form.has(key));
      assertEquals(
        form.getvalue(key),
        values.length > 1 ? values : values[0],
      );
    }
  }
});

Deno.test("FieldStorage.from() splits on separator", async () => {
  const cases: [string, Record<string, string[]>][] = [
    ["x=1;y=2.0", { x: ["1"], y: ["2.0"] }],
    ["x=1;y=2.0;z=2-3.%2b0", { x: ["1"], y: ["2.0"], z: ["2-3.+0"] }],
    ["a=a+b;b=b+c", { a: ["a b"], b: ["b c"] }],
    ["a=a+b;a=b+a", { a: ["a b", "b a"] }],
  ];
  for (const [query, expected] of cases) {
    const form = await FieldStorage.from({
      separator: ";",
      environ: { QUERY_STRING: query },
    });
    for (const [key, values] of Object.entries(expected)) {
      assertEquals(
        form.getvalue(key),
        values.length > 1 ? values : values[0],
      );
    }
  }
  for (const query of [";", ";;", "=;a", ";b=a", "b;=a"]) {
    await assertRejects(
      () =>
        FieldStorage.from({
          separator: ";",
          strict_parsing: true,
          environ: { QUERY_STRING: query },
        }),
      QueryFieldError,
    );
  }
});

Deno.test("FieldStorage.from() reads a multipart form", async () => {
  await using form = await FieldStorage.from({
    fp: [latin1(POSTDATA)],
    environ: multipartEnviron(BOUNDARY, POSTDATA.length),
    encoding: "latin-1",
  });
  assertEquals(fieldsOf(form), EXPECTED_POSTDATA);
  const file = form.get("file") as FieldStorage;
  assertEquals(file.type, "text/plain");
  assertEquals(file.disposition, "form-data");
  assertEquals(file.disposition_options, {
    name: "file",
    filename: "test.txt",
  });
  assertEquals(file.headers, {
    "content-disposition": 'form-data; name="file"; filename="test.txt"',
    "content-type": "text/plain",
  });
  assertEquals(file.file?.size, 13);
  assertEquals(file.length, -1);
  assertEquals(form.length, POSTDATA.length);
});

Deno.test("FieldStorage.from() skips leading whitespace before the first boundary", async () => {
  await using form = await FieldStorage.from({
    fp: [latin1("\r\n" + POSTDATA)],
    environ: multipartEnviron(BOUNDARY, POSTDATA.length + 2),
    encoding: "latin-1",
  });
  assertEquals(fieldsOf(form), EXPECTED_POSTDATA);
});

Deno.test("FieldStorage.from() decodes non-ASCII values with encoding", async () => {
  for (const encoding of ["iso-8859-1", "utf-8"]) {
    const bytes = encoding === "utf-8"
      ? utf8(POSTDATA_NON_ASCII)
      : latin1(POSTDATA_NON_ASCII);
    await using form = await FieldStorage.from({
      fp: [bytes],
      environ: multipartEnviron(BOUNDARY, bytes.length),
      encoding,
    });
    assertEquals(fieldsOf(form), [{
      name: "id",
      filename: null,
      value: "\xe7\xf1\x80",
    }]);
  }
});

Deno.test("FieldStorage.from() keeps lines around 64 KiB intact", async () => {
  const maxline = 1 << 16;
  for (
    const content of [
      "x".repeat(maxline - 1),
      "x".repeat(maxline - 1) + "\r",
      "x".repeat(maxline - 1) + "\r" + "y".repeat(maxline - 1),
    ]
  ) {
    const data = `---123
Content-Disposition: form-data; name="upload"; filename="fake.txt"
Content-Type: text/plain

${content}
---123--
`.replaceAll("\n", "\r\n");
    assertEquals(
      await genResult(data, multipartEnviron("-123", data.length)),
      { upload: latin1(content) },
    );
  }
});

Deno.test("FieldStorage.from() reads nested multipart/mixed (W3C sample)", async () => {
  await using form = await FieldStorage.from({
    fp: [latin1(POSTDATA_W3)],
    environ: multipartEnviron(BOUNDARY_W3, POSTDATA_W3.length),
    encoding: "latin-1",
  });
  assertEquals(form.list!.length, 2);
  assertEquals(form.list![0]!.name, "submit-name");
  assertEquals(form.list![0]!.value, "Larry");
  assertEquals(form.list![1]!.name, "files");
  assertEquals(form.list![1]!.type, "multipart/mixed");
  assertEquals(fieldsOf(form.list![1] as FieldStorage), [
    {
      name: null,
      filename: "file1.txt",
      value: latin1("... contents of file1.txt ..."),
    },
    {
      name: null,
      filename: "file2.gif",
      value: latin1("...contents of file2.gif..."),
    },
  ]);
});

Deno.test("FieldStorage.from() ignores Content-Length in part headers", async () => {
  const data = `--JfISa01
Content-Disposition: form-data; name="submit-name"
Content-Length: 5

Larry
--JfISa01--`;
  await using form = await FieldStorage.from({
    fp: [latin1(data)],
    environ: multipartEnviron("JfISa01", data.length),
    encoding: "latin-1",
  });
  assertEquals(form.list!.length, 1);
  assertEquals(form.list![0]!.name, "submit-name");
  assertEquals(form.list![0]!.value, "Larry");
});

Deno.test("FieldStorage.from() rejects a body without the final boundary", async () => {
  // CPython's test_fieldstorage_part_content_length accepts this body.
  const data = `--JfISa01
Content-Disposition: form-data; name="submit-name"

Larry
--JfISa01`;
  await assertRejects(
    () =>
      FieldStorage.from({
        fp: [latin1(data)],
        environ: multipartEnviron("JfISa01", data.length),
      }),
    TruncatedBodyError,
    'Multipart body ended before the final boundary "--JfISa01--"',
  );
});

Deno.test("FieldStorage.from() reads multipart without a content length", async () => {
  const data = `--MyBoundary
Content-Disposition: form-data; name="my-arg"; filename="foo"

Test

--MyBoundary--
`;
  await using form = await FieldStorage.from({
    fp: [latin1(data)],
    environ: {
      REQUEST_METHOD: "POST",
      CONTENT_TYPE: "multipart/form-data; boundary=MyBoundary",
    },
  });
  const field = form.get("my-arg") as FieldStorage;
  assertEquals((await field.file!.read()).length, 5);
});

Deno.test("FieldStorage.from() works with await using", async () => {
  let file;
  {
    await using form = await FieldStorage.from({
      fp: [latin1("x".repeat(10))],
      environ: { REQUEST_METHOD: "PUT" },
    });
    file = form.file!;
    assertEquals(form.value, "x".repeat(10));
    assertEquals(file.closed, false);
  }
  assertEquals(file.closed, true);
  await assertRejects(() => file.read(), TypeError, "closed FieldFile");
});

const QS_RESULT = {
  key1: "value1",
  key2: ["value2x", "value2y"],
  key3: "value3",
  key4: "value4",
};

Deno.test("FieldStorage.from() adds QUERY_STRING to a urlencoded POST", async () => {
  const data = "key2=value2x&key3=value3&key4=value4";
  const result = await genResult(data, {
    CONTENT_LENGTH: String(data.length),
    CONTENT_TYPE: "application/x-www-form-urlencoded",
    QUERY_STRING: "key1=value1&key2=value2y",
    REQUEST_METHOD: "POST",
  });
  assertEquals(result, {
    key2: ["value2x", "value2y"],
    key3: "value3",
    key4: "value4",
    key1: "value1",
  });
  assertEquals(result, QS_RESULT);
});

const MAX_FIELDS_DATA = `---123
Content-Disposition: form-data; name="a"

3
---123
Content-Type: application/x-www-form-urlencoded

a=4
---123
Content-Type: application/x-www-form-urlencoded

a=5
---123--
`;

Deno.test("FieldStorage.from() enforces max_num_fields", async () => {
  const data = Array(11).fill("a=a").join("&");
  await assertRejects(
    () =>
      FieldStorage.from({
        fp: [utf8(data)],
        environ: {
          CONTENT_LENGTH: String(data.length),
          CONTENT_TYPE: "application/x-www-form-urlencoded",
          REQUEST_METHOD: "POST",
        },
        max_num_fields: 10,
      }),
    FormLimitError,
    "Form has more than 10 fields",
  );
  const environ = {
    CONTENT_LENGTH: String(MAX_FIELDS_DATA.length),
    CONTENT_TYPE: "multipart/form-data; boundary=-123",
    QUERY_STRING: "a=1&a=2",
    REQUEST_METHOD: "POST",
  };
  // 2 query fields, 1 plain part, 1 field in each urlencoded part.
  await assertRejects(
    () =>
      FieldStorage.from({
        fp: [utf8(MAX_FIELDS_DATA)],
        environ,
        max_num_fields: 4,
      }),
    FormLimitError,
    "Form has more than 4 fields",
  );
  await using form = await FieldStorage.from({
    fp: [utf8(MAX_FIELDS_DATA)],
    environ,
    max_num_fields: 5,
  });
  assertEquals(form.getvalue("a"), ["1", "2", "3"]);
  assertEquals(form.getvalue(null), [
    [new MiniFieldStorage("a", "4")],
    [new MiniFieldStorage("a", "5")],
  ]);
});

Deno.test("FieldStorage.from() adds QUERY_STRING to a multipart POST", async () => {
  const data = `---123
Content-Disposition: form-data; name="key2"

value2y
---123
Content-Disposition: form-data; name="key3"

value3
---123
Content-Disposition: form-data; name="key4"

value4
---123--
`;
  const environ = {
    CONTENT_LENGTH: String(data.length),
    CONTENT_TYPE: "multipart/form-data; boundary=-123",
    QUERY_STRING: "key1=value1&key2=value2x",
    REQUEST_METHOD: "POST",
  };
  assertEquals(await genResult(data, environ), {
    key1: "value1",
    key2: ["value2x", "value2y"],
    key3: "value3",
    key4: "value4",
  });
  const withFile = data.replace(
    "---123--",
    `---123
Content-Disposition: form-data; name="upload"; filename="fake.txt"
Content-Type: text/plain

this is the content of the fake file

---123--`,
  );
  assertEquals(
    await genResult(withFile, {
      ...environ,
      CONTENT_LENGTH: String(withFile.length),
    }),
    {
      ...QS_RESULT,
      upload: latin1("this is the content of the fake file\n"),
    },
  );
});

Deno.test("parse_header() splits a header into value and parameters", () => {
  assertEquals(parse_header("text/plain"), ["text/plain", {}]);
  assertEquals(parse_header("text/vnd.just.made.this.up ; "), [
    "text/vnd.just.made.this.up",
    {},
  ]);
  assertEquals(parse_header("text/plain;charset=us-ascii"), [
    "text/plain",
    { charset: "us-ascii" },
  ]);
  assertEquals(parse_header('text/plain ; charset="us-ascii"'), [
    "text/plain",
    { charset: "us-ascii" },
  ]);
  assertEquals(parse_header('text/plain ; charset="us-ascii"; another=opt'), [
    "text/plain",
    { charset: "us-ascii", another: "opt" },
  ]);
  assertEquals(parse_header('attachment; filename="silly.txt"'), [
    "attachment",
    { filename: "silly.txt" },
  ]);
  assertEquals(parse_header('attachment; filename="strange;name"'), [
    "attachment",
    { filename: "strange;name" },
  ]);
  assertEquals(
    parse_header('attachment; filename="strange;name";size=123;'),
    ["attachment", { filename: "strange;name", size: "123" }],
  );
  assertEquals(
    parse_header('form-data; name="files"; filename="fo\\"o;bar"'),
    ["form-data", { name: "files", filename: 'fo"o;bar' }],
  );
});

Deno.test("FieldStorage.from() rejects a missing or invalid boundary", async () => {
  const fp = [utf8("--x--\r\n")];
  const missing = await assertRejects(
    () =>
      FieldStorage.from({
        fp,
        environ: {
          REQUEST_METHOD: "POST",
          CONTENT_TYPE: "multipart/form-data",
        },
      }),
    BoundaryError,
    'Missing boundary in content type "multipart/form-data"',
  );
  assertEquals(missing.boundary, null);
  for (
    const boundary of ['""', '"a "', "\u00e9", '"' + "x".repeat(202) + '"']
  ) {
    const error = await assertRejects(
      () =>
        FieldStorage.from({
          fp,
          environ: {
            REQUEST_METHOD: "POST",
            CONTENT_TYPE: `multipart/form-data; boundary=${boundary}`,
          },
        }),
      BoundaryError,
      "Invalid multipart boundary",
    );
    assertEquals(error.boundary, boundary.replaceAll('"', ""));
  }
});

Deno.test("FieldStorage.from() refuses a URL-encoded body over max_urlencoded_size, which it would hold in memory", async () => {
  class Small extends FieldStorage {
    override max_urlencoded_size = 16;
  }
  const environ = {
    CONTENT_TYPE: "application/x-www-form-urlencoded",
    REQUEST_METHOD: "POST",
  };
  const error = await assertRejects(
    () =>
      Small.from({
        fp: [utf8("a=1&b=2&"), utf8("c=3&d=4&e=5")],
        environ,
      }),
    FormLimitError,
    "URL-encoded body is over max_urlencoded_size (16 bytes)",
  );
  assertEquals([error.kind, error.limit], ["max_urlencoded_size", 16]);
  await using form = await Small.from({
    fp: [utf8("a=1&b=2&c=3&d=4")],
    environ,
  });
  assertEquals(form.getvalue("d"), "4");
});

Deno.test("parse() bounds a URL-encoded body by max_urlencoded_size, as FieldStorage does", async () => {
  const max = new FieldStorage().max_urlencoded_size;
  const mib = new Uint8Array(1024 * 1024).fill(0x61); // "a"
  const chunks = Array.from({ length: max / mib.length + 1 }, () => mib);
  for (const length of [undefined, String(max + mib.length)]) {
    const error = await assertRejects(
      () =>
        parse({
          fp: chunks,
          environ: {
            REQUEST_METHOD: "POST",
            CONTENT_TYPE: "application/x-www-form-urlencoded",
            ...(length === undefined ? {} : { CONTENT_LENGTH: length }),
          },
        }),
      FormLimitError,
      `URL-encoded body is over max_urlencoded_size (${max} bytes)`,
    );
    assertEquals([error.kind, error.limit], ["max_urlencoded_size", max]);
  }
});

Deno.test("parse() joins a POST body and QUERY_STRING as Python does", async () => {
  const post = (body: string, query?: string) => ({
    fp: [utf8(body)],
    environ: {
      REQUEST_METHOD: "POST",
      CONTENT_TYPE: "application/x-www-form-urlencoded",
      CONTENT_LENGTH: String(body.length),
      ...(query === undefined ? {} : { QUERY_STRING: query }),
    },
  });
  assertEquals(await parse(post("a=1&b=2", "a=0")), {
    a: ["1", "0"],
    b: ["2"],
  });
  assertEquals(await parse(post("", "a=0")), { a: ["0"] });
  assertEquals(await parse({ ...post("", "a=0"), strict_parsing: true }), {
    a: ["0"],
  });
  // Python's "a=1" + "&" + "" leaves an empty field.
  await assertRejects(
    () => parse({ ...post("a=1", ""), strict_parsing: true }),
    QueryFieldError,
    'Bad query field ""',
  );
  assertEquals(await parse({ ...post("a=1"), strict_parsing: true }), {
    a: ["1"],
  });
});

/** A form whose one part nests `levels` multipart/mixed levels. */
function nested_form(levels: number): Uint8Array {
  let body = "x";
  for (let i = levels; i > 0; i--) {
    body = `--b${i}\r\nContent-Type: multipart/mixed; boundary=b${i + 1}` +
      `\r\n\r\n${body}\r\n--b${i}--\r\n`;
  }
  return utf8(body);
}

Deno.test("FieldStorage.from() refuses multiparts nested past max_multipart_depth, with little memory", async () => {
  const body = nested_form(3000); // 205 KB
  const environ = multipartEnviron("b1", body.length);
  const before = Deno.memoryUsage().rss;
  const error = await assertRejects(
    () => FieldStorage.from({ fp: [body], environ }),
    FormLimitError,
    'Multipart "multipart/mixed" is nested deeper than max_multipart_depth (2)',
  );
  // Each level held a 256 KiB buffer and a stack frame: 460 MiB, and a
  // stack overflow past 4,000 levels.
  const growth = Deno.memoryUsage().rss - before;
  assert(growth < 32 * 1024 * 1024, `RSS grew by ${growth} bytes`);
  assertEquals([error.kind, error.limit], ["max_multipart_depth", 2]);
  class Deeper extends FieldStorage {
    override max_multipart_depth = 3;
  }
  const three = nested_form(2); // the form, then two multipart/mixed levels
  const small = multipartEnviron("b1", three.length);
  await assertRejects(
    () => FieldStorage.from({ fp: [three], environ: small }),
    FormLimitError,
    "max_multipart_depth (2)",
  );
  await assertRejects(
    () => Deeper.from({ fp: [three], environ: small }),
    TruncatedBodyError, // read to its innermost level, which has no delimiter
  );
});

Deno.test("FieldStorage.from() counts a nested multipart and its parts toward max_num_fields, as Python 3.12 does", async () => {
  const data = utf8(
    [
      "---123",
      'Content-Disposition: form-data; name="files"',
      "Content-Type: multipart/mixed; boundary=in",
      "",
      ...["a", "b", "c"].flatMap((name) => [
        "--in",
        `Content-Disposition: file; filename="${name}"`,
        "",
        name,
      ]),
      "--in--",
      "",
      "---123--",
      "",
    ].join("\r\n"),
  );
  const environ = multipartEnviron("-123", data.length);
  // Python: max_num_fields=3 raises ValueError, 4 parses.
  await assertRejects(
    () => FieldStorage.from({ fp: [data], environ, max_num_fields: 3 }),
    FormLimitError,
    "Form has more than 3 fields",
  );
  await using form = await FieldStorage.from({
    fp: [data],
    environ,
    max_num_fields: 4,
  });
  assertEquals((form.get("files") as FieldStorage).list!.length, 3);
});
