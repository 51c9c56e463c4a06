import { assertEquals } from "./_assert.ts";
import {
  redirect_location,
  translate_path,
} from "../_static/translate_path.ts";

const POSIX = { windows: false };
const WINDOWS = { windows: true };

// Expected values printed by CPython 3.13's
// SimpleHTTPRequestHandler.translate_path with directory "/srv".
const PYTHON_CASES: [string, string][] = [
  ["/filename", "/srv/filename"],
  ["/filename?foo=bar", "/srv/filename"],
  ["/filename?a=b&spam=eggs#zot", "/srv/filename"],
  ["//filename", "/srv/filename"],
  ["//filename?foo=bar", "/srv/filename"],
  ["/", "/srv/"],
  ["", "/srv"],
  ["/a/b/", "/srv/a/b/"],
  ["/a/./b/../c", "/srv/a/c"],
  ["/../../etc/passwd", "/srv/etc/passwd"],
  ["/..", "/srv"],
  ["/a/..", "/srv"],
  ["/a/../", "/srv/"],
  ["/%2e%2e/%2e%2e/etc/passwd", "/srv/etc/passwd"],
  ["/a%20b/c%C3%A9", "/srv/a b/cé"],
  ["/dir/ ", "/srv/dir/ /"],
  ["/dir/\t", "/srv/dir/\t/"],
  ["/x#a/b", "/srv/x"],
  ["/x?a/b/", "/srv/x"],
  ["/%3F", "/srv/?"],
  ["/%23", "/srv/#"],
  ["/a%bb", "/srv/a\ufffd"],
  ["///a//b///", "/srv/a/b/"],
  ["a/b", "/srv/a/b"],
  ["../a", "/srv/a"],
  ["/.hidden", "/srv/.hidden"],
  ["/a/.../b", "/srv/a/.../b"],
  ["/~user", "/srv/~user"],
  ["/%7Euser/", "/srv/~user/"],
  ["/a;b", "/srv/a;b"],
  ["/a/b?", "/srv/a/b"],
  ["/a/b#", "/srv/a/b"],
  ["/%25", "/srv/%"],
  ["/%252f", "/srv/%2f"],
  ["/a/%0a%0d/../b", "/srv/a/b"],
];

Deno.test("translate_path() matches Python for ordinary paths", () => {
  for (const [path, expected] of PYTHON_CASES) {
    assertEquals(translate_path(path, "/srv", POSIX), expected, path);
  }
});

Deno.test("translate_path() drops query and fragment (test_query_arguments)", () => {
  for (const dir of ["/cwd", "foo", "bar"]) {
    for (
      const path of [
        "/filename",
        "/filename?foo=bar",
        "/filename?a=b&spam=eggs#zot",
      ]
    ) {
      assertEquals(translate_path(path, dir, POSIX), `${dir}/filename`);
    }
  }
});

Deno.test("translate_path() ignores a leading double slash (test_start_with_double_slash)", () => {
  for (const dir of ["/cwd", "foo", "bar"]) {
    assertEquals(translate_path("//filename", dir, POSIX), `${dir}/filename`);
    assertEquals(
      translate_path("//filename?foo=bar", dir, POSIX),
      `${dir}/filename`,
    );
  }
});

Deno.test("translate_path() keeps relative directories relative", () => {
  assertEquals(translate_path("/a/b", "foo", POSIX), "foo/a/b");
  assertEquals(translate_path("/", "foo", POSIX), "foo/");
  assertEquals(translate_path("/..", "foo", POSIX), "foo");
});

Deno.test("translate_path() does not double the slash of a directory ending in /", () => {
  // Python gives "/srv//" for both.
  assertEquals(translate_path("/", "/srv/", POSIX), "/srv/");
  assertEquals(translate_path("/a/../", "/srv/", POSIX), "/srv/");
  assertEquals(translate_path("/a", "/srv/", POSIX), "/srv/a");
  assertEquals(translate_path("/", "/", POSIX), "/");
  assertEquals(translate_path("/etc", "/", POSIX), "/etc");
});

Deno.test("translate_path() treats an empty directory as the current one", () => {
  // Python gives "/" (the file system root) for translate_path("/") here.
  assertEquals(translate_path("/", "", POSIX), "./");
  assertEquals(translate_path("/a/../", "", POSIX), "./");
  assertEquals(translate_path("/a", "", POSIX), "./a");
  assertEquals(translate_path("", "", POSIX), ".");
});

