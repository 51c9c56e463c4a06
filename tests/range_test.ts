import { assertEquals } from "./_assert.ts";
import {
  content_range,
  if_range_matches,
  parse_range,
  type RangeResult,
} from "../_static/range.ts";

const IGNORE: RangeResult = { type: "ignore" };
const UNSATISFIABLE: RangeResult = { type: "unsatisfiable" };
const range = (start: number, end: number): RangeResult => ({
  type: "range",
  start,
  end,
});

Deno.test("parse_range() reads the three forms of a byte range", () => {
  assertEquals(parse_range("bytes=0-99", 1000), range(0, 99));
  assertEquals(parse_range("bytes=100-", 1000), range(100, 999));
  assertEquals(parse_range("bytes=-100", 1000), range(900, 999));
  assertEquals(parse_range("bytes=0-0", 1000), range(0, 0));
  assertEquals(parse_range("bytes=999-999", 1000), range(999, 999));
  assertEquals(parse_range("bytes=0-", 1), range(0, 0));
  assertEquals(parse_range("bytes=-1", 1), range(0, 0));
});

Deno.test("parse_range() clamps the end and the suffix to the file", () => {
  assertEquals(parse_range("bytes=0-5000", 1000), range(0, 999));
  assertEquals(parse_range("bytes=500-1000", 1000), range(500, 999));
  assertEquals(parse_range("bytes=-5000", 1000), range(0, 999));
  assertEquals(
    parse_range("bytes=0-99999999999999999999999999", 1000),
    range(0, 999),
  );
  assertEquals(parse_range("bytes=-99999999999999999999999", 10), range(0, 9));
});

Deno.test("parse_range() finds ranges outside the file unsatisfiable", () => {
  assertEquals(parse_range("bytes=1000-", 1000), UNSATISFIABLE);
  assertEquals(parse_range("bytes=1000-2000", 1000), UNSATISFIABLE);
  assertEquals(parse_range("bytes=5000-6000", 1000), UNSATISFIABLE);
  assertEquals(parse_range("bytes=-0", 1000), UNSATISFIABLE);
  assertEquals(parse_range("bytes=99999999999999999999-", 1000), UNSATISFIABLE);
});

Deno.test("parse_range() accepts a case-insensitive unit and list whitespace", () => {
  assertEquals(parse_range("Bytes=0-1", 10), range(0, 1));
  assertEquals(parse_range("BYTES=0-1", 10), range(0, 1));
  assertEquals(parse_range("bytes= 0-1 ", 10), range(0, 1));
  assertEquals(parse_range("bytes=0-1,", 10), range(0, 1));
  assertEquals(parse_range("bytes=, ,0-1", 10), range(0, 1));
  assertEquals(parse_range(" bytes=0-1", 10), range(0, 1));
  assertEquals(parse_range("bytes=007-010", 100), range(7, 10));
});

Deno.test("parse_range() ignores malformed headers", () => {
  for (
    const header of [
      "",
      "bytes",
      "bytes=",
      "bytes=-",
      "bytes=abc",
      "bytes=a-b",
      "bytes=1",
      "bytes=1-2-3",
      "bytes=--1",
      "bytes=+1-2",
      "bytes=0x10-",
      "bytes=1.5-2",
      "bytes=0 - 1",
      "bytes=1e3-",
      "bytes=5-2",
      "items=0-1",
      "bytesx=0-1",
      "=0-1",
    ]
  ) {
    assertEquals(parse_range(header, 1000), IGNORE, header);
  }
  assertEquals(parse_range(null, 1000), IGNORE);
  assertEquals(parse_range(undefined, 1000), IGNORE);
});

Deno.test("parse_range() ignores several ranges", () => {
  assertEquals(parse_range("bytes=0-1,5-6", 1000), IGNORE);
  assertEquals(parse_range("bytes=0-1, -5", 1000), IGNORE);
  assertEquals(parse_range("bytes=0-1,0-1", 1000), IGNORE);
  assertEquals(parse_range("bytes=5000-,6000-", 1000), IGNORE);
});

Deno.test("parse_range() ignores ranges of an empty file", () => {
  assertEquals(parse_range("bytes=0-", 0), IGNORE);
  assertEquals(parse_range("bytes=-1", 0), IGNORE);
  assertEquals(parse_range("bytes=0-0", 0), IGNORE);
});

Deno.test("content_range() formats ranges and 416s", () => {
  assertEquals(content_range(1000, { start: 0, end: 99 }), "bytes 0-99/1000");
  assertEquals(content_range(1, { start: 0, end: 0 }), "bytes 0-0/1");
  assertEquals(content_range(1000), "bytes */1000");
});

const MTIME = Date.UTC(2024, 0, 1, 12, 0, 0, 500);
const LAST_MODIFIED = "Mon, 01 Jan 2024 12:00:00 GMT";
const LATER = MTIME + 3_600_000;

Deno.test("if_range_matches() compares a date to Last-Modified exactly", () => {
  assertEquals(if_range_matches(LAST_MODIFIED, undefined, MTIME, LATER), true);
  assertEquals(
    if_range_matches(` ${LAST_MODIFIED} `, undefined, MTIME, LATER),
    true,
  );
  assertEquals(
    if_range_matches("Monday, 01-Jan-24 12:00:00 GMT", undefined, MTIME, LATER),
    true,
  );
  assertEquals(
    if_range_matches("Mon Jan  1 12:00:00 2024", undefined, MTIME, LATER),
    true,
  );
  assertEquals(
    if_range_matches("Mon, 01 Jan 2024 12:00:01 GMT", undefined, MTIME, LATER),
    false,
  );
  assertEquals(
    if_range_matches("Mon, 01 Jan 2024 11:59:59 GMT", undefined, MTIME, LATER),
    false,
  );
  assertEquals(if_range_matches(LAST_MODIFIED, undefined, null, LATER), false);
  assertEquals(if_range_matches("yesterday", undefined, MTIME, LATER), false);
  assertEquals(if_range_matches("", undefined, MTIME, LATER), false);
});

Deno.test("if_range_matches() wants Last-Modified to be a strong validator", () => {
  // Modified in the second the response is made: it may change again.
  assertEquals(
    if_range_matches(LAST_MODIFIED, undefined, MTIME, MTIME + 100),
    false,
  );
  assertEquals(
    if_range_matches(LAST_MODIFIED, undefined, MTIME, MTIME + 500),
    true,
  );
});

Deno.test("if_range_matches() compares entity tags strongly", () => {
  assertEquals(if_range_matches('"abc"', '"abc"', MTIME, LATER), true);
  assertEquals(if_range_matches(' "abc" ', '"abc"', MTIME, LATER), true);
  assertEquals(if_range_matches('"abc"', '"abd"', MTIME, LATER), false);
  assertEquals(if_range_matches('W/"abc"', 'W/"abc"', MTIME, LATER), false);
  assertEquals(if_range_matches('"abc"', 'W/"abc"', MTIME, LATER), false);
  assertEquals(if_range_matches('W/"abc"', '"abc"', MTIME, LATER), false);
  assertEquals(if_range_matches('"abc"', undefined, MTIME, LATER), false);
  assertEquals(if_range_matches('"abc"', null, MTIME, LATER), false);
  assertEquals(if_range_matches('"', '"', MTIME, LATER), false);
});
