/**
 * Test helpers for headless Chromium (Debian's `chromium`): whether it is
 * installed, and the DOM it builds for a page. The browser tests skip, with
 * a message, where it is missing (`.ci/run` installs it).
 *
 * @module
 */

import { assert } from "./_assert.ts";

/** The browser's command. */
export const CHROMIUM = "chromium";

/** Whether chromium runs here. */
export const HAVE_CHROMIUM: boolean = await new Deno.Command(CHROMIUM, {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
}).output().then((o) => o.success, () => false);
if (!HAVE_CHROMIUM) {
  console.warn(
    "chromium is not installed (apt-get install chromium): skipping the browser checks",
  );
}

/** The DOM chromium builds for `url`, after scripts ran (virtual time). */
export async function dump_dom(url: string): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "browser_profile_" });
  try {
    const out = await new Deno.Command(CHROMIUM, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        `--user-data-dir=${profile}`,
        "--virtual-time-budget=10000",
        "--dump-dom",
        url,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(out.success, new TextDecoder().decode(out.stderr));
    return new TextDecoder().decode(out.stdout);
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}
