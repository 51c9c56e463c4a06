/**
 * The request line and the header fields of a request head, parsed without
 * a socket: pure functions from text to values or to the status that
 * refuses them (RFC 9112 §3, §5, §6).
 *
 * @module
 */

import { repr } from "../_common/pyformat.ts";

const CR = 13;

/** A refused head: the status and the reason phrase to answer with. */
export interface HeadRefusal {
  kind: "refused";
  /** The status code, such as 400. */
  code: number;
  /** The reason phrase. */
  message: string;
  /**
   * The request version to answer in, when the request line named one
   * before it was found wrong; `null` when it did not (answered as
   * HTTP/1.0, with a status line).
   */
  version: string | null;
}

/** A parsed request line. */
export interface RequestLine {
  kind: "line";
  /** The method, such as `GET`. */
  command: string;
  /** The request target as sent. */
  path: string;
  /** The HTTP-version token; `null` for a two-word HTTP/0.9 request. */
  version: string | null;
  /** `[major, minor]` of the version; `[0, 9]` for HTTP/0.9. */
  version_number: readonly [number, number];
}

/** How the body of a request is framed. */
export interface Framing {
  kind: "framing";
  /** The body length from Content-Length (0 without one); `null` for chunked. */
  body_length: number | null;
}

/** Which of the fields the handler looks up a head had. */
export interface FieldsSeen {
  /** A `Connection` field. */
  connection: boolean;
  /** An `Expect` field. */
  expect: boolean;
}

/** What the header fields are appended to (an `HTTPMessage`). */
export interface FieldSink {
  append(name: string, value: string): void;
}

/**
 * `[major, minor]` of an HTTP-version such as `HTTP/1.1`, or `null` when it
 * is not one (Python accepts up to 10 digits each).
 *
 * @example
 * ```ts
 * import { parse_version } from "./request_head.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parse_version("HTTP/1.01"), [1, 1]);
 * assert.equal(parse_version("HTTP/1"), null);
 * ```
 */
export function parse_version(version: string): [number, number] | null {
  if (version === "HTTP/1.1") return [1, 1];
  if (version === "HTTP/1.0") return [1, 0];
  const m = /^HTTP\/(\d{1,10})\.(\d{1,10})$/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

// deno-lint-ignore no-control-regex
const BAD_TARGET = /[\x00-\x20\x7f-\uffff]/;

/**
 * Parses a request line (its line ending removed) as Python's
 * `parse_request()` does: `METHOD target HTTP/x.y`, or the two words of an
 * HTTP/0.9 `GET target`. `null` for a blank line (no request).
 *
 * @example
 * ```ts
 * import { parse_request_line } from "./request_head.ts";
 * import assert from "node:assert/strict";
 *
 * const line = parse_request_line("GET /a HTTP/1.1");
 * assert.equal(line?.kind, "line");
 * assert.equal(parse_request_line("GET /a HTTP/2.0")?.kind, "refused");
 * ```
 */
export function parse_request_line(
  line: string,
): RequestLine | HeadRefusal | null {
  // The usual line, `METHOD target HTTP/1.x` with single spaces, needs no
  // split; anything else takes the general path below.
  const sp1 = line.indexOf(" ");
  if (sp1 > 0) {
    const sp2 = line.indexOf(" ", sp1 + 1);
    if (sp2 > sp1 + 1 && line.indexOf(" ", sp2 + 1) === -1) {
      const version = line.slice(sp2 + 1);
      if (version === "HTTP/1.1" || version === "HTTP/1.0") {
        const command = line.slice(0, sp1);
        const path = line.slice(sp1 + 1, sp2);
        if (!has_space(command) && !BAD_TARGET.test(path)) {
          return {
            kind: "line",
            command,
            path,
            version,
            version_number: version === "HTTP/1.1" ? [1, 1] : [1, 0],
          };
        }
      }
    }
  }
  const words = line.split(/[ \t\v\f]+/).filter((w) => w !== "");
  if (words.length === 0) return null;
  let version: string | null = null;
  let number: [number, number] = [0, 9];
  if (words.length >= 3) {
    version = words[words.length - 1]!;
    const parsed = parse_version(version);
    if (parsed === null) {
      return refused(400, `Bad request version (${repr(version)})`, null);
    }
    number = parsed;
    // HTTP/0.9 never had a version token: a request naming one below 1.0
    // would get a headerless answer that a file could forge (issue 16).
    if (number[0] < 1) {
      return refused(400, `Bad request version (${repr(version)})`, null);
    }
    if (number[0] >= 2) {
      return refused(
        505,
        `Invalid HTTP version (${number[0]}.${number[1]})`,
        null,
      );
    }
  }
  if (words.length < 2 || words.length > 3) {
    return refused(400, `Bad request syntax (${repr(line)})`, version);
  }
  const [command, path] = words as [string, string];
  // RFC 9112 §3.2: the target is visible ASCII (bytes above 0x7F arrive
  // percent-encoded); NUL, ESC, DEL or raw UTF-8 there is refused, as Node
  // and Deno.serve refuse it.
  if (BAD_TARGET.test(path)) {
    return refused(400, `Bad request target (${repr(path)})`, version);
  }
  if (words.length === 2 && command !== "GET") {
    return refused(400, `Bad HTTP/0.9 request type (${repr(command)})`, null);
  }
  return { kind: "line", command, path, version, version_number: number };
}

/** Whether `s` holds HTAB, VT or FF (the request line's other separators). */
function has_space(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x09 || c === 0x0b || c === 0x0c) return true;
  }
  return false;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `s` is an RFC 9110 §5.6.2 token (a valid field name). */
