/**
 * The names of uploaded files: base names, the checks before any byte is
 * written, numbered alternatives, temporary names. Pure functions.
 */

import {
  base_name,
  check_upload_name,
  is_upload_temp,
  numbered_name,
  upload_temp_name,
} from "../_static/upload_name.ts";
import { assertEquals } from "./_assert.ts";

Deno.test("base_name() keeps the last segment of folder paths, Windows paths and ../../x", () => {
  assertEquals(base_name("a.txt"), "a.txt");
  assertEquals(base_name("dir/sub/a.txt"), "a.txt");
  assertEquals(base_name("C:\\Users\\me\\a.txt"), "a.txt");
  assertEquals(base_name("../../x"), "x");
  assertEquals(base_name("..\\..\\x"), "x");
  assertEquals(base_name("dir/"), "");
  assertEquals(base_name("/.."), "..");
});

Deno.test("check_upload_name() refuses every name that is not one new file in the directory, with its reason", () => {
  const refused: [string, string][] = [
    ["", "File name is empty"],
    [".", 'File name "." is not allowed'],
    ["..", 'File name ".." is not allowed'],
    ["a/b", "File name contains a slash"],
    ["a\\b", "File name contains a backslash"],
    ["a\0b", "File name contains a NUL byte"],
    ["a\nb", "File name contains a control character"],
    ["a\rb", "File name contains a control character"],
    ["a\x1b[31mb", "File name contains a control character"],
    ["a\x7fb", "File name contains a control character"],
    ["a\x85b", "File name contains a control character"],
    ["a\ud800b", "File name is not valid Unicode"],
    ["x".repeat(256), "File name is longer than 255 bytes"],
    ["é".repeat(128), "File name is longer than 255 bytes"],
    [
      ".upload-0123456789abcdef0123456789abcdef.part",
      "File name is reserved for uploads in progress",
    ],
  ];
  for (const [name, reason] of refused) {
    assertEquals(check_upload_name(name, { windows: false }), {
      ok: false,
      reason,
    }, JSON.stringify(name));
  }
  assertEquals(check_upload_name("x".repeat(255), { windows: false }).ok, true);
  assertEquals(check_upload_name("é".repeat(127), { windows: false }).ok, true);
  assertEquals(check_upload_name("a b (1).tar.gz", { windows: false }), {
    ok: true,
    name: "a b (1).tar.gz",
  });
});

Deno.test("check_upload_name() refuses dotfiles only when they are hidden", () => {
  assertEquals(check_upload_name(".env", { dotfiles: true, windows: false }), {
    ok: true,
    name: ".env",
  });
  assertEquals(check_upload_name(".env", { dotfiles: false, windows: false }), {
    ok: false,
    reason: "File name starts with a dot and dotfiles are hidden",
  });
});

Deno.test("check_upload_name() applies the Windows rules when asked", () => {
  const refused: [string, string][] = [
    ["a:b", "File name contains a character Windows reserves"],
    ["a?", "File name contains a character Windows reserves"],
    ["a.", "File name ends with a dot or a space"],
    ["a ", "File name ends with a dot or a space"],
    ["CON", "File name is a Windows device name"],
    ["nul.txt", "File name is a Windows device name"],
  ];
  for (const [name, reason] of refused) {
    assertEquals(check_upload_name(name, { windows: true }), {
      ok: false,
      reason,
    });
    assertEquals(check_upload_name(name, { windows: false }).ok, true);
  }
});

Deno.test("numbered_name() puts (n) before the extension, as browsers name downloads", () => {
  assertEquals(numbered_name("a.txt", 1), "a (1).txt");
  assertEquals(numbered_name("a.tar.gz", 2), "a.tar (2).gz");
  assertEquals(numbered_name("Makefile", 3), "Makefile (3)");
  assertEquals(numbered_name(".bashrc", 1), ".bashrc (1)");
});

Deno.test("upload_temp_name() gives fresh hidden names that is_upload_temp() recognises", () => {
  const a = upload_temp_name(), b = upload_temp_name();
  assertEquals(a === b, false);
  assertEquals(/^\.upload-[0-9a-f]{32}\.part$/.test(a), true);
  assertEquals(is_upload_temp(a), true);
  assertEquals(is_upload_temp(".upload-x.part"), false);
});
