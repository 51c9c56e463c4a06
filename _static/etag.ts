/**
 * Entity tags for static files and the `If-None-Match` precondition
 * (RFC 9110 §8.8.3, §13.1.2).
 *
 * @module
 */

/**
 * A strong entity tag for a file from its size and modification time:
 * `"<size hex>-<mtime ms hex>"`, as nginx makes them. Strong, so that
 * `If-Range` can use it to resume a download (RFC 9110 §13.1.5 allows only
 * strong tags there); a file that changes keeps neither its mtime nor,
 * usually, its size. Computed from the stat result alone: nothing is hashed.
 * The mtime keeps its milliseconds, so a change within the same second still
 * changes the tag even though `Last-Modified` cannot show it.
 *
 * @param size The file size in bytes.
 * @param mtime_ms The modification time in ms since the epoch.
 * @returns The entity tag, quotes included.
 *
 * @example
 * ```ts
 * import { file_etag } from "./etag.ts";
 * if (file_etag(1024, 1700000000000) !== '"400-18bcfe56800"') throw new Error();
 * ```
 */
export function file_etag(size: number, mtime_ms: number): string {
  return `"${size.toString(16)}-${Math.trunc(mtime_ms).toString(16)}"`;
}

function opaque(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}

/**
 * Evaluates an `If-None-Match` header against the current entity tag with the
 * weak comparison of RFC 9110 §8.8.3.2. Returns `false` when `*` or a listed
 * tag matches (a GET or HEAD then gets 304 Not Modified), `true` otherwise
 * (serve the file). A malformed list, such as an unquoted tag, is ignored
 * (`true`), except for matches found before the malformed part.
 *
 * @param header The `If-None-Match` field value.
 * @param etag The file's entity tag, as from {@linkcode file_etag}.
 * @returns Whether the precondition holds (the file should be sent).
 *
 * @example
 * ```ts
 * import { if_none_match } from "./etag.ts";
 * if (if_none_match('"x", W/"abc"', '"abc"') !== false) throw new Error();
 * if (if_none_match('"x"', 'W/"abc"') !== true) throw new Error();
 * ```
 */
export function if_none_match(header: string, etag: string): boolean {
  const wanted = opaque(etag);
  const n = header.length;
  let i = 0;
  while (i < n) {
    const c = header[i];
    if (c === " " || c === "\t" || c === ",") {
      i++;
      continue;
    }
    if (c === "*") return false;
    // entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc may include commas.
    if (header.startsWith("W/", i)) i += 2;
    if (header[i] !== '"') return true;
    const close = header.indexOf('"', i + 1);
    if (close < 0) return true;
    if (header.slice(i, close + 1) === wanted) return false;
    i = close + 1;
  }
  return true;
}
