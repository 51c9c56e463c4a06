/**
 * An encrypted private key for `--tls-key`, opened with the password of
 * `--tls-password-file` (Python 3.14).
 *
 * @module
 */

import { createPrivateKey } from "node:crypto";
import { ThreadingHTTPSServer } from "../_server/tls_server.ts";
import type { ServerClass } from "../_server/threading.ts";

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

/**
 * A {@linkcode ThreadingHTTPSServer} that listens with a key given in
 * memory (Deno's TLS takes no password, so the key is decrypted first and
 * never written to disk).
 *
 * @param cert The certificate chain (PEM).
 * @param key The private key, decrypted (PEM).
 * @returns The server class, for `test({ ServerClass })`.
 *
 * @example
 * ```ts
 * import { server_with_key } from "./tls_key.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeof server_with_key("cert", "key"), "function");
 * ```
 */
export function server_with_key(cert: string, key: string): ServerClass {
  return class extends ThreadingHTTPSServer {
    protected override listen(
      hostname: string,
      port: number,
      reuse_port: boolean,
    ): Deno.Listener {
      return Deno.listenTls({
        hostname,
        port,
        cert,
        key,
        ...(reuse_port ? { reusePort: true } : {}),
      });
    }
  };
}
