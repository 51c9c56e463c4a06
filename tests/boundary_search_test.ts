// The multipart delimiter search: exact against a naive search, on inputs
// built to hit its partial matches and its switch to the linear scan.
import { BoundarySearch } from "../_form/boundary_search.ts";
import { FieldStorage } from "../cgi.ts";
import { assertEquals } from "./_assert.ts";

const encoder = new TextEncoder();

function naive(
  buf: Uint8Array,
  needle: Uint8Array,
  from: number,
  to: number,
): number {
  for (let p = from; p + needle.length <= to; p++) {
    let k = 0;
    while (k < needle.length && buf[p + k] === needle[k]) k++;
    if (k === needle.length) return p;
  }
  return -1;
}

/** A small deterministic generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

Deno.test("BoundarySearch.index_in() agrees with a naive search on partial matches of delimiter needles", () => {
  const random = rng(12345);
  for (let round = 0; round < 3000; round++) {
    // A boundary of one repeated character, after a run of it, makes the
    // search leave Horspool for its linear scan early on.
    const uniform = round % 2 === 0;
    const boundary = uniform
      ? "a".repeat(1 + Math.floor(random() * 8))
      : "ab-".slice(0, 1 + Math.floor(random() * 3)).repeat(
        1 + Math.floor(random() * 4),
      );
    const needle = encoder.encode("\n--" + boundary);
    const search = new BoundarySearch(needle);
    // Text made of the needle's own bytes, often its prefixes.
    const pieces: string[] = uniform ? ["a".repeat(40 * needle.length)] : [];
    while (pieces.join("").length < 200 + 40 * needle.length) {
      const r = random();
      const text = "\n--" + boundary;
      pieces.push(
        r < 0.6
          ? text.slice(0, 1 + Math.floor(random() * text.length))
          : "ab-\nx"[Math.floor(random() * 5)]!,
      );
    }
    const buf = encoder.encode(pieces.join(""));
    const from = Math.floor(random() * (uniform ? 3 : 20));
    const to = buf.length - Math.floor(random() * 20);
    assertEquals(
      search.index_in(buf, from, to),
      naive(buf, needle, from, to),
      JSON.stringify([boundary, pieces.join(""), from, to]),
    );
  }
});

Deno.test("BoundarySearch.index_in() finds needles whose first byte recurs (the KMP scan)", () => {
  const random = rng(999);
  for (let round = 0; round < 2000; round++) {
    const needle = encoder.encode(
      ["aab", "aaa", "abab", "aba", "a"][round % 5]!,
    );
    const search = new BoundarySearch(needle);
    const buf = encoder.encode(
      Array.from({ length: 60 + round % 300 }, () => random() < 0.8 ? "a" : "b")
        .join(""),
    );
    assertEquals(
      search.index_in(buf, 0, buf.length),
      naive(buf, needle, 0, buf.length),
      `${needle} in ${buf}`,
    );
  }
});

Deno.test("BoundarySearch.index_in() finds a delimiter after a long run of the boundary's character, where it leaves Horspool", () => {
  const needle = encoder.encode("\n--" + "a".repeat(200));
  const search = new BoundarySearch(needle);
  for (const at of [0, 1, 199, 203, 5000, 99_796]) {
    const buf = new Uint8Array(100_000).fill(0x61);
    buf.set(encoder.encode("\n--" + "a".repeat(199) + "b"), 10); // a near miss
    buf.set(needle, at + needle.length > buf.length ? 0 : at);
    const expected = naive(buf, needle, 0, buf.length);
    assertEquals(search.index_in(buf, 0, buf.length), expected, `at ${at}`);
    assertEquals(
      search.index_in(buf, expected + 1, buf.length),
      naive(buf, needle, expected + 1, buf.length),
    );
  }
});

Deno.test("FieldStorage.from() splits a file of the boundary's character at its delimiter, with the chunks cut at every offset around it", async () => {
  const boundary = "a".repeat(70);
  const file = "a".repeat(20_000) + "\r\n--" + "a".repeat(69) + "\r\n" +
    "a".repeat(300);
  const body = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="f"; ` +
      `filename="f"\r\n\r\n${file}\r\n--${boundary}--\r\n`,
  );
  const tail = body.length - boundary.length - 8;
  for (let cut = tail - 80; cut < body.length; cut += 3) {
    await using form = await FieldStorage.from({
      fp: [body.subarray(0, cut), body.subarray(cut)],
      environ: {
        REQUEST_METHOD: "POST",
        CONTENT_TYPE: `multipart/form-data; boundary=${boundary}`,
      },
    });
    const part = form.get("f") as FieldStorage;
    assertEquals(part.file!.size, file.length, `cut at ${cut}`);
    assertEquals(new TextDecoder().decode(part.value as Uint8Array), file);
  }
});
