/**
 * `Accept-Encoding` negotiation (RFC 9110 §12.5.3): which content coding of
 * a response a client takes.
 *
 * @module
 */

/** The content codings this server can send, besides `identity`. */
export type Coding = "br" | "zstd" | "gzip";

/** The server's preference among codings of equal weight: br, zstd, gzip. */
export const CODINGS: readonly Coding[] = ["br", "zstd", "gzip"];

// token = 1*tchar (RFC 9110 §5.6.2); qvalue = ( "0" [ "." 0*3DIGIT ] ) /
// ( "1" [ "." 0*3("0") ] ) (§12.4.2).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Parses an `Accept-Encoding` value into coding -> weight (lower-cased
 * names; `x-gzip` is `gzip`, RFC 9110 §8.4.1.3). Returns `null` when the
 * value is malformed (a caller then sends identity): an element that is not
 * a token, a parameter without `=`, a weight that is not a qvalue. Empty
 * list elements are allowed, as RFC 9110 §5.6.1 asks.
 *
 * @param header The field value.
 * @returns The weights, or `null`.
 *
 * @example
 * ```ts
 * import { parse_accept_encoding } from "./accept_encoding.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   parse_accept_encoding("gzip;q=0.5, BR, identity;q=0"),
 *   new Map([["gzip", 0.5], ["br", 1], ["identity", 0]]),
 * );
 * assert.equal(parse_accept_encoding("gzip;q=2"), null);
 * ```
 */
export function parse_accept_encoding(
  header: string,
): Map<string, number> | null {
  const weights = new Map<string, number>();
  for (const element of header.split(",")) {
    const [name_part, ...params] = element.split(";");
    const name = name_part!.trim().toLowerCase();
    if (name === "" && params.length === 0) continue;
    if (!TOKEN.test(name)) return null;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0) return null;
      const key = param.slice(0, eq).trim().toLowerCase();
      const value = param.slice(eq + 1).trim();
      if (!TOKEN.test(key)) return null;
      if (key === "q") {
        if (!QVALUE.test(value)) return null;
        q = Number(value);
      }
    }
    const coding = name === "x-gzip" ? "gzip" : name;
    // A coding listed twice keeps its highest weight.
    weights.set(coding, Math.max(q, weights.get(coding) ?? 0));
  }
  return weights;
}

/**
 * Chooses the coding to send among `available`, for a request's
 * `Accept-Encoding`: the acceptable coding of highest weight, the server's
 * order ({@linkcode CODINGS}) breaking ties; `*` gives its weight to every
 * coding not listed; unknown codings are ignored. Returns `"identity"` when
 * nothing is acceptable, when identity weighs more, when the header is
 * absent (RFC 9110: any coding is then acceptable, but an old client may not
 * decode one) or malformed. Identity is never refused: a client that says
 * `identity;q=0` and takes none of ours still gets it (no 406).
 *
 * @param header The `Accept-Encoding` value, if any.
 * @param available The codings the server can send for this response.
 * @returns The coding, or `"identity"`.
 *
 * @example
 * ```ts
 * import { negotiate_encoding } from "./accept_encoding.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(negotiate_encoding("gzip, deflate, br", ["gzip", "br"]), "br");
 * assert.equal(negotiate_encoding("br;q=0.5, gzip", ["gzip", "br"]), "gzip");
 * assert.equal(negotiate_encoding("*", ["gzip"]), "gzip");
 * assert.equal(negotiate_encoding("gzip;q=0.5, identity", ["gzip"]), "identity");
 * assert.equal(negotiate_encoding("br;;q=x", ["br"]), "identity");
 * ```
 */
export function negotiate_encoding(
  header: string | undefined,
  available: readonly Coding[],
): Coding | "identity" {
  if (header === undefined || available.length === 0) return "identity";
  const weights = parse_accept_encoding(header);
  if (weights === null) return "identity";
  const star = weights.get("*");
  let best: Coding | "identity" = "identity";
  let best_q = 0;
  for (const coding of CODINGS) {
    if (!available.includes(coding)) continue;
    const q = weights.get(coding) ?? star ?? 0;
    if (q > best_q) {
      best = coding;
      best_q = q;
    }
  }
  if (best === "identity") return best;
  // Identity, unless listed (or covered by `*`), weighs less than any coding
  // the client names; listed with a higher weight, it wins.
  const identity_q = weights.get("identity");
  if (identity_q !== undefined && identity_q > best_q) return "identity";
  return best;
}
