/**
 * The command line's upload and authentication options: checking an
 * `--auth` value, and the warnings printed at start for a server that lets
 * anyone write, or sends passwords in clear, beyond this machine.
 *
 * @module
 */

import { parse_credential } from "../_static/auth.ts";

/**
 * Why an `--auth` value is not `USER:PASSWORD`, or `null` when it is.
 *
 * @param value The value.
 * @returns The message for the usage error, or `null`.
 *
 * @example
 * ```ts
 * import { credential_error } from "./upload_options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(credential_error("alice:secret"), null);
 * assert.equal(credential_error("alice"), "expected USER:PASSWORD");
 * ```
 */
export function credential_error(value: string): string | null {
  try {
    parse_credential(value);
    return null;
  } catch {
    return value.indexOf(":") <= 0
      ? "expected USER:PASSWORD"
      : "control characters are not allowed";
  }
}

/** What {@linkcode start_warnings} looks at. */
export interface ExposureOptions {
  /** The address bound; `undefined` is every address. */
  bind: string | undefined;
  /** `--upload`. */
  upload: boolean;
  /** `--auth` values. */
  auth: readonly string[];
  /** `--tls-cert`. */
  tls_cert: string | undefined;
}

/** Whether an address is this machine only. */
function is_loopback(bind: string | undefined): boolean {
  if (bind === undefined) return false;
  return bind === "localhost" || bind === "::1" || /^127\./.test(bind);
}

/**
 * The one-line warnings for a server reachable from other machines:
 * uploads open to anyone (no `--auth`), and Basic passwords over plain
 * HTTP.
 *
 * @param options The parsed command line.
 * @returns The lines to print to stderr, possibly none.
 *
 * @example
 * ```ts
 * import { start_warnings } from "./upload_options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(start_warnings({ bind: "127.0.0.1", upload: true, auth: [], tls_cert: undefined }), []);
 * assert.equal(start_warnings({ bind: undefined, upload: true, auth: [], tls_cert: undefined }).length, 1);
 * ```
 */
export function start_warnings(options: ExposureOptions): string[] {
  if (is_loopback(options.bind)) return [];
  const where = options.bind ?? "every address";
  const out: string[] = [];
  if (options.upload && options.auth.length === 0) {
    out.push(
      `Warning: --upload on ${where} without --auth: anyone who can reach this port can write files.`,
    );
  }
  if (options.auth.length > 0 && options.tls_cert === undefined) {
    out.push(
      `Warning: --auth over plain HTTP on ${where}: passwords travel in clear; use --tls-cert and --tls-key.`,
    );
  }
  return out;
}