export function is_token(s: string): boolean {
  return TOKEN.test(s);
}

/** Token characters (RFC 9110 §5.6.2) by code unit, for the ASCII range. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = TCHAR[c + 0x20] = 1;

/** Whether `text[pos, end)` is a token: {@linkcode is_token} without a slice. */
function is_token_at(text: string, pos: number, end: number): boolean {
  if (end <= pos) return false;
  for (let i = pos; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f || TCHAR[c] === 0) return false;
  }
  return true;
}

/** The name and value {@linkcode split_field} found last. */
let field_name = "";
let field_value = "";

/** Whether a code unit is SP or HTAB (RFC 9110 OWS). */
function is_ows(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

// The first letters, lowercased, of the only field names that matter for
// framing (Host, Content-Length, Transfer-Encoding) and that the handler
// looks up (Connection, Expect). Other names skip the lowercasing.
const H = 0x68, C = 0x63, T = 0x74, E = 0x65;

/**
 * Parses the field line `text[pos, end)` (its line ending excluded) with
 * the header-field rules, which trailer fields share (RFC 9110 §6.5,
 * RFC 9112 §5), and appends it to `into`; returns `null`, or why the line
 * is refused. No object per line: this runs for every header.
 *
 * @example
 * ```ts
 * import { parse_field_line } from "./request_head.ts";
 * import assert from "node:assert/strict";
 *
 * const got: string[] = [];
 * const sink = { append: (n: string, v: string) => void got.push(n, v) };
 * assert.equal(parse_field_line("X-A:  b ", sink), null);
 * assert.deepEqual(got, ["X-A", "b"]);
 * assert.equal(parse_field_line(" folded", sink)?.kind, "refused");
 * ```
 */
export function parse_field_line(
  text: string,
  into: FieldSink,
  pos = 0,
  end: number = text.length,
): HeadRefusal | null {
  const refusal = split_field(text, pos, end);
  if (refusal === null) into.append(field_name, field_value);
  return refusal;
}

/**
 * Checks the field line `text[pos, end)` and leaves its name and value in
 * `field_name` and `field_value`; returns `null`, or why it is refused.
 */
function split_field(
  text: string,
  pos: number,
  end: number,
): HeadRefusal | null {
  const colon = text.indexOf(":", pos);
  // obs-fold, whitespace before the colon, no colon: RFC 9112 §5.1-5.2
  // say reject; accepting them is how requests get smuggled.
  if (colon === -1 || colon >= end || !is_token_at(text, pos, colon)) {
    return refused(400, `Bad header line (${repr(text.slice(pos, end))})`);
  }
  let v0 = colon + 1, v1 = end;
  while (v0 < v1 && is_ows(text.charCodeAt(v0))) v0++;
  while (v1 > v0 && is_ows(text.charCodeAt(v1 - 1))) v1--;
  const value = text.slice(v0, v1);
  // NUL, and a CR that is not part of a line ending (RFC 9112 §2.2).
  if (value.includes("\0") || value.includes("\r")) {
    return refused(400, `Bad header value (${repr(text.slice(pos, end))})`);
  }
  field_name = text.slice(pos, colon);
  field_value = value;
  return null;
}

/**
 * Parses the header lines of a head (`text` from `start`, each line ending
 * in LF or CRLF, up to the blank line) into `into`, rejecting the shapes
 * that smuggle requests, and checks Host and the body's framing (RFC 9112
 * §3.2, §5, §6). One pass over the text, no line array.
 *
 * @example
 * ```ts
 * import { parse_fields } from "./request_head.ts";
 * import assert from "node:assert/strict";
 *
 * const fields: string[][] = [];
 * const sink = { append: (n: string, v: string) => void fields.push([n, v]) };
 * const framing = parse_fields("Host: a\r\nContent-Length: 5\r\n\r\n", 0, sink, true);
 * assert.deepEqual(framing, { kind: "framing", body_length: 5 });
 * assert.deepEqual(fields, [["Host", "a"], ["Content-Length", "5"]]);
 * ```
 *
 * @param text The head as ISO-8859-1 text.
 * @param start Where the first header line starts.
 * @param into Receives each field in order.
 * @param http11 Whether the request is HTTP/1.1 or later (Host required,
 * Transfer-Encoding allowed).
 * @param seen When given, told whether a `Connection` or `Expect` field
 * was among them.
 * @returns The framing of the body, or why the head is refused.
 */
export function parse_fields(
  text: string,
  start: number,
  into: FieldSink,
  http11: boolean,
  seen?: FieldsSeen,
): Framing | HeadRefusal {
  let connection = false, expect = false;
  let hosts = 0;
  const cl: string[] = [];
  const te: string[] = [];
  for (let pos = start; pos < text.length;) {
    const lf = text.indexOf("\n", pos);
    const end = text.charCodeAt(lf - 1) === CR ? lf - 1 : lf;
    if (end === pos) break; // the blank line
    const refusal = split_field(text, pos, end);
    if (refusal !== null) return refusal;
    const name = field_name, value = field_value;
    into.append(name, value);
    // Note the framing fields as they pass.
    const c0 = name.charCodeAt(0) | 0x20;
    if (c0 === H || c0 === C || c0 === T || c0 === E) {
      const lower = name.toLowerCase();
      if (lower === "host") hosts++;
      else if (lower === "content-length") cl.push(value);
      else if (lower === "transfer-encoding") te.push(value);
      else if (lower === "connection") connection = true;
      else if (lower === "expect") expect = true;
    }
    pos = lf + 1;
  }
  if (seen !== undefined) {
    seen.connection = connection;
    seen.expect = expect;
  }
  if ((http11 && hosts === 0) || hosts > 1) {
    return refused(
      400,
      hosts ? "Multiple Host headers" : "Missing Host header",
    );
  }
  return framing_of(cl, te, http11);
}

/** The body framing from the Content-Length and Transfer-Encoding values. */
function framing_of(
  cl: string[],
  te: string[],
  http11: boolean,
): Framing | HeadRefusal {
  if (te.length > 0) {
    if (cl.length > 0) {
      return refused(400, "Both Content-Length and Transfer-Encoding");
    }
    if (!http11) {
      return refused(400, "Transfer-Encoding in an HTTP/1.0 request");
    }
    const codings = te.length === 1 && !te[0]!.includes(",")
      ? [te[0]!.toLowerCase()]
      : te.join(",").split(",").map((c) => c.trim().toLowerCase());
    const chunked = codings.filter((c) => c === "chunked").length;
    // RFC 9112 §6.3: a request whose final coding is not chunked has no
    // reliable length; chunked twice is not allowed either (§6.1).
    if (codings[codings.length - 1] !== "chunked" || chunked > 1) {
      return refused(
        400,
        `Transfer-Encoding does not end in one chunked (${
          repr(te.join(", "))
        })`,
      );
    }
    if (codings.length !== 1) {
      return refused(
        501,
        `Unsupported Transfer-Encoding (${repr(te.join(", "))})`,
      );
    }
    return { kind: "framing", body_length: null };
  }
  if (cl.length === 0) return { kind: "framing", body_length: 0 };
  const values = cl.length === 1 && !cl[0]!.includes(",")
    ? cl
    : cl.flatMap((v) => v.split(",")).map((v) => v.trim());
  const first = values[0]!;
  if (!/^\d{1,15}$/.test(first) || values.some((v) => v !== first)) {
    return refused(400, `Bad Content-Length (${repr(cl.join(", "))})`);
  }
  return { kind: "framing", body_length: Number(first) };
}

function refused(
  code: number,
  message: string,
  version: string | null = null,
): HeadRefusal {
  return { kind: "refused", code, message, version };
}

/**
 * What a `Connection` field value (RFC 9110 §7.6.1: a comma-separated list
 * of tokens, case-insensitive; several fields join with commas) says about
 * persistence: `close` wins over `keep-alive` wherever it stands in the list
 * (RFC 9112 §9.6), `null` when it names neither.
 *
 * @example
 * ```ts
 * import { connection_option } from "./request_head.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(connection_option("keep-alive, Close"), "close");
 * assert.equal(connection_option("Keep-Alive"), "keep-alive");
 * assert.equal(connection_option("upgrade"), null);
 * ```
 *
 * @param value The field value (or the values of several fields joined by `,`).
 * @returns `"close"`, `"keep-alive"` or `null`.
 */
export function connection_option(
  value: string,
): "close" | "keep-alive" | null {
  const v = value.toLowerCase();
  if (v === "close" || v === "keep-alive") return v;
  let keep_alive = false;
  for (const token of v.split(",")) {
    const t = token.trim();
    if (t === "close") return "close";
    if (t === "keep-alive") keep_alive = true;
  }
  return keep_alive ? "keep-alive" : null;
}
