/**
 * Streaming reader of one multipart body (RFC 2046 section 5.1) over a
 * {@linkcode ByteSource}, with the line rules of Python's `cgi` module: a
 * delimiter is `--boundary` at the start of the body or after an LF, then
 * optional whitespace and an LF (the CR before that LF, and the CRLF or LF
 * before the delimiter, belong to it). Part bodies are yielded as views of
 * the source's buffer, so bytes are never copied on the way to a file.
 *
 * @module
 */

import { BoundarySearch } from "./boundary_search.ts";
import type { ByteSource } from "./byte_source.ts";
import { FormLimitError, TruncatedBodyError } from "./errors.ts";

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
/** How much whitespace may follow a boundary on its line. */
const MAX_PADDING = 1024;

const NOT_DELIMITER = -1;
const NEED_MORE = -2;

function is_space(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d && b !== LF);
}

/** Reads the parts of one multipart body, in order. */
export class MultipartReader {
  #src: ByteSource;
  #boundary: string;
  #search: BoundarySearch;
  #done = false;

  /**
   * @param src The body (or the enclosing part's body).
   * @param boundary The boundary, already validated.
   */
  constructor(src: ByteSource, boundary: Uint8Array) {
    this.#src = src;
    this.#boundary = String.fromCharCode(...boundary);
    const needle = new Uint8Array(boundary.length + 3);
    needle.set([LF, DASH, DASH]);
    needle.set(boundary, 3);
    this.#search = new BoundarySearch(needle);
  }

  /** Whether the close delimiter (`--boundary--`) was read. */
  get done(): boolean {
    return this.#done;
  }

  #truncated(): TruncatedBodyError {
    const src = this.#src;
    return new TruncatedBodyError(
      `Multipart body ended before the final boundary "--${this.#boundary}--"`,
      src.bytes_read,
      src.length,
    );
  }

  /**
   * Checks what follows `--boundary` at `i`: returns the index after the
   * delimiter line (and sets `done` for a close delimiter), or
   * `NOT_DELIMITER`, or `NEED_MORE` when the buffer ends first.
   */
  #delimiter_end(i: number): number {
    const { buf, end, eof } = this.#src;
    const limit = i + 2 + MAX_PADDING;
    let close = false;
    if (i + 1 >= end && !eof) return NEED_MORE;
    if (buf[i] === DASH && buf[i + 1] === DASH && i + 1 < end) {
      close = true;
      i += 2;
    }
    while (i < end && i < limit && is_space(buf[i]!)) i++;
    if (i === limit) return NOT_DELIMITER;
    if (i === end) {
      if (!eof) return NEED_MORE;
      // A close delimiter may end the input without a line break.
      if (!close) return NOT_DELIMITER;
    } else if (buf[i] !== LF) {
      return NOT_DELIMITER;
    } else {
      i++;
    }
    this.#done = close;
    return i;
  }

  /**
   * Skips the preamble up to the first delimiter. Resolves to `false` when
   * that is the close delimiter (a form with no parts).
   */
  async start(): Promise<boolean> {
    if (!(await this.#delimiter_at_start())) {
      for await (const _ of this.body()) {
        // The preamble is ignored.
      }
    }
    return !this.#done;
  }

  /**
   * Consumes a delimiter at the start of the unconsumed bytes, where a line
   * starts (the start of the body, or after a part's blank line) and needs
   * no LF before it. Resolves to whether there was one.
   */
  async #delimiter_at_start(): Promise<boolean> {
    const src = this.#src;
    const prefix = this.#search.needle.subarray(1);
    for (;;) {
      if (src.end - src.start >= prefix.length) {
        const head = src.buf.subarray(src.start, src.start + prefix.length);
        if (!head.every((b, i) => b === prefix[i])) return false;
        const r = this.#delimiter_end(src.start + prefix.length);
        if (r >= 0) {
          src.start = r;
          return true;
        }
        if (r === NOT_DELIMITER) return false;
      }
      if (!(await src.fill()) && src.end - src.start < prefix.length) {
        return false;
      }
    }
  }

  /**
   * Reads the header lines of the next part, up to the first blank line,
   * which is consumed. Resolves to their bytes, line breaks included.
   *
   * @param max_size The most bytes the lines may take.
   */
  async read_headers(max_size: number): Promise<Uint8Array> {
    const src = this.#src;
    let line_start = 0; // relative to src.start, which stays put meanwhile
    for (;;) {
      const view = src.buf.subarray(src.start, src.end);
      const nl = view.indexOf(LF, line_start);
      if (nl < 0) {
        if (view.length > max_size) throw this.#header_too_large(max_size);
        if (!(await src.fill())) throw this.#truncated();
        continue;
      }
      let blank = true;
      for (let i = line_start; i < nl && blank; i++) blank = is_space(view[i]!);
      if (blank) {
        const headers = view.slice(0, line_start);
        src.start += nl + 1;
        return headers;
      }
      line_start = nl + 1;
      if (line_start > max_size) throw this.#header_too_large(max_size);
    }
  }

  #header_too_large(max_size: number): FormLimitError {
    return new FormLimitError(
      `Part headers exceed ${max_size} bytes`,
      "max_header_size",
      max_size,
    );
  }

  /**
   * Yields the current part's body up to the next delimiter, which it
   * consumes. Each chunk is a view valid until the next one is asked for.
   * Throws a {@linkcode TruncatedBodyError} if the input ends first.
   */
  async *body(): AsyncGenerator<Uint8Array> {
    if (await this.#delimiter_at_start()) return;
    const src = this.#src;
    const search = this.#search;
    const n = search.needle.length;
    let from = src.start;
    let ended = false;
    for (;;) {
      const p = search.index_in(src.buf, from, src.end);
      let safe: number; // bytes before it cannot belong to a delimiter
      if (p >= 0) {
        const r = this.#delimiter_end(p + n);
        if (r === NOT_DELIMITER) {
          from = p + 1;
          continue;
        }
        const data_end = p > src.start && src.buf[p - 1] === CR ? p - 1 : p;
        if (r !== NEED_MORE) {
          const chunk = src.buf.subarray(src.start, data_end);
          src.start = r;
          if (chunk.length > 0) yield chunk;
          return;
        }
        safe = data_end;
        from = p;
      } else {
        from = Math.max(src.start, src.end - n + 1);
        // A CR just before a delimiter belongs to it.
        safe = from > src.start && src.buf[from - 1] === CR ? from - 1 : from;
      }
      if (safe > src.start) {
        const chunk = src.buf.subarray(src.start, safe);
        src.start = safe;
        yield chunk;
      }
      const offset = from - src.start;
      if (!(await src.fill())) {
        // At the end of the input a close delimiter needs no line break, so
        // look once more; if that finds none, the body was cut short.
        if (ended) throw this.#truncated();
        ended = true;
      }
      from = src.start + offset;
    }
  }
}

/**
 * Parses a part's decoded header lines into a record keyed by lower-cased
 * name. As in Python, the first of repeated headers wins, folded lines are
 * joined, lines without a colon are skipped, and Content-Length is dropped
 * (some clients send it; the delimiter, not it, ends a part).
 */
export function parse_part_headers(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let last: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if ((line.startsWith(" ") || line.startsWith("\t")) && last !== null) {
      headers[last] += " " + line.trim();
      continue;
    }
    last = null;
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (
      name === "content-length" || name === "__proto__" ||
      Object.hasOwn(headers, name)
    ) continue;
    headers[name] = line.slice(colon + 1).trim();
    last = name;
  }
  return headers;
}
