import { assertEquals } from "./_assert.ts";
import {
  negotiate_encoding,
  parse_accept_encoding,
} from "../_static/accept_encoding.ts";

const ALL = ["br", "zstd", "gzip"] as const;

Deno.test("parse_accept_encoding() reads names, weights, empty elements and x-gzip", () => {
  assertEquals(
    parse_accept_encoding(" gzip ; q=0.8 ,, x-gzip;q=0.2, Br;Q=1.000, *;q=0"),
    new Map([["gzip", 0.8], ["br", 1], ["*", 0]]),
  );
  assertEquals(parse_accept_encoding(""), new Map());
  assertEquals(
    parse_accept_encoding("gzip;level=9;q=0.001"),
    new Map([["gzip", 0.001]]),
  );
});

Deno.test("parse_accept_encoding() refuses malformed values", () => {
  for (
    const bad of [
      "gzip;q=2",
      "gzip;q=0.1234",
      "gzip;q",
      "gz ip",
      "gzip;q=",
      '"gzip"',
      "gzip;=1",
      "gzip;q=-1",
      "gzip;q=1.5",
    ]
  ) assertEquals(parse_accept_encoding(bad), null, bad);
});

Deno.test("negotiate_encoding() prefers br, then zstd, then gzip among equals", () => {
  assertEquals(negotiate_encoding("gzip, deflate, br, zstd", ALL), "br");
  assertEquals(negotiate_encoding("gzip, zstd", ALL), "zstd");
  assertEquals(negotiate_encoding("gzip, zstd", ["gzip"]), "gzip");
  assertEquals(negotiate_encoding("gzip;q=1, br;q=0.9", ALL), "gzip");
});

Deno.test("negotiate_encoding() honours identity;q=0, * and q=0", () => {
  assertEquals(negotiate_encoding("*", ALL), "br");
  assertEquals(negotiate_encoding("*;q=0.5, br;q=0", ALL), "zstd");
  assertEquals(
    negotiate_encoding("br;q=0, gzip;q=0", ["br", "gzip"]),
    "identity",
  );
  assertEquals(negotiate_encoding("identity;q=0", ["gzip"]), "identity");
  assertEquals(
    negotiate_encoding("identity;q=0, gzip;q=0.1", ["gzip"]),
    "gzip",
  );
  assertEquals(
    negotiate_encoding("gzip;q=0.5, identity", ["gzip"]),
    "identity",
  );
  assertEquals(negotiate_encoding("gzip, identity", ["gzip"]), "gzip");
  assertEquals(negotiate_encoding("*;q=0, identity", ALL), "identity");
});

Deno.test("negotiate_encoding() ignores unknown codings and falls back to identity", () => {
  assertEquals(negotiate_encoding("compress, deflate, foo", ALL), "identity");
  assertEquals(negotiate_encoding(undefined, ALL), "identity");
  assertEquals(negotiate_encoding("", ALL), "identity");
  assertEquals(negotiate_encoding("gzip", []), "identity");
  assertEquals(negotiate_encoding("br;q=x, gzip", ALL), "identity");
  assertEquals(negotiate_encoding("x-gzip", ALL), "gzip");
});
