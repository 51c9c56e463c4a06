/**
 * Byte range requests: the `Range` and `If-Range` headers (RFC 9110 §14,
 * §13.1.5) and the `Content-Range` value.
 *
 * @module
 */

import { parse_date } from "../_protocol/date.ts";

/** The outcome of {@linkcode parse_range}. */
export type RangeResult =
  /** Send 206 Partial Content with bytes `start` to `end`, both inclusive. */
  | { type: "range"; start: number; end: number }
  /** Send 416 Range Not Satisfiable with `Content-Range: bytes *\/size`. */
  | { type: "unsatisfiable" }
  /** Ignore the header: send the whole file with 200. */
  | { type: "ignore" };

const IGNORE: RangeResult = Object.freeze({ type: "ignore" });
const UNSATISFIABLE: RangeResult = Object.freeze({ type: "unsatisfiable" });
const RANGE_SPEC = /^(\d*)-(\d*)$/;

/**
 * Parses a `Range` header for a file of `size` bytes. A single `bytes` range
 * (`a-b`, `a-`, `-suffix`) gives `range`, with `end` clamped to the last
 * byte; one that starts at or beyond the end, or a zero suffix, gives
 * `unsatisfiable`. Everything else gives `ignore`, which RFC 9110 §14.2
 * allows: an absent or malformed header, another unit, `a-b` with `b < a`,
 * several ranges (we do not send multipart/byteranges), and any range of an
 * empty file (some clients send `Range` with every request, so an empty file
 * gets 200 rather than 416, as in Deno std's file server).
 *
 * @param header The `Range` field value, if any.
 * @param size The file size in bytes.
 * @returns What to send.
 *
 * @example
 * ```ts
 * import { parse_range } from "./range.ts";
 * const r = parse_range("bytes=-100", 1000);
 * if (r.type !== "range" || r.start !== 900 || r.end !== 999) throw new Error();
 * ```
 */
export function parse_range(
  header: string | null | undefined,
  size: number,
): RangeResult {
  if (header == null || size <= 0) return IGNORE;
  const eq = header.indexOf("=");
  if (eq < 0) return IGNORE;
  // range-unit is a case-insensitive token; OWS is allowed only around the
  // list elements.
  if (header.slice(0, eq).trim().toLowerCase() !== "bytes") return IGNORE;
  const specs = header.slice(eq + 1).split(",").map((s) => s.trim())
    .filter((s) => s !== "");
  if (specs.length !== 1) return IGNORE;
  const m = RANGE_SPEC.exec(specs[0]!);
  if (!m) return IGNORE;
  const [, first, last] = m as unknown as [string, string, string];
  if (first === "") {
    if (last === "") return IGNORE;
    const suffix = Number(last);
    if (suffix === 0) return UNSATISFIABLE;
    return { type: "range", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? Infinity : Number(last);
  if (end < start) return IGNORE;
  if (start >= size) return UNSATISFIABLE;
  return { type: "range", start, end: Math.min(end, size - 1) };
}

/**
 * The `Content-Range` value: `bytes 0-99/1000` for a range, `bytes *\/1000`
 * for a 416.
 *
 * @param size The file size in bytes.
 * @param range The range sent, or nothing for a 416.
 * @returns The field value.
 *
 * @example
 * ```ts
 * import { content_range } from "./range.ts";
 * if (content_range(1000, { start: 0, end: 99 }) !== "bytes 0-99/1000") throw new Error();
 * ```
 */
export function content_range(
  size: number,
  range?: { start: number; end: number },
): string {
  return range
    ? `bytes ${range.start}-${range.end}/${size}`
    : `bytes */${size}`;
}

/**
 * Evaluates `If-Range` (RFC 9110 §13.1.5): whether the `Range` header should
 * be honoured. An entity tag matches only by strong comparison (a weak tag
 * never matches; ours are strong); an HTTP date matches only if it equals
 * `Last-Modified` to the second and that is a strong validator, i.e. at
 * least one second before now (§8.8.2.2). Anything else does not match, and
 * the whole file is sent.
 *
 * @param if_range The `If-Range` field value.
 * @param etag The file's entity tag, if any.
 * @param last_modified_ms The file's modification time in ms, if known.
 * @param now_ms The current time in ms.
 * @returns `true` to honour `Range`, `false` to send the whole file.
 *
 * @example
 * ```ts
 * import { if_range_matches } from "./range.ts";
 * const mtime = Date.UTC(2024, 0, 1, 12, 0, 0, 500);
 * const ok = if_range_matches("Mon, 01 Jan 2024 12:00:00 GMT", undefined, mtime);
 * if (!ok) throw new Error();
 * ```
 */
export function if_range_matches(
  if_range: string,
  etag: string | null | undefined,
  last_modified_ms: number | null | undefined,
  now_ms: number = Date.now(),
): boolean {
  const value = if_range.trim();
  if (value.startsWith('"') || value.startsWith("W/")) {
    return etag != null && value.startsWith('"') && value.length >= 2 &&
      value.endsWith('"') && value === etag;
  }
  if (last_modified_ms == null) return false;
  const date = parse_date(value);
  if (date === null) return false;
  const modified = Math.floor(last_modified_ms / 1000);
  return date / 1000 === modified && Math.floor(now_ms / 1000) > modified;
}
