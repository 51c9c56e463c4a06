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
// lines, so that a client cannot forge or hide log entries (gh-100001).
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\\]/g;

/** Escapes control characters and backslashes as Python's log lines do. */
export function escape_control(s: string): string {
  return s.replace(
    CONTROL,
    (c) =>
      c === "\\"
        ? "\\\\"
        : "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0"),
  );
}
