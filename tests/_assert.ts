/**
 * Minimal assertions for our tests: the jsr registry is not reachable from the
 * build machines, so tests cannot import `jsr:@std/assert`. The names and
 * argument orders follow `@std/assert`, so switching later is a search and
 * replace.
 *
 * @module
 */

/** Error thrown by a failed assertion. */
export class AssertionError extends Error {
  /** Creates an assertion error with the given message. */
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || !a || !b) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date && b instanceof Date) {
    return a.getTime() === b.getTime();
  }
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !equal(v, b.get(k))) return false;
    }
    return true;
  }
  if (a instanceof Set && b instanceof Set) {
    return a.size === b.size && [...a].every((v) => b.has(v));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && equal(ra[k], rb[k]));
}

function show(v: unknown): string {
  return Deno.inspect(v, { depth: 10, strAbbreviateSize: 10_000 });
}

/** Asserts that `actual` deeply equals `expected`. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!equal(actual, expected)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}Values are not equal\n  actual:   ${
        show(actual)
      }\n  expected: ${show(expected)}`,
    );
  }
}

/** Asserts that `actual` does not deeply equal `expected`. */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (equal(actual, expected)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}Expected values to differ: ${show(actual)}`,
    );
  }
}

/** Asserts that `expr` is truthy. */
export function assert(
  expr: unknown,
  msg = "Expected a truthy value",
): asserts expr {
  if (!expr) throw new AssertionError(msg);
}

/** Asserts that `actual` contains the substring `expected`. */
export function assertStringIncludes(
  actual: string,
  expected: string,
  msg?: string,
): void {
  if (!actual.includes(expected)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}${show(actual)} does not include ${
        show(expected)
      }`,
    );
  }
}

/** Asserts that `actual` matches `re`. */
export function assertMatch(actual: string, re: RegExp, msg?: string): void {
  if (!re.test(actual)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}${show(actual)} does not match ${re}`,
    );
  }
}

/**
 * Asserts that `fn` throws an instance of `ErrorClass` whose message includes
 * `msgIncludes` (when given); returns the error.
 */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: abstract new (...args: any[]) => E,
  msgIncludes?: string,
): E {
  try {
    fn();
  } catch (e: unknown) {
    return checkError(e, ErrorClass, msgIncludes);
  }
  throw new AssertionError("Expected function to throw");
}

/** Async version of {@linkcode assertThrows}. */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  // deno-lint-ignore no-explicit-any
  ErrorClass?: abstract new (...args: any[]) => E,
  msgIncludes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (e: unknown) {
    return checkError(e, ErrorClass, msgIncludes);
  }
  throw new AssertionError("Expected promise to reject");
}

function checkError<E extends Error>(
  e: unknown,
  // deno-lint-ignore no-explicit-any
  ErrorClass: (abstract new (...args: any[]) => E) | undefined,
  msgIncludes: string | undefined,
): E {
  if (ErrorClass && !(e instanceof ErrorClass)) {
    throw new AssertionError(
      `Expected error to be instance of ${ErrorClass.name}, got ${show(e)}`,
    );
  }
  if (!(e instanceof Error)) {
    throw new AssertionError(`Expected an Error, got ${show(e)}`);
  }
  if (msgIncludes !== undefined && !e.message.includes(msgIncludes)) {
    throw new AssertionError(
      `Expected error message to include ${show(msgIncludes)}, got ${
        show(e.message)
      }`,
    );
  }
  return e as E;
}
