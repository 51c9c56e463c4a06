import { assert, assertEquals, assertStringIncludes } from "./_assert.ts";
import { type ListingEntry, render_listing } from "../_static/listing.ts";
import { quote } from "../_common/quote.ts";

function file(name: string, size?: number, mtime?: number): ListingEntry {
  return { name, is_dir: false, is_symlink: false, size, mtime };
}

function rows(html: string): string[] {
  return html.split("\n").filter((l) => l.startsWith("<tr><td>"));
}

Deno.test("render_listing() renders the whole page", () => {
  const html = render_listing("/d/", [
    file("b.txt", 2048, Date.UTC(2024, 4, 1, 12, 34, 56, 789)),
    { name: "A", is_dir: true, is_symlink: false, size: 4096, mtime: 0 },
  ]);
  const head = html.slice(0, html.indexOf("<style>"));
  assertEquals(
    head,
    [
      "<!DOCTYPE HTML>",
      '<html lang="en">',
      "<head>",
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      "<title>Directory listing for /d/</title>",
      "",
    ].join("\n"),
  );
  const body = html.slice(html.indexOf("</style>"));
  assertEquals(
    body,
    [
      "</style>",
      "</head>",
      "<body>",
      '<h1>Directory listing for <a href="../">/</a><a href="./">d</a>/</h1>',
      "<hr>",
      "<table>",
      '<thead><tr><th aria-sort="ascending"><a href="?sort=name&amp;order=desc">Name</a></th><th class="n"><a href="?sort=size&amp;order=asc">Size</a></th><th class="n"><a href="?sort=time&amp;order=asc">Modified (UTC)</a></th></tr></thead>',
      "<tbody>",
      '<tr><td><a href="../">../</a></td><td class="n"></td><td class="n"></td></tr>',
      '<tr><td><a href="A/">A/</a></td><td class="n"></td><td class="n"><time datetime="1970-01-01T00:00:00Z">1970-01-01 00:00</time></td></tr>',
      '<tr><td><a href="b.txt">b.txt</a></td><td class="n" title="2048 bytes">2.0 KiB</td><td class="n"><time datetime="2024-05-01T12:34:56Z">2024-05-01 12:34</time></td></tr>',
      "</tbody>",
      "</table>",
      "<hr>",
      "</body>",
      "</html>",
      "",
    ].join("\n"),
  );
});

Deno.test("render_listing() escapes file names (test_html_escape_filename)", () => {
  const filename = "<test&>.txt";
  const html = render_listing("/", [file(filename)]);
  assertStringIncludes(html, ">&lt;test&amp;&gt;.txt<");
  assertStringIncludes(html, 'href="%3Ctest%26%3E.txt"');
  assert(!html.includes(filename));
});

Deno.test("render_listing() escapes the display path like Python (quote=False)", () => {
  const html = render_listing('/a <b> & "c"/?x=1', []);
  assertStringIncludes(
    html,
    '<title>Directory listing for /a &lt;b&gt; &amp; "c"/?x=1</title>',
  );
  assertStringIncludes(
    html,
    '<h1>Directory listing for <a href="../">/</a><a href="./">a &lt;b&gt; &amp; "c"</a>/?x=1</h1>',
  );
});

Deno.test("render_listing() shows U+FFFD of an undecodable query (test_undecodable_parameter)", () => {
  const html = render_listing("/tmpdir/?x=\ufffd", []);
  assertStringIncludes(html, "listing for /tmpdir/?x=\ufffd<");
});

Deno.test("render_listing() percent-encodes links like urllib.parse.quote", () => {
  const names = ["a b.txt", "ü.txt", "100%.txt", "q?x#y", "semi;colon", "日本"];
  const html = render_listing("/", names.map((n) => file(n)));
  for (const name of names) {
    assertStringIncludes(html, `<a href="${quote(name)}">${name}</a>`);
  }
  assertStringIncludes(html, '<a href="a%20b.txt">');
  assertStringIncludes(html, '<a href="%C3%BC.txt">');
  assertStringIncludes(html, '<a href="100%25.txt">');
  assertStringIncludes(html, '<a href="q%3Fx%23y">');
  assertStringIncludes(html, '<a href="semi%3Bcolon">');
  assertStringIncludes(html, '<a href="%E6%97%A5%E6%9C%AC">');
});

