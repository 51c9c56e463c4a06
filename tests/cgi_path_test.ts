/**
 * collapse_path() against Python's `_url_collapse_path` (the vectors of
 * CPython's test_httpservers.py, test_url_collapse_path) and the cases where
 * we deliberately differ.
 */

import { collapse_path } from "../_cgi/cgi_path.ts";
import { translate_path } from "../_static/translate_path.ts";
import { assertEquals } from "./_assert.ts";

const INDEX_ERROR = Symbol("IndexError");

// [path, Python 3.13's result, ours]
const PYTHON_VECTORS: [string, string | typeof INDEX_ERROR, string | null][] = [
  ["", "//", "/"],
  ["..", INDEX_ERROR, "/"],
  ["/.//..", INDEX_ERROR, "/"],
  ["/", "//", "/"],
  ["//", "//", "/"],
  ["/\\", "//\\", null],
  ["/.//", "//", "/"],
  ["cgi-bin/file1.py", "/cgi-bin/file1.py", "/cgi-bin/file1.py"],
  ["/cgi-bin/file1.py", "/cgi-bin/file1.py", "/cgi-bin/file1.py"],
  ["a", "//a", "/a"],
  ["/a", "//a", "/a"],
  ["//a", "//a", "/a"],
  ["./a", "//a", "/a"],
  ["./C:/", "/C:/", "/C:/"],
  ["/a/b", "/a/b", "/a/b"],
  ["/a/b/", "/a/b/", "/a/b/"],
  ["/a/b/.", "/a/b/", "/a/b/"],
  ["/a/b/c/..", "/a/b/", "/a/b/"],
  ["/a/b/c/../d", "/a/b/d", "/a/b/d"],
  ["/a/b/c/../d/e/../f", "/a/b/d/f", "/a/b/d/f"],
  ["/a/b/c/../d/e/../../f", "/a/b/f", "/a/b/f"],
  ["/a/b/c/../d/e/.././././..//f", "/a/b/f", "/a/b/f"],
  ["../a/b/c/../d/e/.././././..//f", INDEX_ERROR, "/a/b/f"],
  ["/a/b/c/../d/e/../../../f", "/a/f", "/a/f"],
  ["/a/b/c/../d/e/../../../../f", "//f", "/f"],
  ["/a/b/c/../d/e/../../../../../f", INDEX_ERROR, "/f"],
  ["/a/b/c/../d/e/../../../../f/..", "//", "/"],
  ["/a/b/c/../d/e/../../../../f/../.", "//", "/"],
];

Deno.test("collapse_path() agrees with Python's _url_collapse_path except where documented", () => {
  for (const [path, python, ours] of PYTHON_VECTORS) {
    assertEquals(collapse_path(path), ours, `path ${JSON.stringify(path)}`);
    if (python === INDEX_ERROR || ours === null) continue;
    // Python writes the root as "//" when nothing is left before the last
    // segment; that slash never matches a CGI directory either way.
    assertEquals(python.replace(/^\/\//, "/"), ours, `path ${path}`);
  }
});

Deno.test("collapse_path() keeps the query as sent and decodes the path once", () => {
  assertEquals(collapse_path("/cgi-bin/f.ts?a=b?c=d"), "/cgi-bin/f.ts?a=b?c=d");
  assertEquals(
    collapse_path("/cgi-bin/f.ts?k=aa%2F%2Fbb&//q//p//=//a//b//"),
    "/cgi-bin/f.ts?k=aa%2F%2Fbb&//q//p//=//a//b//",
  );
  assertEquals(
    collapse_path("/cgi-bin/x.ts?/../../y"),
    "/cgi-bin/x.ts?/../../y",
  );
  assertEquals(collapse_path("/cgi-bin/%2e%2e/x"), "/x");
  assertEquals(collapse_path("/cgi-bin/%2E%2E/%2e/x"), "/x");
  // Decoded once: %252e%252e is the name "%2e%2e", not "..".
  assertEquals(collapse_path("/cgi-bin/%252e%252e/x"), "/cgi-bin/%2e%2e/x");
  assertEquals(collapse_path("/cgi-bin/a%20b.ts"), "/cgi-bin/a b.ts");
  assertEquals(collapse_path("/cgi-bin/x.ts?"), "/cgi-bin/x.ts");
});

Deno.test("collapse_path() refuses encoded slashes, backslashes and NUL bytes", () => {
  for (
    const path of [
      "/cgi-bin%2fx.ts",
      "/cgi-bin%2Fx.ts",
      "/cgi-bin/..%2f..%2fetc/passwd",
      "/cgi-bin%5cx.ts",
      "/cgi-bin\\x.ts",
      "/cgi-bin/x.ts%00",
      "/cgi-bin/x.ts\0",
    ]
  ) assertEquals(collapse_path(path), null, JSON.stringify(path));
  // The query may hold anything.
  assertEquals(
    collapse_path("/cgi-bin/x.ts?a=%2f%00\\"),
    "/cgi-bin/x.ts?a=%2f%00\\",
  );
});

Deno.test("collapse_path() reads the path as translate_path() does: fragment, absolute form, .. above the root", () => {
  assertEquals(collapse_path("/cgi-bin/x.sh#/../.."), "/cgi-bin/x.sh");
  assertEquals(collapse_path("/cgi-bin/x.sh#?a=1"), "/cgi-bin/x.sh");
  assertEquals(
    collapse_path("http://example.com/cgi-bin/x.sh?a"),
    "/cgi-bin/x.sh?a",
  );
  assertEquals(collapse_path("HTTP://h:80/../cgi-bin/x.sh"), "/cgi-bin/x.sh");
  assertEquals(collapse_path("/../cgi-bin/x.sh"), "/cgi-bin/x.sh");
  assertEquals(collapse_path("/%2e%2e/%2e%2e/cgi-bin/x.sh"), "/cgi-bin/x.sh");
  // Whatever collapse_path() calls the path, translate_path() maps it to the
  // same file: so a path that is not a script never reaches a script's file.
  for (
    const path of [
      "/cgi-bin/x.sh#/../..",
      "http://h/cgi-bin/x.sh",
      "/../cgi-bin/x.sh",
      "//cgi-bin//./x.sh",
      "/a/%2e%2e/cgi-bin/x.sh/",
      "/cgi-bin/x.sh?q=/../../y",
    ]
  ) {
    const collapsed = collapse_path(path)!;
    assertEquals(
      translate_path(path, "/srv", { windows: false }),
      translate_path(collapsed, "/srv", { windows: false }),
      path,
    );
  }
});
