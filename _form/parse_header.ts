/**
 * {@linkcode parse_header}: Python's `cgi.parse_header`, for Content-Type
 * and Content-Disposition values.
 *
 * @module
 */

/** How many unescaped double quotes `s` has before `end`. */
function quoted_count(s: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    if (s[i] === '"' && s[i - 1] !== "\\") n++;
  }
  return n;
}

/**
 * Parses a Content-Type-like header into its main value and its parameters,
 * like Python's `cgi.parse_header`: parameter names are lower-cased, quoted
 * values unquoted, and `;` inside quotes kept.
 *
 * @param line The header value.
 * @returns The main value and a record of the parameters.
 *
 * @example
 * ```ts
 * import { parse_header } from "../cgi.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   parse_header('form-data; name="files"; filename="fo\\"o;bar"'),
 *   ["form-data", { name: "files", filename: 'fo"o;bar' }],
 * );
 * ```
 */
export function parse_header(
  line: string,
): [key: string, pdict: Record<string, string>] {
  const parts: string[] = [];
  let s = ";" + line;
  while (s.startsWith(";")) {
    s = s.slice(1);
    let end = s.indexOf(";");
    while (end > 0 && quoted_count(s, end) % 2) end = s.indexOf(";", end + 1);
    if (end < 0) end = s.length;
    parts.push(s.slice(0, end).trim());
    s = s.slice(end);
  }
  const pdict: Record<string, string> = {};
  for (const p of parts.slice(1)) {
    const i = p.indexOf("=");
    if (i < 0) continue;
    const name = p.slice(0, i).trim().toLowerCase();
    let value = p.slice(i + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replaceAll("\\\\", "\\").replaceAll(
        '\\"',
        '"',
      );
    }
    if (name !== "__proto__") pdict[name] = value;
  }
  return [parts[0]!, pdict];
}
