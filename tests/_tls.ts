/**
 * Test helpers for TLS: whether `openssl` is installed, and a self-signed
 * certificate for localhost that it makes. The HTTPS tests skip where it is
 * missing (`.ci/run` installs it).
 *
 * @module
 */

import { assert } from "./_assert.ts";

/** Whether openssl runs here. */
export const HAVE_OPENSSL: boolean = await new Deno.Command("openssl", {
  args: ["version"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);

/**
 * Writes a self-signed certificate for `localhost` and `127.0.0.1`, valid a
 * day, to `DIR/c.pem`, and its unencrypted key to `DIR/KEY`. rustls checks
 * the subject alternative name, not the CN, and refuses a CA certificate
 * (openssl's default) as a server's, hence the two extensions.
 */
export async function make_certificate(
  dir: string,
  key = "k.pem",
): Promise<void> {
  const made = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-keyout",
      key,
      "-out",
      "c.pem",
      "-days",
      "1",
    ],
    cwd: dir,
    stdout: "null",
    stderr: "null",
  }).output();
  assert(made.success, "openssl req failed");
}
