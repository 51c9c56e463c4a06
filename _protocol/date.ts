/**
 * Dates in HTTP headers (RFC 9110 §5.6.7) and in Python's log lines.
 *
 * @module
 */

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
] as const;

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/** Formats a time in ms since the epoch as an IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
export function format_date(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${
    MONTHS[d.getUTCMonth()]
  } ${String(d.getUTCFullYear()).padStart(4, "0")} ${pad2(d.getUTCHours())}:${
    pad2(d.getUTCMinutes())
  }:${pad2(d.getUTCSeconds())} GMT`;
}

let date_second = -1;
let date_text = "";
let log_second = -1;
let log_text = "";

/** The current time as an IMF-fixdate, computed at most once a second. */
export function now_date(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== date_second) {
    date_second = second;
    date_text = format_date(now);
  }
  return date_text;
}

/** The current local time as {@linkcode format_log_date}, computed at most once a second. */
export function now_log_date(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== log_second) {
    log_second = second;
    log_text = format_log_date(now);
  }
  return log_text;
}

/** Formats a local time as Python's log lines do: `24/Nov/2026 06:15:22`. */
export function format_log_date(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getDate())}/${MONTHS[d.getMonth()]}/${
    String(d.getFullYear()).padStart(4, "0")
  } ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

const MONTH_INDEX: Record<string, number> = Object.fromEntries(
  MONTHS.map((m, i) => [m.toLowerCase(), i]),
);

// IMF-fixdate, RFC 850 and asctime: the three forms RFC 9110 §5.6.7 says a
// recipient must accept.
const DATE_FORMS = [
  /^[A-Za-z]{3}, (?<d>\d{2}) (?<mon>[A-Za-z]{3}) (?<y>\d{4}) (?<h>\d{2}):(?<m>\d{2}):(?<s>\d{2}) GMT$/,
  /^[A-Za-z]+, (?<d>\d{2})-(?<mon>[A-Za-z]{3})-(?<yy>\d{2}) (?<h>\d{2}):(?<m>\d{2}):(?<s>\d{2}) GMT$/,
  /^[A-Za-z]{3} (?<mon>[A-Za-z]{3}) {1,2}(?<d>\d{1,2}) (?<h>\d{2}):(?<m>\d{2}):(?<s>\d{2}) (?<y>\d{4})$/,
];

/**
 * Parses an HTTP date in any of the three forms of RFC 9110 §5.6.7; returns
 * ms since the epoch, or `null` for anything else.
 */
export function parse_date(value: string): number | null {
  const s = value.trim();
  let g: Record<string, string> | undefined;
  for (const form of DATE_FORMS) {
    g = form.exec(s)?.groups;
    if (g) break;
  }
  if (!g) return null;
  const month = MONTH_INDEX[g.mon!.toLowerCase()];
  if (month === undefined) return null;
  let year = Number(g.y);
  if (g.yy !== undefined) {
    // RFC 9110: a two-digit year that looks more than 50 years in the future
    // is in the past century.
    year = 2000 + Number(g.yy);
    if (year > new Date().getUTCFullYear() + 50) year -= 100;
  }
  const day = Number(g.d);
  const ms = Date.UTC(year, month, day, Number(g.h), Number(g.m), Number(g.s));
  // Reject dates such as 31 Feb, which Date.UTC would roll over.
  return new Date(ms).getUTCDate() === day ? ms : null;
}
