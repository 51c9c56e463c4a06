import { assertEquals } from "./_assert.ts";
import { DEFAULT_TYPE, guess_type, types_map } from "../_static/mime.ts";

// Expected values printed by CPython 3.13's SimpleHTTPRequestHandler
// .guess_type with mimetypes' built-in defaults only (no /etc/mime.types).
const PYTHON_CASES: [string, string][] = [
  ["index.html", "text/html"],
  ["INDEX.HTML", "text/html"],
  ["a.Html", "text/html"],
  ["x/y.htm", "text/html"],
  ["style.css", "text/css"],
  ["a.txt", "text/plain"],
  ["a.png", "image/png"],
  ["a.JPG", "image/jpeg"],
  ["a.jpeg", "image/jpeg"],
  ["a.gif", "image/gif"],
  ["a.svg", "image/svg+xml"],
  ["favicon.ico", "image/vnd.microsoft.icon"],
  ["a.pdf", "application/pdf"],
  ["a.zip", "application/zip"],
  ["a.gz", "application/gzip"],
  ["a.tar.gz", "application/gzip"],
  ["a.GZ", "application/gzip"],
  ["a.tar", "application/x-tar"],
  ["a.mp4", "video/mp4"],
  ["a.webm", "video/webm"],
  ["a.mp3", "audio/mpeg"],
  ["a.xml", "text/xml"],
  ["a.csv", "text/csv"],
  ["README.md", "text/markdown"],
  ["a.wasm", "application/wasm"],
  ["a.json", "application/json"],
  ["a.Z", "application/octet-stream"],
  ["a.z", "application/octet-stream"],
  ["a.bz2", "application/x-bzip2"],
  ["a.xz", "application/x-xz"],
  ["Makefile", "application/octet-stream"],
  [".bashrc", "application/octet-stream"],
  ["..hidden", "application/octet-stream"],
  ["a.", "application/octet-stream"],
  ["dir.d/file", "application/octet-stream"],
  ["/srv/dir.d/file", "application/octet-stream"],
  ["/srv/.config", "application/octet-stream"],
  ["a..b", "application/octet-stream"],
  ["...", "application/octet-stream"],
  ["a.b.c.tsv", "text/tab-separated-values"],
  ["a.py", "text/x-python"],
  ["a.c", "text/plain"],
  ["a.webp", "image/webp"],
  ["a.avif", "image/avif"],
  ["a.wav", "audio/x-wav"],
  ["a.opus", "audio/opus"],
  ["a.webmanifest", "application/manifest+json"],
  ["a.rtf", "text/rtf"],
  ["a.unknownext", "application/octet-stream"],
  ["a.br", "application/octet-stream"],
  ["/a/b/c.txt/", "application/octet-stream"],
  ["a.TXT", "text/plain"],
  ["a.Txt", "text/plain"],
  ["a.sh", "application/x-sh"],
  ["a.doc", "application/msword"],
  ["a.xls", "application/vnd.ms-excel"],
  ["a.ppt", "application/vnd.ms-powerpoint"],
  ["a.bin", "application/octet-stream"],
  ["a.exe", "application/octet-stream"],
  ["a.m3u8", "application/vnd.apple.mpegurl"],
  ["a.vtt", "text/vtt"],
  ["a.srt", "text/plain"],
  ["a.heic", "image/heic"],
  ["a.tif", "image/tiff"],
  ["a.bmp", "image/bmp"],
  ["a.mov", "video/quicktime"],
  ["a.mpeg", "video/mpeg"],
  ["a.avi", "video/x-msvideo"],
  ["a.aac", "audio/aac"],
  ["a.eml", "message/rfc822"],
  ["a.rdf", "application/xml"],
];

Deno.test("guess_type() matches Python for the types Python knows, with charset=UTF-8 on text types but HTML and XML", () => {
  for (const [path, python] of PYTHON_CASES) {
    const expected = python.startsWith("text/") && python !== "text/html" &&
        python !== "text/xml"
      ? `${python}; charset=UTF-8`
      : python;
    assertEquals(guess_type(path), expected, path);
  }
  assertEquals(guess_type("a.txt"), "text/plain; charset=UTF-8");
  assertEquals(guess_type("a.css"), "text/css; charset=UTF-8");
  assertEquals(guess_type("a.html"), "text/html");
});

