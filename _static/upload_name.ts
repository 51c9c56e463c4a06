/**
 * The names of uploaded files: the base name of what a client sent, the
 * checks a name must pass before any byte is written, the ` (1)`, ` (2)` ...
 * of a name that is taken, and the names of the temporary files an upload
 * is written to.
 *
 * @module
 */

/** What {@linkcode check_upload_name} decides. */
export type NameCheck =
  | { ok: true; name: string }
  | { ok: false; reason: string };

/** Options of {@linkcode check_upload_name}. */
export interface UploadNameOptions {
  /**
   * Whether names starting with `.` may be written (the handler's
   * `dotfiles`: a server that hides them must not create them either).
   *
   * @default {true}
   */
  dotfiles?: boolean;
  /**
   * The longest name in UTF-8 bytes (255 on ext4, XFS, APFS, NTFS).
   *
   * @default {255}
   */
  max_bytes?: number;
  /**
   * Apply Windows file name rules too: no `:`, `*`, `?`, `"`, `<`, `>`,
   * `|`, no trailing dot or space, no device name such as `CON` or
   * `nul.txt`.
   *
   * @default {Deno.build.os === "windows"}
   */
  windows?: boolean;
}

// C0 controls, DEL and C1 controls: they forge log lines and terminal
// escapes, and no browser sends them in a file name.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const WINDOWS_RESERVED = /[:*?"<>|]/;
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const encoder = new TextEncoder();

/** The prefix of the temporary files uploads are written to. */
export const UPLOAD_TEMP_PREFIX = ".upload-";
/** The suffix of the temporary files uploads are written to. */
export const UPLOAD_TEMP_SUFFIX = ".part";
const TEMP_NAME = /^\.upload-[0-9a-f]{32}\.part$/;

/**
 * The last segment of a client's file name: browsers send `folder/a.txt`
 * for a folder upload, old ones `C:\Users\me\a.txt`; both give `a.txt`.
 * Nothing else is changed: the result still has to pass
 * {@linkcode check_upload_name}.
 *
 * @param filename The `filename` of a form part, or the last segment of a
 *   PUT path.
 * @returns What follows the last `/` or `\`.
 *
 * @example
 * ```ts
 * import { base_name } from "./upload_name.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(base_name("photos/2024/a.jpg"), "a.jpg");
 * assert.equal(base_name("C:\\Users\\me\\b.txt"), "b.txt");
 * assert.equal(base_name("../../x"), "x");
 * ```
 */
export function base_name(filename: string): string {
  return filename.slice(
    Math.max(filename.lastIndexOf("/"), filename.lastIndexOf("\\")) + 1,
  );
}

/**
 * Checks that `name` can only name a new file in the target directory:
 * not empty, not `.` or `..`, no `/`, `\`, NUL or other control character,
 * at most `max_bytes` UTF-8 bytes, no leading `.` when dotfiles are hidden,
 * and with the Windows rules no reserved character, trailing dot or space
 * or device name. A name is refused, never repaired: the client learns
 * why, and no two names map to one file.
 *
 * @param name The name to check (after {@linkcode base_name}).
 * @param options The handler's rules.
 * @returns `{ ok: true, name }`, or `{ ok: false, reason }` with a one-line
 *   reason for the 400 page.
 *
 * @example
 * ```ts
 * import { check_upload_name } from "./upload_name.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(check_upload_name("report.pdf"), { ok: true, name: "report.pdf" });
 * assert.deepEqual(check_upload_name(".."), { ok: false, reason: 'File name ".." is not allowed' });
 * assert.deepEqual(check_upload_name(".env", { dotfiles: false }), {
 *   ok: false,
 *   reason: "File name starts with a dot and dotfiles are hidden",
 * });
 * ```
 */
export function check_upload_name(
  name: string,
  options: UploadNameOptions = {},
): NameCheck {
  const windows = options.windows ?? Deno.build.os === "windows";
  const max_bytes = options.max_bytes ?? 255;
  const refuse = (reason: string): NameCheck => ({ ok: false, reason });
  if (name === "") return refuse("File name is empty");
  if (name === "." || name === "..") {
    return refuse(`File name "${name}" is not allowed`);
  }
  if (name.includes("/")) return refuse("File name contains a slash");
  if (name.includes("\\")) return refuse("File name contains a backslash");
  if (name.includes("\0")) return refuse("File name contains a NUL byte");
  if (CONTROL.test(name)) {
    return refuse("File name contains a control character");
  }
  if (!name.isWellFormed()) {
    return refuse("File name is not valid Unicode");
  }
  const bytes = encoder.encode(name).length;
  if (bytes > max_bytes) {
    return refuse(`File name is longer than ${max_bytes} bytes`);
  }
  if (options.dotfiles === false && name.startsWith(".")) {
    return refuse("File name starts with a dot and dotfiles are hidden");
  }
  if (TEMP_NAME.test(name)) {
    return refuse("File name is reserved for uploads in progress");
  }
  if (windows) {
    if (WINDOWS_RESERVED.test(name)) {
      return refuse("File name contains a character Windows reserves");
    }
    if (name.endsWith(".") || name.endsWith(" ")) {
      return refuse("File name ends with a dot or a space");
    }
    if (WINDOWS_DEVICE.test(name)) {
      return refuse("File name is a Windows device name");
    }
  }
  return { ok: true, name };
}

/**
 * The `n`th alternative of a name that is taken, as browsers name a
 * download whose name exists: ` (n)` before the extension.
 *
 * @param name A name that passed {@linkcode check_upload_name}.
 * @param n The number, from 1.
 * @returns The numbered name.
 *
 * @example
 * ```ts
 * import { numbered_name } from "./upload_name.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(numbered_name("photo.jpg", 1), "photo (1).jpg");
 * assert.equal(numbered_name("README", 2), "README (2)");
 * assert.equal(numbered_name(".profile", 1), ".profile (1)");
 * ```
 */
export function numbered_name(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  // A leading dot starts a dotfile's name, not an extension.
  if (dot <= 0) return `${name} (${n})`;
  return `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
}

/**
 * A fresh name for an upload's temporary file: a dotfile with 128 random
 * bits, so that it is neither guessed nor taken for an uploaded file.
 *
 * @returns Such as `.upload-3f9c...e1.part`.
 *
 * @example
 * ```ts
 * import { is_upload_temp, upload_temp_name } from "./upload_name.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(is_upload_temp(upload_temp_name()));
 * ```
 */
export function upload_temp_name(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return UPLOAD_TEMP_PREFIX + hex + UPLOAD_TEMP_SUFFIX;
}

/**
 * Whether a directory entry is the temporary file of an upload in progress
 * (the listing leaves them out).
 *
 * @param name A directory entry's name.
 * @returns Whether {@linkcode upload_temp_name} could have made it.
 *
 * @example
 * ```ts
 * import { is_upload_temp } from "./upload_name.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(is_upload_temp("a.txt"), false);
 * ```
 */
export function is_upload_temp(name: string): boolean {
  return TEMP_NAME.test(name);
}