Deno.test("render_listing() marks directories with / and symlinks with @", () => {
  const html = render_listing("/", [
    { name: "dir", is_dir: true, is_symlink: false },
    { name: "dirlink", is_dir: true, is_symlink: true },
    { name: "filelink", is_dir: false, is_symlink: true, size: 7 },
    { name: "dangling", is_dir: false, is_symlink: true },
  ]);
  assertStringIncludes(html, '<a href="dir/">dir/</a>');
  assertStringIncludes(html, '<a href="dirlink/">dirlink@</a>');
  assertStringIncludes(html, '<a href="filelink">filelink@</a>');
  assertStringIncludes(html, '<a href="dangling">dangling@</a>');
});

Deno.test("render_listing() sorts case-insensitively and stably, without touching the input", () => {
  const entries = ["b", "B", "a", "C", "_x", "A", "10", "9", "Ä"].map((n) =>
    file(n)
  );
  const before = entries.map((e) => e.name);
  const names = rows(render_listing("/", entries)).map((r) =>
    /href="[^"]*">([^<]*)</.exec(r)![1]
  );
  assertEquals(names, ["10", "9", "_x", "a", "A", "b", "B", "C", "Ä"]);
  assertEquals(entries.map((e) => e.name), before);
});

Deno.test("render_listing() links to the parent except at the root", () => {
  const parentRow =
    '<tr><td><a href="../">../</a></td><td class="n"></td><td class="n"></td></tr>';
  assertStringIncludes(render_listing("/a/", []), parentRow);
  assertStringIncludes(render_listing("/a/?q=/", []), parentRow);
  assert(!render_listing("/", []).includes(parentRow));
  assert(!render_listing("/?x=1", []).includes(parentRow));
  assert(!render_listing("/#f", []).includes(parentRow));
});

Deno.test("render_listing() formats sizes in binary units", () => {
  const sizes: [number, string][] = [
    [0, "0 B"],
    [1, "1 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [10_188, "9.9 KiB"],
    [10_240, "10 KiB"],
    [1_047_552, "1023 KiB"],
    [1_048_064, "1.0 MiB"],
    [1_048_575, "1.0 MiB"],
    [1_048_576, "1.0 MiB"],
    [5_000_000_000, "4.7 GiB"],
    [2 ** 60, "1.0 EiB"],
    [2 ** 70, "1024 EiB"],
  ];
  for (const [size, text] of sizes) {
    const html = render_listing("/", [file("f", size)]);
    assertStringIncludes(
      html,
      `<td class="n" title="${size} bytes">${text}</td>`,
      String(size),
    );
  }
});

Deno.test("render_listing() leaves unknown sizes and times empty", () => {
  const html = render_listing("/", [
    file("a"),
    { name: "b", is_dir: false, is_symlink: false, size: null, mtime: null },
    file("c", -1, NaN),
    file("d", 1, 9e15),
  ]);
  const r = rows(html);
  for (const row of r.slice(0, 3)) {
    assert(row.endsWith('<td class="n"></td><td class="n"></td></tr>'), row);
  }
  assert(
    r[3]!.endsWith(
      '<td class="n" title="1 bytes">1 B</td><td class="n"></td></tr>',
    ),
  );
});

// Its time goes to bench/listing.ts.
Deno.test("render_listing() renders a row for each of 10,000 entries", () => {
  const entries: ListingEntry[] = [];
  for (let i = 0; i < 10_000; i++) {
    entries.push({
      name: `File ${(i * 7919) % 10_000} <ü>.txt`,
      is_dir: i % 10 === 0,
      is_symlink: i % 97 === 0,
      size: i * 1000,
      mtime: 1_700_000_000_000 + i,
    });
  }
  const html = render_listing("/big/", entries);
  assertEquals(rows(html).length, 10_001);
});

Deno.test("render_listing() writes times in UTC to the minute, the datetime to the second, any year", () => {
  const time = (mtime: number) =>
    /<time[^>]*>[^<]*<\/time>/.exec(render_listing("/", [file("a", 1, mtime)]))
      ?.[0];
  assertEquals(
    time(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
    '<time datetime="2024-01-02T03:04:05Z">2024-01-02 03:04</time>',
  );
  assertEquals(
    time(Date.UTC(9999, 11, 31, 23, 59, 59, 999)),
    '<time datetime="9999-12-31T23:59:59Z">9999-12-31 23:59</time>',
  );
  assertEquals(
    time(-62135596800000), // 0001-01-01
    '<time datetime="0001-01-01T00:00:00Z">0001-01-01 00:00</time>',
  );
  assertEquals(
    time(8.64e15),
    '<time datetime="+275760-09-13T00:00:00.000Z">+275760-09-13 00:00</time>',
  );
});
