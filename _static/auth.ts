/**
 * HTTP Basic authentication (RFC 7617) for the static handler: the
 * `USER:PASSWORD` credentials of `--auth` (the password in clear or as
 * `sha256:<hex>`), the check of an `Authorization` header in constant time,
 * the `WWW-Authenticate` challenge, and the log line that names the user.
 *
 * @module
 */

import { escape_control, percent_format } from "../_common/pyformat.ts";
import { createHash } from "node:crypto";

/**
 * SHA-256 of a string's UTF-8 bytes, synchronously (the check runs in
 * `parse_request()`, which does not await): `node:crypto`, built into Deno.
 *
 * @param text The text.
 * @returns The 32-byte digest.
 *
 * @example
 * ```ts
 * import { sha256 } from "./auth.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   Array.from(sha256("abc"), (b) => b.toString(16).padStart(2, "0")).join(""),
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * );
 * ```
 */
export function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(text, "utf8").digest());
}

/** One user of {@linkcode parse_credential}. */
export interface Credential {
  /** The user name. */
  user: string;
  /** SHA-256 of the user name, compared in constant time. */
  user_digest: Uint8Array;
  /** SHA-256 of the password. */
  password_digest: Uint8Array;
}

const HEX_DIGEST = /^sha256:([0-9a-fA-F]{64})$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses one `USER:PASSWORD` of `--auth` (the handler's `auth`). The user
 * is what precedes the first colon (RFC 7617 forbids a colon in it); the
 * password may be `sha256:` and 64 hexadecimal digits, the digest of the
 * password, so that the password itself is not in the shell history or the
 * process list.
 *
 * @param spec Such as `alice:secret` or `alice:sha256:2bb8...`.
 * @returns The user and the digests.
 * @throws {TypeError} When there is no colon, the user is empty, or either
 *   holds a control character.
 *
 * @example
 * ```ts
 * import { parse_credential } from "./auth.ts";
 * import { createHash } from "node:crypto";
 * import assert from "node:assert/strict";
 *
 * const a = parse_credential("alice:secret");
 * const b = parse_credential("alice:sha256:2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b");
 * assert.equal(a.user, "alice");
 * assert.deepEqual(a.password_digest, sha256("secret"));
 * assert.deepEqual(b.password_digest, a.password_digest);
 * ```
 */
export function parse_credential(spec: string): Credential {
  const colon = spec.indexOf(":");
  if (colon <= 0) {
    throw new TypeError(
      `Invalid credentials "${escape_control(spec)}": expected USER:PASSWORD`,
    );
  }
  const user = spec.slice(0, colon);
  const password = spec.slice(colon + 1);
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(spec)) {
    throw new TypeError(
      `Invalid credentials for user "${
        escape_control(user)
      }": control character`,
    );
  }
  const hex = HEX_DIGEST.exec(password)?.[1];
  const password_digest = hex === undefined
    ? sha256(password)
    : Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
  return { user, user_digest: sha256(user), password_digest };
}

const parsed = new Map<string, Credential>();

/** {@linkcode parse_credential} of each spec, cached (hashing costs µs). */
function credentials_of(specs: readonly string[]): Credential[] {
  return specs.map((spec) => {
    let c = parsed.get(spec);
    if (c === undefined) {
      c = parse_credential(spec);
      if (parsed.size > 1000) parsed.clear();
      parsed.set(spec, c);
    }
    return c;
  });
}