Deno.test("translate_path() refuses encoded slashes and backslashes", () => {
  for (
    const path of [
      "/a%2fb",
      "/a%2Fb",
      "/..%2f..%2fetc/passwd",
      "/python.org/..%2f..%2f..%2f..%2f..%2f../%0a%0d/../tmp/existing_directory",
      "/a%5cb",
      "/a%5Cb",
      "/..%5c..%5cwindows",
      "/a\\b",
      "\\c:../filename",
      "/%2f",
    ]
  ) {
    assertEquals(translate_path(path, "/srv", POSIX), null, path);
    assertEquals(translate_path(path, "C:\\srv", WINDOWS), null, path);
  }
});

Deno.test("translate_path() allows encoded separators in the query", () => {
  assertEquals(translate_path("/a?next=%2fb", "/srv", POSIX), "/srv/a");
  assertEquals(translate_path("/a?p=c:\\x", "/srv", POSIX), "/srv/a");
  assertEquals(translate_path("/a#%5c", "/srv", POSIX), "/srv/a");
});

Deno.test("translate_path() refuses NUL bytes", () => {
  assertEquals(translate_path("/a%00b", "/srv", POSIX), null);
  assertEquals(translate_path("/a%00", "/srv", POSIX), null);
  assertEquals(translate_path("/a\0b", "/srv", POSIX), null);
  assertEquals(translate_path("/a?%00", "/srv", POSIX), "/srv/a");
});

Deno.test("translate_path() keeps colons and trailing dots on POSIX", () => {
  assertEquals(
    translate_path("c:c:c:foo/filename", "/srv", POSIX),
    "/srv/c:c:c:foo/filename",
  );
  assertEquals(translate_path("/12:30.txt", "/srv", POSIX), "/srv/12:30.txt");
  assertEquals(translate_path("/a.", "/srv", POSIX), "/srv/a.");
  assertEquals(translate_path("/con", "/srv", POSIX), "/srv/con");
});

Deno.test("translate_path() refuses Windows drive and stream names (test_windows_colon)", () => {
  // Python skips these components and serves DIR\filename; we answer 404.
  for (
    const path of [
      "c:c:c:foo/filename",
      "\\c:../filename",
      "c:\\c:..\\foo/filename",
      "c:c:foo\\c:c:bar/filename",
      "/c:/windows/win.ini",
      "/file.txt::$DATA",
      "/file.txt:stream",
      "/file.txt.",
      "/file.txt ",
      "/file.txt%20",
      "/con",
      "/CON",
      "/nul.txt",
      "/dir/aux.tar.gz",
      "/com1",
      "/LPT9.log",
    ]
  ) {
    assertEquals(translate_path(path, "C:\\srv", WINDOWS), null, path);
  }
});

Deno.test("translate_path() joins with backslashes under the Windows rules", () => {
  assertEquals(
    translate_path("/a/b/c.txt", "C:\\srv", WINDOWS),
    "C:\\srv\\a\\b\\c.txt",
  );
  assertEquals(translate_path("/a/", "C:\\srv", WINDOWS), "C:\\srv\\a/");
  assertEquals(translate_path("/a", "C:\\", WINDOWS), "C:\\a");
  assertEquals(translate_path("/", "C:\\", WINDOWS), "C:\\");
  assertEquals(
    translate_path("/console", "C:\\srv", WINDOWS),
    "C:\\srv\\console",
  );
  assertEquals(translate_path("/com10", "C:\\srv", WINDOWS), "C:\\srv\\com10");
});

Deno.test("translate_path() results stay inside the directory", () => {
  const attacks = [
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/",
    "/a/../../..",
    "/.%2e/.%2e/x",
    "..",
    "../..",
    "/./.././../x/",
    "//../x",
    "/..;/x",
  ];
  for (const path of attacks) {
    const result = translate_path(path, "/srv/www", POSIX);
    if (result === null) continue;
    assertEquals(
      result === "/srv/www" || result.startsWith("/srv/www/"),
      true,
      `${path} -> ${result}`,
    );
    assertEquals(result.split("/").includes(".."), false, path);
  }
  assertEquals(translate_path("/..;/x", "/srv/www", POSIX), "/srv/www/..;/x");
});

Deno.test("redirect_location() appends the slash and keeps the query (test_get)", () => {
  assertEquals(redirect_location("/tmpdir"), "/tmpdir/");
  assertEquals(redirect_location("/tmpdir?hi=1"), "/tmpdir/?hi=1");
  assertEquals(redirect_location("/a/b?x=1&y=2#frag"), "/a/b/?x=1&y=2#frag");
  assertEquals(redirect_location("/a#frag"), "/a/#frag");
  assertEquals(redirect_location("/a?"), "/a/?");
  assertEquals(redirect_location("/a%20b"), "/a%20b/");
  assertEquals(redirect_location("/a/"), "/a/");
  assertEquals(redirect_location(""), "/");
});

