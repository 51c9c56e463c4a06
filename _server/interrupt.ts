/**
 * Ctrl-C as Python has it: while a server's `serve_forever()` runs on the
 * main thread, SIGINT makes it reject with {@linkcode KeyboardInterrupt},
 * so that `try { await server.serve_forever() } catch ... finally {
 * server.server_close() }` ports `try: ... except KeyboardInterrupt: ...
 * finally: ...` line by line.
 *
 * @module
 */

/**
 * What `serve_forever()` rejects with when the process gets SIGINT (Ctrl-C),
 * as Python raises `KeyboardInterrupt`. Uncaught, the program prints
 * `KeyboardInterrupt` and exits with status 130, as Python does.
 *
 * @example The shape of a Python server script
 * ```ts
 * import { BaseHTTPRequestHandler, HTTPServer, KeyboardInterrupt } from "../mod.ts";
 * import assert from "node:assert/strict";
 *
 * // Stopped at once here; Ctrl-C would make serve_forever() reject.
 * const signal = AbortSignal.abort();
 * const server = new HTTPServer(["127.0.0.1", 0], BaseHTTPRequestHandler, true, { signal });
 * let interrupted = false;
 * try {
 *   await server.serve_forever();
 * } catch (err) {
 *   if (!(err instanceof KeyboardInterrupt)) throw err;
 *   interrupted = true;
 * } finally {
 *   server.server_close();
 * }
 * assert.equal(interrupted, false);
 * assert.equal(new KeyboardInterrupt().name, "KeyboardInterrupt");
 * ```
 */
export class KeyboardInterrupt extends Error {
  /** Makes the error. @param message The message. */
  constructor(message = "Interrupted by SIGINT") {
    super(message);
    this.name = "KeyboardInterrupt";
  }
}

/** What each serving server does on SIGINT. */
const on_interrupt = new Set<() => void>();
let exit_hooked = false;

function interrupt(): void {
  // Later: a SIGINT listener of the program's own, called in the same
  // dispatch, may shut the server down itself; then nothing is rejected.
  setTimeout(() => {
    for (const callback of [...on_interrupt]) callback();
  }, 0);
}

/** An uncaught KeyboardInterrupt ends the program as Python's does. */
function exit_on_uncaught(event: PromiseRejectionEvent): void {
  if (!(event.reason instanceof KeyboardInterrupt)) return;
  event.preventDefault();
  Deno.stderr.writeSync(new TextEncoder().encode("KeyboardInterrupt\n"));
  Deno.exit(130);
}

/**
 * Calls `callback` on SIGINT until the returned function is called. The
 * process listens for SIGINT only while some callback is registered, so a
 * program that serves no more dies of Ctrl-C as usual.
 *
 * @param callback What to do on SIGINT.
 * @returns A function that unregisters it.
 */
export function watch_interrupt(callback: () => void): () => void {
  if (on_interrupt.size === 0) Deno.addSignalListener("SIGINT", interrupt);
  on_interrupt.add(callback);
  if (!exit_hooked) {
    exit_hooked = true;
    globalThis.addEventListener("unhandledrejection", exit_on_uncaught);
  }
  return () => {
    if (!on_interrupt.delete(callback)) return;
    if (on_interrupt.size === 0) {
      Deno.removeSignalListener("SIGINT", interrupt);
    }
  };
}
