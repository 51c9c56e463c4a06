/**
 * An encrypted private key, opened with its password (Python 3.14's
 * `HTTPSServer(password=...)`, the command line's `--tls-password-file`):
 * Deno's TLS takes no password, so the key is decrypted in memory and never
 * written to disk.
 *
 * @module
 */

import { createPrivateKey } from "node:crypto";

/**
 * Reads the password of `--tls-password-file`: the file's text, its
 * surrounding whitespace dropped (as Python strips it).
 *
 * @param path The password file.
 * @returns The password.
 *
 * @example
 * ```ts
 * import { read_password_file } from "./tls_key.ts";
 * import assert from "node:assert/strict";
 *
 * const file = await Deno.makeTempFile();
 * await Deno.writeTextFile(file, "s3cret\n");
 * assert.equal(read_password_file(file), "s3cret");
 * await Deno.remove(file);
 * ```
 */
export function read_password_file(path: string): string {
  return Deno.readTextFileSync(path).trim();
}

/**
 * Decrypts a PEM private key (`ENCRYPTED PRIVATE KEY`, or a traditional
 * `Proc-Type: 4,ENCRYPTED` one) into unencrypted PKCS #8 PEM, in memory.
 *
 * @param pem The encrypted key.
 * @param password Its password.
 * @returns The key, decrypted.
 * @throws {Deno.errors.InvalidData} When the password is wrong or the key
 *   cannot be read.
 *
 * @example
 * ```ts
 * import { decrypt_key } from "./tls_key.ts";
 * import { generateKeyPairSync } from "node:crypto";
 * import assert from "node:assert/strict";
 *
 * const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
 * const pem = privateKey.export({
 *   type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "s3cret",
 * }) as string;
 * assert.match(decrypt_key(pem, "s3cret"), /^-----BEGIN PRIVATE KEY-----/);
 * assert.throws(() => decrypt_key(pem, "wrong"), Deno.errors.InvalidData);
 * ```
 */
export function decrypt_key(pem: string, password: string): string {
  try {
    return createPrivateKey({ key: pem, format: "pem", passphrase: password })
      .export({ type: "pkcs8", format: "pem" }) as string;
  } catch (err) {
    throw new Deno.errors.InvalidData(
      `cannot decrypt the key: ${(err as Error).message}`,
    );
  }
}