/** Whether two 32-byte digests are equal, in time independent of where they differ. */
function same(a: Uint8Array, b: Uint8Array): number {
  let diff = a.length ^ b.length;
  for (let i = 0; i < 32; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0 ? 1 : 0;
}

/**
 * The user and password of an `Authorization: Basic ...` header, or `null`
 * when it is missing or malformed (another scheme, bad base64, no colon,
 * not UTF-8: RFC 7617 section 2.1 with `charset="UTF-8"`).
 *
 * @param header The `Authorization` value.
 * @returns `[user, password]`, or `null`.
 *
 * @example
 * ```ts
 * import { parse_basic } from "./auth.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parse_basic("Basic " + btoa("alice:open:sesame")), ["alice", "open:sesame"]);
 * assert.equal(parse_basic("Bearer xyz"), null);
 * ```
 */
export function parse_basic(
  header: string | undefined,
): [user: string, password: string] | null {
  const m = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header ?? "");
  if (!m) return null;
  let text: string;
  try {
    const binary = atob(m[1]!);
    text = utf8.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
  const colon = text.indexOf(":");
  if (colon < 0) return null;
  return [text.slice(0, colon), text.slice(colon + 1)];
}

/**
 * Checks an `Authorization` header against the users: the name of the
 * user it proves, or `null`. Every user is compared, by SHA-256 digests and
 * without an early exit, so the time taken tells nothing of which user or
 * how much of a password matched.
 *
 * @param header The `Authorization` value (ISO-8859-1 text, as parsed).
 * @param specs The `USER:PASSWORD` specs (see {@linkcode parse_credential}).
 * @returns The user name, or `null`.
 *
 * @example
 * ```ts
 * import { check_basic } from "./auth.ts";
 * import assert from "node:assert/strict";
 *
 * const users = ["alice:secret", "bob:hunter2"];
 * assert.equal(check_basic("Basic " + btoa("bob:hunter2"), users), "bob");
 * assert.equal(check_basic("Basic " + btoa("bob:secret"), users), null);
 * assert.equal(check_basic(undefined, users), null);
 * ```
 */
export function check_basic(
  header: string | undefined,
  specs: readonly string[],
): string | null {
  const users = credentials_of(specs);
  const pair = parse_basic(header);
  const user_digest = sha256(pair?.[0] ?? "");
  const password_digest = sha256(pair?.[1] ?? "");
  let found: string | null = null;
  for (const u of users) {
    const match = same(u.user_digest, user_digest) &
      same(u.password_digest, password_digest);
    if (match === 1 && found === null) found = u.user;
  }
  return pair === null ? null : found;
}

/**
 * The `WWW-Authenticate` value of a 401 (RFC 7617 section 2): the realm
 * quoted, and `charset="UTF-8"`, the one charset the RFC allows.
 *
 * @param realm The realm shown by browsers.
 * @returns Such as `Basic realm="files", charset="UTF-8"`.
 *
 * @example
 * ```ts
 * import { challenge } from "./auth.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(challenge('my "files"'), 'Basic realm="my \\"files\\"", charset="UTF-8"');
 * ```
 */
export function challenge(realm: string): string {
  const quoted = realm.replace(/[\\"]/g, "\\$&").replace(
    /[^\x20-\x7e]/g,
    "?",
  );
  return `Basic realm="${quoted}", charset="UTF-8"`;
}

/**
 * Writes Python's log line with the authenticated user where Python's
 * format has its second `-` (the Common Log Format's authuser):
 * `127.0.0.1 - alice [date] message`.
 *
 * @param address The client address (`address_string()`).
 * @param user The user name.
 * @param date The time (`log_date_time_string()`).
 * @param format A Python `%` format string.
 * @param args Its values.
 * @returns The line, newline included, control characters escaped.
 *
 * @example
 * ```ts
 * import { user_log_line } from "./auth.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   user_log_line("127.0.0.1", "alice", "01/Jan/2025 10:00:00", '"%s" %s %s', ["GET / HTTP/1.1", "200", "-"]),
 *   '127.0.0.1 - alice [01/Jan/2025 10:00:00] "GET / HTTP/1.1" 200 -\n',
 * );
 * ```
 */
export function user_log_line(
  address: string,
  user: string,
  date: string,
  format: string,
  args: unknown[],
): string {
  const message = escape_control(percent_format(format, args));
  // A space in the name would shift the fields of a log parser.
  const who = escape_control(user).replace(/ /g, "\\x20");
  return `${address} - ${who} [${date}] ${message}\n`;
}
