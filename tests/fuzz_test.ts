/**
 * Fuzzing with fixed seeds: the request parser and the multipart parser.
 * `deno task fuzz` runs the same checks with fresh seeds for a given time
 * and saves what fails to `tests/fuzz_corpus/`, which is replayed here.
 */

import { assert, assertEquals } from "./_assert.ts";
import { ThreadingHTTPServer } from "../http_server.ts";
import {
  check_multipart_case,
  check_request_case,
  EchoHandler,
  multipart_case,
  parse_multipart_pieces,
  parse_responses,
  request_case,
  request_corpus,
  Rng,
  serve_pieces,
  split_bytes,
  VALID_REQUESTS,
} from "./_fuzz.ts";
import { bytes_of, RawClient } from "./_helpers.ts";
import { CORPUS_DIR, replay_corpus, seed_of } from "./_fuzz_corpus.ts";

const REQUEST_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const CASES_PER_SEED = 60;

Deno.test("BaseHTTPRequestHandler answers every valid corpus request as expected, whole and a byte at a time", async () => {
  const rng = new Rng(42);
  for (const { text, expect } of VALID_REQUESTS) {
    const failure = await check_request_case(rng, bytes_of(text), expect);
    assertEquals(failure, null, JSON.stringify(text.slice(0, 100)));
  }
});

Deno.test("BaseHTTPRequestHandler refuses the smuggling shapes in the corpus with 400 or 501 and closes", async () => {
  const smuggle =
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 30\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
  for (const pieces of [[bytes_of(smuggle)], split_bytes(bytes_of(smuggle))]) {
    const outcome = await serve_pieces(pieces);
    const responses = parse_responses(outcome.text);
    assertEquals(responses.map((r) => r.status), [400]);
    assertEquals(outcome.finished, true);
  }
  const chunked_gzip =
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n";
  const outcome = await serve_pieces([bytes_of(chunked_gzip)]);
  // RFC 9112 §6.3: chunked not final is 400.
  assertEquals(parse_responses(outcome.text).map((r) => r.status), [400]);
});

for (const seed of REQUEST_SEEDS) {
  Deno.test(`BaseHTTPRequestHandler answers mutated requests (seed ${seed}) with well-formed responses, the same however they are split`, async () => {
    const rng = new Rng(seed);
    const corpus = request_corpus();
    for (let i = 0; i < CASES_PER_SEED; i++) {
      const input = request_case(rng, corpus);
      const failure = await check_request_case(rng, input);
      assertEquals(
        failure,
        null,
        `seed ${seed} case ${i}: ${
          JSON.stringify(new TextDecoder("latin1").decode(input).slice(0, 300))
        }`,
      );
    }
  });
}

Deno.test("ThreadingHTTPServer answers mutated requests over TCP as over the scripted connection, and a normal request after each", async () => {
  class Echo extends EchoHandler {
    override log_message(): void {}
  }
  await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Echo);
  const serving = server.serve_forever();
  const rng = new Rng(99);
  const corpus = request_corpus();
  for (let i = 0; i < 40; i++) {
    const input = request_case(rng, corpus);
    const expected = await serve_pieces([input]);
    await using client = await RawClient.connect(server.server_port);
    try {
      await client.write(input);
      await client.close_write();
    } catch {
      // The server may close before taking it all: its answer still counts.
    }
    assert(await client.read_to_eof(5000), `case ${i}: no close`);
    const text = client.text.replace(
      /\r\nDate: [^\r\n]*\r\n/g,
      "\r\nDate: DATE\r\n",
    );
    assertEquals(text, expected.text, `case ${i}`);
    await using normal = await RawClient.connect(server.server_port);
    await normal.write(
      "GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert(await normal.read_to_eof(5000));
    assertEquals(parse_responses(normal.text).map((r) => r.body), [
      "GET /ok 0\n",
    ]);
  }
  await server.shutdown();
  await serving;
});

Deno.test("FieldStorage.from() parses random multipart bodies with adversarial contents into exactly the parts sent, however the body is cut", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fuzz_spool_" });
  try {
    for (const seed of [11, 12, 13, 14, 15, 16]) {
      const rng = new Rng(seed);
      for (let i = 0; i < 25; i++) {
        const c = multipart_case(rng, false);
        const failure = await check_multipart_case(rng, dir, c, 0);
        assertEquals(failure, null, `seed ${seed} case ${i}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FieldStorage.from() parses the parts after a 128 KiB refill right, with the chunk cut at every offset", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fuzz_spool_" });
  try {
    for (const seed of [21, 22, 23, 24]) {
      const rng = new Rng(seed);
      for (let i = 0; i < 3; i++) {
        const c = multipart_case(rng, true);
        const failure = await check_multipart_case(rng, dir, c, 120);
        assertEquals(failure, null, `seed ${seed} case ${i}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FieldStorage.from() throws TruncatedBodyError for a body cut short and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fuzz_spool_" });
  try {
    const rng = new Rng(5);
    const c = multipart_case(rng, true);
    const cut = c.body.subarray(0, 131_500);
    const result = await parse_multipart_pieces(dir, c.boundary, c.body, [cut]);
    assertEquals(result, { error: "TruncatedBodyError" });
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tests/fuzz_corpus/ replays every saved failing input without a failure", async () => {
  const failures = await replay_corpus();
  assertEquals(failures, []);
});

Deno.test("tests/fuzz_corpus/ entries are each cut with their own seed, the number of their hash", () => {
  const seeds = [...Deno.readDirSync(CORPUS_DIR)].map((e) =>
    seed_of(Deno.readFileSync(CORPUS_DIR + e.name))
  );
  assert(seeds.length >= 3, `${seeds.length} entries`);
  assertEquals(new Set(seeds).size, seeds.length);
  assertEquals(seed_of(new TextEncoder().encode("a")), 0xe40c292c);
});
