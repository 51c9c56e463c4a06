/**
 * The file system half of uploads: a temporary file in the target
 * directory, and the step that makes it visible under its name only once it
 * is complete (a hard link, which never replaces what exists, or a rename
 * when replacing is allowed).
 *
 * @module
 */

import { join_path } from "./fs_path.ts";
import { numbered_name, upload_temp_name } from "./upload_name.ts";

/**
 * An upload refused with an HTTP status and a one-line reason: the handler
 * answers it with `send_error(code, message)`.
 *
 * @example
 * ```ts
 * import { UploadError } from "./upload_fs.ts";
 * import assert from "node:assert/strict";
 *
 * const err = new UploadError(409, "File exists");
 * assert.equal(err.code, 409);
 * assert.equal(err.message, "File exists");
 * ```
 */
export class UploadError extends Error {
  /** The status that answers the refusal. */
  readonly code: number;

  /**
   * Makes the error.
   *
   * @param code The HTTP status.
   * @param message One sentence, no trailing period.
   */
  constructor(code: number, message: string) {
    super(message);
    this.name = "UploadError";
    this.code = code;
  }
}

/**
 * Whether an error says that the disk (or the user's quota) is full:
 * ENOSPC or EDQUOT, answered with `507 Insufficient Storage`.
 *
 * @param err What a write threw.
 * @returns Whether it is a full disk.
 *
 * @example
 * ```ts
 * import { is_disk_full } from "./upload_fs.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(is_disk_full(Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" })), true);
 * assert.equal(is_disk_full(new Error("other")), false);
 * ```
 */
export function is_disk_full(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return code === "ENOSPC" || code === "EDQUOT" ||
    /\(os error (28|122)\)/.test(err.message);
}

/** A temporary file of {@linkcode open_temp}. */
export interface TempFile {
  /** Open for reading and writing. */
  file: Deno.FsFile;
  /** Its path, in the target directory. */
  path: string;
}

/**
 * Creates a new, empty temporary file in `dir` (a hidden name that cannot
 * exist already: `createNew` fails rather than open another file), so that
 * the finished upload is renamed or linked within one file system.
 *
 * @param dir The target directory.
 * @returns The open file and its path.
 *
 * @example
 * ```ts
 * import { open_temp, remove_quietly } from "./upload_fs.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * const temp = open_temp(dir);
 * temp.file.close();
 * assert.ok(temp.path.startsWith(dir + "/.upload-"));
 * remove_quietly(temp.path);
 * Deno.removeSync(dir);
 * ```
 */
export function open_temp(dir: string): TempFile {
  for (let attempt = 0;; attempt++) {
    const path = join_path(dir, upload_temp_name());
    try {
      const file = Deno.openSync(path, {
        read: true,
        write: true,
        createNew: true,
      });
      return { file, path };
    } catch (err) {
      // 128 random bits do not collide; a second failure is something else.
      if (!(err instanceof Deno.errors.AlreadyExists) || attempt > 2) throw err;
    }
  }
}

/**
 * Removes a file, ignoring that it is gone already.
 *
 * @param path The file.
 *
 * @example
 * ```ts
 * import { remove_quietly } from "./upload_fs.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(remove_quietly("/nonexistent/file"), undefined);
 * ```
 */
export function remove_quietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // Already gone, or never made: nothing to clean.
  }
}

/** What to do when the name is taken: see {@linkcode commit_upload}. */
export type OnTaken = "number" | "refuse" | "replace";

/** What {@linkcode commit_upload} did. */
export interface Committed {
  /** The name the file got. */
  name: string;
  /** Whether a file of that name was replaced. */
  replaced: boolean;
}

/**
 * Makes a complete temporary file visible as `dir/name`, in one step, so
 * that no reader ever sees part of it. When the name is taken: `"number"`
 * tries `name (1)`, `name (2)` ... (each by a hard link, which fails
 * rather than replace: two uploads racing for one name get two files);
 * `"refuse"` throws a 409; `"replace"` renames over it (never over a
 * directory or a symbolic link). On a file system without hard links, the
 * name is reserved with an empty file first and then renamed over.
 *
 * @param temp The temporary file's path, in `dir`; gone afterwards.
 * @param dir The target directory.
 * @param name A checked name.
 * @param on_taken What to do when `name` exists.
 * @param check Checks a numbered name (its length); throws to refuse it.
 * @returns The name used, and whether a file was replaced.
 * @throws {UploadError} 409 when the name is taken and not to be numbered
 *   or replaced, or is a directory or link.
 *
 * @example
 * ```ts
 * import { commit_upload, open_temp } from "./upload_fs.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(`${dir}/a.txt`, "old");
 * const temp = open_temp(dir);
 * temp.file.writeSync(new TextEncoder().encode("new"));
 * temp.file.close();
 * assert.deepEqual(commit_upload(temp.path, dir, "a.txt", "number"), { name: "a (1).txt", replaced: false });
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["a (1).txt", "a.txt"]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function commit_upload(
  temp: string,
  dir: string,
  name: string,
  on_taken: OnTaken,
  check: (name: string) => void = () => {},
): Committed {
  if (on_taken === "replace") {
    const target = join_path(dir, name);
    let replaced = false;
    try {
      const stat = Deno.lstatSync(target);
      if (stat.isDirectory) throw new UploadError(409, "Target is a directory");
      if (stat.isSymlink) {
        throw new UploadError(409, "Target is a symbolic link");
      }
      replaced = true;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    Deno.renameSync(temp, target);
    return { name, replaced };
  }
  for (let n = 0; n < 10_000; n++) {
    const candidate = n === 0 ? name : numbered_name(name, n);
    if (n > 0) check(candidate);
    if (place(temp, join_path(dir, candidate))) {
      return { name: candidate, replaced: false };
    }
    if (on_taken === "refuse") throw new UploadError(409, "File exists");
  }
  throw new UploadError(409, "No free name for the file");
}

/** Links `temp` to `target` unless it exists; false when it does. */
function place(temp: string, target: string): boolean {
  try {
    Deno.linkSync(temp, target);
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return false;
    if (
      !(err instanceof Deno.errors.PermissionDenied) &&
      !(err instanceof Deno.errors.NotSupported)
    ) throw err;
    // No hard links here (FAT, some network file systems): reserve the
    // name with an empty file, then rename the upload over it.
    try {
      Deno.openSync(target, { write: true, createNew: true }).close();
    } catch (second) {
      if (second instanceof Deno.errors.AlreadyExists) return false;
      throw second;
    }
    Deno.renameSync(temp, target);
    return true;
  }
  remove_quietly(temp);
  return true;
}
