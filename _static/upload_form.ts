/**
 * The upload form of a directory listing when uploads are on: a plain HTML
 * form (a file input with `multiple` and a submit button) that works
 * without JavaScript, and a small script on top for drag-and-drop and a
 * progress bar.
 *
 * @module
 */

// Posts the chosen (or dropped) files with XMLHttpRequest, which reports
// upload progress (fetch does not), then reloads the listing. Without
// JavaScript the form posts itself and the 303 brings the listing back.
const SCRIPT = `<script>
(() => {
  const form = document.getElementById("upload");
  const input = form.querySelector("input[type=file]");
  const bar = form.querySelector("progress");
  const say = form.querySelector("output");
  const send = (files) => {
    const data = new FormData();
    for (const f of files) data.append("file", f, f.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", location.pathname);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => {
      bar.hidden = false;
      if (e.lengthComputable) bar.value = e.loaded / e.total;
    };
    xhr.onload = () => {
      if (xhr.status === 201) location.reload();
      else say.textContent = "Upload failed: " + xhr.status + " " + xhr.statusText;
    };
    xhr.onerror = () => { say.textContent = "Upload failed"; };
    xhr.send(data);
  };
  form.addEventListener("submit", (e) => {
    if (!input.files.length) return;
    e.preventDefault();
    send(input.files);
  });
  document.addEventListener("dragover", (e) => e.preventDefault());
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer.files.length) send(e.dataTransfer.files);
  });
})();
</script>`;

/**
 * The HTML of the upload form, placed in the listing above the table. It
 * posts `multipart/form-data` to the listed directory itself (an empty
 * `action`), one `file` part per chosen file.
 *
 * @returns The form and its script.
 *
 * @example
 * ```ts
 * import { upload_form_html } from "./upload_form.ts";
 * import assert from "node:assert/strict";
 *
 * const html = upload_form_html();
 * assert.ok(html.includes('<form id="upload" method="post" enctype="multipart/form-data">'));
 * assert.ok(html.includes('<input type="file" name="file" multiple required>'));
 * ```
 */
export function upload_form_html(): string {
  return [
    '<form id="upload" method="post" enctype="multipart/form-data">',
    '<input type="file" name="file" multiple required>',
    '<button type="submit">Upload</button>',
    '<progress hidden max="1" value="0"></progress>',
    "<output></output>",
    "<small>or drop files on the page</small>",
    "</form>",
    SCRIPT,
    "<hr>",
  ].join("\n");
}
