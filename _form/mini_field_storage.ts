/**
 * {@linkcode MiniFieldStorage}: one field of a query string or urlencoded
 * body.
 *
 * @module
 */

/**
 * A field of a urlencoded form or query string: Python's `MiniFieldStorage`.
 * The other attributes exist so that code can treat it like a
 * {@linkcode FieldStorage}.
 *
 * @example
 * ```ts
 * import { MiniFieldStorage } from "../cgi.ts";
 * import assert from "node:assert/strict";
 *
 * const field = new MiniFieldStorage("a", "1");
 * assert.deepEqual([field.name, field.value, field.filename], ["a", "1", null]);
 * ```
 */
export class MiniFieldStorage {
  /** The field name. */
  name: string;
  /** The field value. */
  value: string;
  /** Always `null`. */
  readonly filename: null = null;
  /** Always `null`. */
  readonly list: null = null;
  /** Always `null`. */
  readonly type: null = null;
  /** Always `null`. */
  readonly file: null = null;
  /** Always empty. */
  readonly type_options: Record<string, string> = {};
  /** Always `null`. */
  readonly disposition: null = null;
  /** Always empty. */
  readonly disposition_options: Record<string, string> = {};
  /** Always empty. */
  readonly headers: Record<string, string> = {};

  /**
   * Creates a field.
   *
   * @param name The field name.
   * @param value The field value.
   */
  constructor(name: string, value: string) {
    this.name = name;
    this.value = value;
  }
}