Deno.test("redirect_location() never gives a scheme-relative URL (test_get_dir_redirect_location_domain_injection_bug)", () => {
  const url =
    "/python.org/..%2f..%2f..%2f..%2f..%2f../%0a%0d/../tmpdir/existing_directory";
  const expected = `${url}/`;
  assertEquals(redirect_location(url), expected);
  assertEquals(redirect_location(`/${url}`), expected);
  assertEquals(redirect_location(`//${url}`), expected);
  assertEquals(redirect_location("//evil.example"), "/evil.example/");
  assertEquals(redirect_location("//evil.example/x?y"), "/evil.example/x/?y");
  assertEquals(redirect_location("/\\evil.example"), "/evil.example/");
  assertEquals(redirect_location("\\\\evil.example"), "/evil.example/");
  assertEquals(redirect_location("/\\/evil.example/"), "/evil.example/");
  assertEquals(redirect_location("/\t/evil.example"), "/%09/evil.example/");
  assertEquals(redirect_location("/\n/evil.example"), "/%0A/evil.example/");
  assertEquals(redirect_location("/ /evil.example"), "/%20/evil.example/");
  assertEquals(redirect_location("/%2f/evil.example"), "/%2f/evil.example/");
});

Deno.test("redirect_location() keeps only the path of an absolute-form target", () => {
  // Python keeps "https://pypi.org/..."; a path-absolute Location resolves
  // against the same URL.
  assertEquals(
    redirect_location("https://pypi.org/python.org/dir"),
    "/python.org/dir/",
  );
  assertEquals(redirect_location("http://h:8000/d?q=1"), "/d/?q=1");
  assertEquals(redirect_location("http://h"), "/");
  assertEquals(redirect_location("http://h?q"), "/?q");
  assertEquals(
    redirect_location("http://h//evil.example/d"),
    "/evil.example/d/",
  );
});

Deno.test("redirect_location() keeps a relative target relative, as Python (test_path_without_leading_slash)", () => {
  assertEquals(redirect_location("tmpdir?hi=1"), "tmpdir/?hi=1");
  assertEquals(redirect_location("tmpdir"), "tmpdir/");
  assertEquals(redirect_location("a/b#f"), "a/b/#f");
  assertEquals(redirect_location("?q"), "/?q");
  // A first segment with a colon would be a scheme: "./" keeps it a path.
  assertEquals(
    redirect_location("javascript:alert(1)"),
    "./javascript:alert(1)/",
  );
  assertEquals(
    redirect_location("https:evil.example/x"),
    "./https:evil.example/x/",
  );
  assertEquals(redirect_location("a/b:c"), "a/b:c/");
});

Deno.test("redirect_location() percent-encodes what a URI may not contain", () => {
  // Request lines are ISO-8859-1, so "\xc3\xa9" is the UTF-8 of "é".
  assertEquals(redirect_location("/caf\xc3\xa9"), "/caf%C3%A9/");
  assertEquals(
    redirect_location("/a\r\nSet-Cookie: x"),
    "/a%0D%0ASet-Cookie:%20x/",
  );
  assertEquals(redirect_location('/<a>"{|}^`'), "/%3Ca%3E%22%7B%7C%7D%5E%60/");
  assertEquals(redirect_location("/a\\b"), "/a%5Cb/");
  assertEquals(redirect_location("/a?q=<x y>"), "/a/?q=%3Cx%20y%3E");
  assertEquals(redirect_location("/\u20ac"), "/%E2%82%AC/");
  assertEquals(
    redirect_location("/a;b=c,d@e:f[g]!$&'()*+~_.-"),
    "/a;b=c,d@e:f[g]!$&'()*+~_.-/",
  );
});

Deno.test("translate_path() maps an absolute-form target by its path alone", () => {
  const posix = { windows: false };
  assertEquals(translate_path("http://h/a.txt", "/srv", posix), "/srv/a.txt");
  assertEquals(
    translate_path("https://h:8443/d/?q=/x", "/srv", posix),
    "/srv/d/",
  );
  assertEquals(translate_path("http://h", "/srv", posix), "/srv");
  assertEquals(translate_path("http://h/../../etc", "/srv", posix), "/srv/etc");
  // Only at the start: elsewhere "x://" is an ordinary file name part.
  assertEquals(translate_path("/a/b://c", "/srv", posix), "/srv/a/b:/c");
});
