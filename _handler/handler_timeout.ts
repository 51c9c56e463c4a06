/**
 * Running a `do_*` method within the handler's `request_timeout`.
 *
 * @module
 */

/** A `do_*` method that ran past `request_timeout`. */
export class HandlerTimeout extends Error {
  /**
   * @param name The method, such as `do_GET`.
   * @param seconds The limit it ran past.
   */
  constructor(name: string, seconds: number) {
    super(`${name}() did not finish within ${seconds} seconds`);
    this.name = "HandlerTimeout";
  }
}

/**
 * Awaits `running`, or rejects with a {@linkcode HandlerTimeout} after
 * `seconds`; the abandoned promise's later rejection is swallowed (it fails
 * once the connection is closed under it).
 */
export async function within(
  running: Promise<void>,
  name: string,
  seconds: number,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HandlerTimeout(name, seconds)),
      seconds * 1000,
    );
  });
  try {
    await Promise.race([running, expired]);
  } catch (err) {
    if (err instanceof HandlerTimeout) running.catch(() => {});
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Whether an error means the client went away. */
export function is_disconnect(err: unknown): boolean {
  return err instanceof Deno.errors.BrokenPipe ||
    err instanceof Deno.errors.ConnectionReset ||
    err instanceof Deno.errors.ConnectionAborted ||
    err instanceof Deno.errors.NotConnected ||
    err instanceof Deno.errors.BadResource ||
    err instanceof Deno.errors.Interrupted ||
    err instanceof Deno.errors.UnexpectedEof ||
    // TLS: the peer broke the session.
    err instanceof Deno.errors.InvalidData;
}
