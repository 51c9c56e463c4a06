/**
 * `deno task fuzz [seconds] [seed]`: runs the request and multipart fuzzers
 * of `tests/fuzz_test.ts` with fresh seeds for `seconds` (60 by default),
 * saves every failing input to `tests/fuzz_corpus/` (replayed by the tests
 * from then on) and exits 1 if there was one.
 *
 * @module
 */

import {
  check_multipart_case,
  check_request_case,
  multipart_case,
  request_case,
  request_corpus,
  Rng,
} from "./_fuzz.ts";
import { save_multipart, save_request } from "./_fuzz_corpus.ts";

const seconds = Number(Deno.args[0] ?? 60);
let seed = Number(Deno.args[1] ?? (Date.now() % 1e9));
const end = Date.now() + seconds * 1000;
const corpus = request_corpus();
const dir = await Deno.makeTempDir({ prefix: "fuzz_spool_" });
let requests = 0, forms = 0, failures = 0;
console.log(`fuzzing for ${seconds} s from seed ${seed}`);
try {
  while (Date.now() < end) {
    const rng = new Rng(seed);
    for (let i = 0; i < 50; i++) {
      const input = request_case(rng, corpus);
      const why = await check_request_case(rng, input);
      requests++;
      if (why) {
        failures++;
        console.log(`FAIL (seed ${seed}) ${save_request(input)}\n  ${why}`);
      }
    }
    for (let i = 0; i < 5; i++) {
      const c = multipart_case(rng, i === 0);
      let why: string | null;
      try {
        why = await check_multipart_case(rng, dir, c, i === 0 ? 40 : 0);
      } catch (e) {
        why = String(e);
      }
      forms++;
      if (why) {
        failures++;
        console.log(
          `FAIL (seed ${seed}) ${save_multipart(c.boundary, c.body)}\n  ${why}`,
        );
      }
    }
    seed++;
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
console.log(
  `${requests} requests, ${forms} multipart bodies, ${failures} failures`,
);
Deno.exit(failures > 0 ? 1 : 0);
