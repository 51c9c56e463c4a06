/**
 * Python's `%` string formatting, as far as `log_message` callers use it,
 * and Python's `repr()` of strings.
 *
 * @module
 */

/** Python's `repr(s)` of a `str`: quoted, with escapes for unprintables. */
export function repr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\" || ch === quote) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
      out += "\\x" + c.toString(16).padStart(2, "0");
    } else out += ch;
  }
  return out + quote;
}

function str(value: unknown): string {
  if (Array.isArray(value)) {
    return `(${
      value.map((v) => typeof v === "string" ? repr(v) : str(v)).join(", ")
    })`;
  }
  return String(value);
}

/**
 * Formats `format % args` as Python does for `%s`, `%d`, `%i`, `%r` and
 * `%%`; other conversions are left as they are.
 */
export function percent_format(
  format: string,
  args: readonly unknown[],
): string {
  if (args.length === 0) return format;
  let i = 0;
  return format.replace(/%([sdir%])/g, (match, conv: string) => {
    if (conv === "%") return "%";
    if (i >= args.length) return match;
    const value = args[i++];
    switch (conv) {
      case "s":
        return str(value);
      case "r":
        return typeof value === "string" ? repr(value) : str(value);
      default:
        return String(Math.trunc(Number(value)));
    }
  });
}

// Python 3.12+ escapes C0 and C1 control characters and the backslash in log
// lines, so that a client cannot forge or hide log entries (gh-100001). We
// escape what Python's repr() escapes: every character str.isprintable()
// rejects (controls, format characters such as U+202E RIGHT-TO-LEFT
// OVERRIDE, line and paragraph separators such as U+2028, surrogates,
// unassigned code points, spaces other than SP).
const CONTROL = /[\\\p{C}\p{Zl}\p{Zp}]|(?! )\p{Zs}/gu;

/**
 * Escapes non-printable characters and backslashes in a log line as
 * Python's `repr()` writes them (`\x1b`, `\u202e`, `\U000e0001`, `\\`).
 *
 * @example
 * ```ts
 * import { escape_control } from "./pyformat.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escape_control("a\x1b[31m\u202eb\\"), "a\\x1b[31m\\u202eb\\\\");
 * ```
 */
export function escape_control(s: string): string {
  return s.replace(
    CONTROL,
    (c) => c === "\\" ? "\\\\" : backslash_escape(c),
  );
}

/**
 * One character as Python's `backslashreplace` writes it: `\xXX` up to
 * U+00FF, `\uXXXX` up to U+FFFF, else `\UXXXXXXXX`.
 *
 * @param c The character (one code point).
 * @returns Its escape.
 *
 * @example
 * ```ts
 * import { backslash_escape } from "./pyformat.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(backslash_escape("\u0100"), "\\u0100");
 * assert.equal(backslash_escape("\x1b"), "\\x1b");
 * ```
 */
export function backslash_escape(c: string): string {
  const cp = c.codePointAt(0)!;
  return cp <= 0xff
    ? "\\x" + cp.toString(16).padStart(2, "0")
    : cp <= 0xffff
    ? "\\u" + cp.toString(16).padStart(4, "0")
    : "\\U" + cp.toString(16).padStart(8, "0");
}
