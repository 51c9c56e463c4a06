/**
 * What the steps of one static request tell each other: how much of the
 * file `copyfile()` may send, whether it compresses on the way, and what
 * `send_head()` chose that `end_headers()` must say.
 *
 * @module
 */

import type { Coding } from "./accept_encoding.ts";

/** The per-request state of a `SimpleHTTPRequestHandler`. */
export class StaticState {
  /** The most bytes of the file `copyfile()` sends (a range's length). */
  range_length = Infinity;
  /** The coding `copyfile()` compresses with, or `null` for none. */
  on_the_fly: Coding | null = null;
  /** The compressed body is sent chunked (else ended by closing). */
  chunked = false;
  /** The root's index page answers a missing page (`spa`). */
  spa_fallback = false;
  /** The response is a 401 that needs a `WWW-Authenticate` challenge. */
  challenge = false;

  /** Forgets the previous request's choices. */
  reset(): void {
    this.range_length = Infinity;
    this.on_the_fly = null;
    this.chunked = false;
    this.spa_fallback = false;
  }
}
