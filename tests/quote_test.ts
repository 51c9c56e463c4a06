import { assertEquals } from "./_assert.ts";
import { quote, unquote } from "../_common/quote.ts";

// Expected values printed by CPython 3.13's urllib.parse.
const QUOTE_CASES: [string, string, string, string][] = [
  // [input, quote(s), quote(s, safe=""), quote(s, safe=":@&")]
  ["", "", "", ""],
  ["abc", "abc", "abc", "abc"],
  ["a b", "a%20b", "a%20b", "a%20b"],
  ["/a/b c/", "/a/b%20c/", "%2Fa%2Fb%20c%2F", "%2Fa%2Fb%20c%2F"],
  ["ü", "%C3%BC", "%C3%BC", "%C3%BC"],
  [
    "日本.txt",
    "%E6%97%A5%E6%9C%AC.txt",
    "%E6%97%A5%E6%9C%AC.txt",
    "%E6%97%A5%E6%9C%AC.txt",
  ],
  ["<test&>.txt", "%3Ctest%26%3E.txt", "%3Ctest%26%3E.txt", "%3Ctest&%3E.txt"],
  ["!'()*", "%21%27%28%29%2A", "%21%27%28%29%2A", "%21%27%28%29%2A"],
  ["~_.-", "~_.-", "~_.-", "~_.-"],
  ["a%b", "a%25b", "a%25b", "a%25b"],
  ["a+b=c;d,e", "a%2Bb%3Dc%3Bd%2Ce", "a%2Bb%3Dc%3Bd%2Ce", "a%2Bb%3Dc%3Bd%2Ce"],
  ["🎉", "%F0%9F%8E%89", "%F0%9F%8E%89", "%F0%9F%8E%89"],
  ["\x00\x7f", "%00%7F", "%00%7F", "%00%7F"],
  ["@:$&", "%40%3A%24%26", "%40%3A%24%26", "@:%24&"],
  ["#?", "%23%3F", "%23%3F", "%23%3F"],
];

Deno.test("quote() matches Python's urllib.parse.quote", () => {
  for (const [input, dflt, none, extra] of QUOTE_CASES) {
    assertEquals(quote(input), dflt, JSON.stringify(input));
    assertEquals(quote(input, ""), none, JSON.stringify(input));
    assertEquals(quote(input, ":@&"), extra, JSON.stringify(input));
  }
});

Deno.test("quote() encodes a lone surrogate as U+FFFD", () => {
  assertEquals(quote("a\ud800b"), "a%EF%BF%BDb");
  assertEquals(quote("\udcff"), "%EF%BF%BD");
});

Deno.test("quote() ignores non-ASCII characters in safe", () => {
  assertEquals(quote("ü/", "ü"), "%C3%BC%2F");
});

Deno.test("quote() keeps a literal %2F apart from an escaped slash", () => {
  assertEquals(quote("%2F/"), "%252F/");
  assertEquals(quote("%2F/", ""), "%252F%2F");
});

Deno.test("quote() and unquote() round-trip", () => {
  const s = "dir/ä ö ü <&> 100% 🎉 \x01 'q' (x)*!";
  assertEquals(unquote(quote(s)), s);
  assertEquals(unquote(quote(s, "")), s);
});

const UNQUOTE_CASES: [string, string][] = [
  ["", ""],
  ["abc", "abc"],
  ["%41", "A"],
  ["%4", "%4"],
  ["%", "%"],
  ["%zz", "%zz"],
  ["%C3%BC", "ü"],
  ["%C3", "\ufffd"],
  ["%C3%", "\ufffd%"],
  ["%c3%bc", "ü"],
  ["%F0%9F%8E%89", "🎉"],
  ["%F0%80%80", "\ufffd\ufffd\ufffd"],
  ["%E2%82", "\ufffd"],
  ["%E2%82%41", "\ufffdA"],
  ["%C3é%BC", "\ufffdé\ufffd"],
  ["a+b", "a+b"],
  ["%bb", "\ufffd"],
  ["%ED%A0%80", "\ufffd\ufffd\ufffd"],
  ["%00", "\x00"],
  ["%2f%2F", "//"],
  ["100%", "100%"],
  ["%%41", "%A"],
  ["%FF%FE", "\ufffd\ufffd"],
];

Deno.test("unquote() matches Python's urllib.parse.unquote", () => {
  for (const [input, expected] of UNQUOTE_CASES) {
    assertEquals(unquote(input), expected, JSON.stringify(input));
  }
});

Deno.test("unquote() passes non-ASCII text through", () => {
  assertEquals(unquote("日本%20語"), "日本 語");
  assertEquals(unquote("日本"), "日本");
});
