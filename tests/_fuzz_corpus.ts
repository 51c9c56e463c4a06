/**
 * The regression corpus of the fuzzers: `tests/fuzz_corpus/`, one file per
 * input that once failed. `request-<hash>.bin` holds the request bytes;
 * `multipart-<hash>.bin` the boundary, a LF, then the body.
 *
 * @module
 */

import {
  check_request_case,
  fnv1a,
  parse_multipart_pieces,
  Rng,
  split_bytes,
  split_random,
} from "./_fuzz.ts";
import { bytes_of, latin1 } from "./_helpers.ts";

/** The corpus directory. */
export const CORPUS_DIR: string = new URL("./fuzz_corpus/", import.meta.url)
  .pathname;

/** Saves a failing request; returns its path. */
export function save_request(input: Uint8Array): string {
  const path = `${CORPUS_DIR}request-${fnv1a(input)}.bin`;
  Deno.mkdirSync(CORPUS_DIR, { recursive: true });
  Deno.writeFileSync(path, input);
  return path;
}

/** Saves a failing multipart body with its boundary; returns its path. */
export function save_multipart(boundary: string, body: Uint8Array): string {
  const data = new Uint8Array([...bytes_of(boundary + "\n"), ...body]);
  const path = `${CORPUS_DIR}multipart-${fnv1a(data)}.bin`;
  Deno.mkdirSync(CORPUS_DIR, { recursive: true });
  Deno.writeFileSync(path, data);
  return path;
}

/**
 * Checks a multipart body whose parts are not known: a typed error or parts,
 * the same whole, a byte at a time and cut at random, no file left.
 */
export async function check_multipart_body(
  rng: Rng,
  dir: string,
  boundary: string,
  body: Uint8Array,
): Promise<string | null> {
  const summaries: string[] = [];
  const cuts = [[body], split_random(rng, body, 8)];
  if (body.length <= 4000) cuts.push(split_bytes(body));
  for (const pieces of cuts) {
    const r = await parse_multipart_pieces(dir, boundary, body, pieces);
    summaries.push(JSON.stringify(
      "error" in r
        ? r.error
        : r.parts.map((p) => [p.name, p.filename, latin1(p.content)]),
    ));
  }
  return summaries.every((s) => s === summaries[0])
    ? null
    : `results differ with the cuts: ${summaries.join(" / ").slice(0, 600)}`;
}

/**
 * The seed of an entry's random cuts: its hash as a number, so that each
 * entry is cut its own way and the same way on every replay.
 */
export function seed_of(data: Uint8Array): number {
  return parseInt(fnv1a(data), 16);
}

/**
 * Replays every saved input; returns the failures as `file: why`. The
 * corpus is part of the repository: a missing folder is an error, not an
 * empty corpus.
 */
export async function replay_corpus(): Promise<string[]> {
  const failures: string[] = [];
  let names: string[];
  try {
    names = [...Deno.readDirSync(CORPUS_DIR)].map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(
        `The fuzz corpus folder ${CORPUS_DIR} is missing.`,
      );
    }
    throw e;
  }
  const dir = await Deno.makeTempDir({ prefix: "fuzz_spool_" });
  try {
    for (const name of names) {
      const data = Deno.readFileSync(CORPUS_DIR + name);
      const rng = new Rng(seed_of(data));
      let why: string | null = null;
      if (name.startsWith("request-")) {
        why = await check_request_case(rng, data);
      } else if (name.startsWith("multipart-")) {
        const lf = data.indexOf(0x0a);
        why = await check_multipart_body(
          rng,
          dir,
          latin1(data.subarray(0, lf)),
          data.subarray(lf + 1),
        );
      }
      if (why) failures.push(`${name}: ${why}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return failures;
}
