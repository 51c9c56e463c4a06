import { assertEquals } from "./_assert.ts";
import { file_etag, if_none_match } from "../_static/etag.ts";

Deno.test("file_etag() is strong and made of size and mtime in hex", () => {
  assertEquals(file_etag(0, 0), '"0-0"');
  assertEquals(file_etag(30, 1_700_000_000_123), '"1e-18bcfe5687b"');
  assertEquals(file_etag(1024, 1_700_000_000_000), '"400-18bcfe56800"');
  assertEquals(file_etag(2 ** 40, 1.5), '"10000000000-1"');
});

Deno.test("file_etag() changes with the milliseconds of the mtime", () => {
  const a = file_etag(10, 1_700_000_000_000);
  const b = file_etag(10, 1_700_000_000_001);
  assertEquals(a === b, false);
});

Deno.test("if_none_match() compares weakly", () => {
  const etag = 'W/"1e-18bcfe5687b"';
  assertEquals(if_none_match('W/"1e-18bcfe5687b"', etag), false);
  assertEquals(if_none_match('"1e-18bcfe5687b"', etag), false);
  assertEquals(if_none_match('W/"1e-18bcfe5687b"', '"1e-18bcfe5687b"'), false);
  assertEquals(if_none_match('"1e-18bcfe5687c"', etag), true);
  assertEquals(if_none_match('"1E-18BCFE5687B"', etag), true);
});

Deno.test("if_none_match() handles * and lists", () => {
  const etag = 'W/"abc"';
  assertEquals(if_none_match("*", etag), false);
  assertEquals(if_none_match(" * ", etag), false);
  assertEquals(if_none_match('"x", "y", W/"abc"', etag), false);
  assertEquals(if_none_match('"x",W/"abc"', etag), false);
  assertEquals(if_none_match('"abc" , "x"', etag), false);
  assertEquals(if_none_match(' ,, "x",\t"abc", ', etag), false);
  assertEquals(if_none_match('"x", "y"', etag), true);
  assertEquals(if_none_match("", etag), true);
  assertEquals(if_none_match(" , ", etag), true);
});

Deno.test("if_none_match() keeps commas inside quoted tags", () => {
  assertEquals(if_none_match('"a,b"', '"a,b"'), false);
  assertEquals(if_none_match('"a,b"', '"a"'), true);
  assertEquals(if_none_match('"a,b"', '"b"'), true);
});

Deno.test("if_none_match() ignores malformed values", () => {
  const etag = 'W/"abc"';
  assertEquals(if_none_match("abc", etag), true);
  assertEquals(if_none_match("W/abc", etag), true);
  assertEquals(if_none_match('"abc', etag), true);
  assertEquals(if_none_match('"x", abc, "abc"', etag), true);
  assertEquals(if_none_match('"abc", garbage', etag), false);
  assertEquals(if_none_match('w/"abc"', etag), true);
});