Deno.test("guess_type() serves modules as Deno expects", () => {
  const cases: [string, string][] = [
    ["mod.ts", "text/typescript; charset=UTF-8"],
    ["mod.d.ts", "text/typescript; charset=UTF-8"],
    ["mod.mts", "text/typescript; charset=UTF-8"],
    ["mod.cts", "text/typescript; charset=UTF-8"],
    ["App.tsx", "text/tsx; charset=UTF-8"],
    ["App.jsx", "text/jsx; charset=UTF-8"],
    ["mod.js", "text/javascript; charset=UTF-8"],
    ["mod.mjs", "text/javascript; charset=UTF-8"],
    ["mod.cjs", "text/javascript; charset=UTF-8"],
    ["MOD.TS", "text/typescript; charset=UTF-8"],
    ["deno.json", "application/json"],
    ["mod.js.map", "application/json"],
    ["add.wasm", "application/wasm"],
  ];
  for (const [path, expected] of cases) {
    assertEquals(guess_type(path), expected, path);
  }
});

Deno.test("guess_type() knows common web types Python's defaults lack", () => {
  const cases: [string, string][] = [
    ["f.woff", "font/woff"],
    ["f.woff2", "font/woff2"],
    ["f.otf", "font/otf"],
    ["f.ttf", "font/ttf"],
    ["a.ogg", "audio/ogg"],
    ["a.ogv", "video/ogg"],
    ["a.flac", "audio/flac"],
    ["a.m4a", "audio/mp4"],
    ["a.mkv", "video/x-matroska"],
    ["a.apng", "image/apng"],
    ["a.7z", "application/x-7z-compressed"],
    ["a.zst", "application/zstd"],
    ["a.yaml", "application/yaml"],
    ["a.yml", "application/yaml"],
    ["a.toml", "application/toml"],
    ["a.jsonld", "application/ld+json"],
    ["a.xhtml", "application/xhtml+xml"],
    ["a.ics", "text/calendar; charset=UTF-8"],
  ];
  for (const [path, expected] of cases) {
    assertEquals(guess_type(path), expected, path);
  }
});

Deno.test("guess_type() names the compression of compressed tarballs", () => {
  // Python answers application/x-tar (and image/svg+xml for .svgz).
  assertEquals(guess_type("a.tgz"), "application/gzip");
  assertEquals(guess_type("a.TGZ"), "application/gzip");
  assertEquals(guess_type("a.taz"), "application/gzip");
  assertEquals(guess_type("a.tz"), "application/gzip");
  assertEquals(guess_type("a.svgz"), "application/gzip");
  assertEquals(guess_type("a.tbz2"), "application/x-bzip2");
  assertEquals(guess_type("a.txz"), "application/x-xz");
  // Python answers text/javascript (it strips the encoding suffix).
  assertEquals(guess_type("a.js.br"), DEFAULT_TYPE);
});

Deno.test("guess_type() reads the extension of the last component only", () => {
  assertEquals(guess_type("C:\\srv\\dir.d\\file"), DEFAULT_TYPE);
  assertEquals(guess_type("C:\\srv\\page.html"), "text/html");
  assertEquals(guess_type("/srv/..html"), DEFAULT_TYPE);
  assertEquals(guess_type("/srv/.x.html"), "text/html");
  assertEquals(guess_type(""), DEFAULT_TYPE);
});

Deno.test("guess_type() tries the extension as it is, then in lower case", () => {
  const map = { ".Foo": "a/exact", ".foo": "a/lower", ".bar": "b/lower" };
  assertEquals(guess_type("x.Foo", map), "a/exact");
  assertEquals(guess_type("x.FOO", map), "a/lower");
  assertEquals(guess_type("x.foo", map), "a/lower");
  assertEquals(guess_type("x.BAR", map), "b/lower");
  assertEquals(guess_type("x.html", map), DEFAULT_TYPE);
  assertEquals(guess_type("x.constructor", map), DEFAULT_TYPE);
  assertEquals(guess_type("x.__proto__", map), DEFAULT_TYPE);
});

Deno.test("types_map is frozen, and its keys are lower case but Python's .Z", () => {
  assertEquals(Object.isFrozen(types_map), true);
  for (const key of Object.keys(types_map)) {
    assertEquals(key.startsWith("."), true, key);
    if (key !== ".Z") assertEquals(key, key.toLowerCase());
  }
  assertEquals(Object.keys(types_map).length, 196);
});

Deno.test("types_map gives charset=UTF-8 to every text type but HTML and XML, and to nothing else", () => {
  for (const [ext, type] of Object.entries(types_map)) {
    const text = type.startsWith("text/") && !type.startsWith("text/html") &&
      !type.startsWith("text/xml");
    assertEquals(type.endsWith("; charset=UTF-8"), text, ext);
  }
  assertEquals(types_map[".html"], "text/html");
  assertEquals(types_map[".xml"], "text/xml");
});
