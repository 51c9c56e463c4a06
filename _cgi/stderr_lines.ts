/**
 * A script's stderr as log lines: split at newlines, each cut to a bounded
 * length, so that a script cannot flood one log line without end.
 *
 * @module
 */

/** Longest logged line of a script's stderr, in UTF-16 code units. */
const MAX_STDERR_LINE = 4096;

/**
 * Reads `stderr` to its end (or until it is cancelled) and passes each line
 * to `log`, without its newline and cut to 4,096 characters; a longer run
 * without a newline is logged in pieces of that size.
 *
 * @param stderr The script's stderr.
 * @param log Called with each line.
 * @returns When the stream ends.
 *
 * @example
 * ```ts
 * import { log_lines } from "./stderr_lines.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const stream = ReadableStream.from([new TextEncoder().encode("a\nb\nc")]);
 * await log_lines(stream.getReader(), (line) => lines.push(line));
 * assert.deepEqual(lines, ["a", "b", "c"]);
 * ```
 */
export async function log_lines(
  stderr: ReadableStreamDefaultReader<Uint8Array>,
  log: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  try {
    while (true) {
      const { done, value } = await stderr.read();
      if (done) break;
      pending += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = pending.indexOf("\n")) !== -1) {
        log(pending.slice(0, Math.min(nl, MAX_STDERR_LINE)));
        pending = pending.slice(nl + 1);
      }
      if (pending.length > MAX_STDERR_LINE) {
        log(pending.slice(0, MAX_STDERR_LINE));
        pending = "";
      }
    }
  } catch {
    // Cancelled: what was read is logged below.
  }
  pending += decoder.decode();
  if (pending) log(pending);
}
