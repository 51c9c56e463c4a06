/**
 * File extension to media type, for `SimpleHTTPRequestHandler.guess_type`.
 *
 * @module
 */

// TypeScript modules: Deno's loader takes the media type of a remote module
// from Content-Type and accepts text/typescript, application/typescript,
// application/x-typescript, video/vnd.dlna.mpeg-tts and video/mp2t for
// TypeScript, then refines by extension (.mts, .cts, .d.ts); text/tsx and
// text/jsx are taken as they are. Deno std's file server sends video/mp2t
// for .ts and .mts (the IANA entry for MPEG transport streams, via mime-db)
// and no type at all for .tsx; a browser offers video/mp2t to a media player.
// We send what Deno itself names these types (deno_media_type's
// as_content_type): text/typescript and text/tsx, which Deno accepts and a
// browser shows as text (with charset=UTF-8, as every text type here).
const TYPESCRIPT = "text/typescript";
// What Deno std's file server sends; Deno and browsers take it as JavaScript.
const JAVASCRIPT = "text/javascript";

// Types whose documents name their own encoding in-band.
const SELF_DECLARING = new Set(["text/html", "text/xml"]);

function with_utf8_text(
  map: Record<string, string>,
): Record<string, string> {
  for (const [ext, type] of Object.entries(map)) {
    if (
      type.startsWith("text/") && !type.includes(";") &&
      !SELF_DECLARING.has(type)
    ) map[ext] = `${type}; charset=UTF-8`;
  }
  return map;
}

/**
 * The extension map: Python's `mimetypes` built-in defaults (3.13), then
 * `SimpleHTTPRequestHandler.extensions_map`, then our additions. Keys are
 * lower case except Python's `.Z`; values are Python's where Python has one,
 * with one rule for text: every `text/*` type carries `charset=UTF-8` (as
 * Deno std's `contentType()` gives it, so that a UTF-8 `.txt` does not show
 * garbled in a browser), except `text/html` and `text/xml`, which keep
 * Python's bare value: their documents declare their own encoding (a
 * `<meta charset>`, an XML declaration) and a header charset would override
 * it.
 */
export const types_map: Readonly<Record<string, string>> = Object.freeze(
  with_utf8_text({
    // Python's mimetypes._types_map_default.
    ".3g2": "audio/3gpp2",
    ".3gp": "audio/3gpp",
    ".3gpp": "audio/3gpp",
    ".3gpp2": "audio/3gpp2",
    ".a": "application/octet-stream",
    ".aac": "audio/aac",
    ".adts": "audio/aac",
    ".ai": "application/postscript",
    ".aif": "audio/x-aiff",
    ".aifc": "audio/x-aiff",
    ".aiff": "audio/x-aiff",
    ".ass": "audio/aac",
    ".au": "audio/basic",
    ".avi": "video/x-msvideo",
    ".avif": "image/avif",
    ".bat": "text/plain",
    ".bcpio": "application/x-bcpio",
    ".bin": "application/octet-stream",
    ".bmp": "image/bmp",
    ".c": "text/plain",
    ".cdf": "application/x-netcdf",
    ".cpio": "application/x-cpio",
    ".csh": "application/x-csh",
    ".css": "text/css",
    ".csv": "text/csv",
    ".dll": "application/octet-stream",
    ".doc": "application/msword",
    ".dot": "application/msword",
    ".dvi": "application/x-dvi",
    ".eml": "message/rfc822",
    ".eps": "application/postscript",
    ".etx": "text/x-setext",
    ".exe": "application/octet-stream",
    ".gif": "image/gif",
    ".gtar": "application/x-gtar",
    ".h": "text/plain",
    ".h5": "application/x-hdf5",
    ".hdf": "application/x-hdf",
    ".heic": "image/heic",
    ".heif": "image/heif",
    ".htm": "text/html",
    ".html": "text/html",
    ".ico": "image/vnd.microsoft.icon",
    ".ief": "image/ief",
    ".jpe": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    // Python: "text/javascript".
    ".js": JAVASCRIPT,
    ".json": "application/json",
    ".ksh": "text/plain",
    ".latex": "application/x-latex",
    ".loas": "audio/aac",
    ".m1v": "video/mpeg",
    ".m3u": "application/vnd.apple.mpegurl",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".man": "application/x-troff-man",
    ".markdown": "text/markdown",
    ".md": "text/markdown",
    ".me": "application/x-troff-me",
    ".mht": "message/rfc822",
    ".mhtml": "message/rfc822",
    ".mif": "application/x-mif",
    // Python: "text/javascript".
    ".mjs": JAVASCRIPT,
    ".mov": "video/quicktime",
    ".movie": "video/x-sgi-movie",
    ".mp2": "audio/mpeg",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".mpa": "video/mpeg",
    ".mpe": "video/mpeg",
    ".mpeg": "video/mpeg",
    ".mpg": "video/mpeg",
    ".ms": "application/x-troff-ms",
    ".n3": "text/n3",
    ".nc": "application/x-netcdf",
    ".nq": "application/n-quads",
    ".nt": "application/n-triples",
    ".nws": "message/rfc822",
    ".o": "application/octet-stream",
    ".obj": "application/octet-stream",
    ".oda": "application/oda",
    ".opus": "audio/opus",
    ".p12": "application/x-pkcs12",
    ".p7c": "application/pkcs7-mime",
    ".pbm": "image/x-portable-bitmap",
    ".pdf": "application/pdf",
    ".pfx": "application/x-pkcs12",
    ".pgm": "image/x-portable-graymap",
    ".pl": "text/plain",
    ".png": "image/png",
    ".pnm": "image/x-portable-anymap",
    ".pot": "application/vnd.ms-powerpoint",
    ".ppa": "application/vnd.ms-powerpoint",
    ".ppm": "image/x-portable-pixmap",
    ".pps": "application/vnd.ms-powerpoint",
    ".ppt": "application/vnd.ms-powerpoint",
    ".ps": "application/postscript",
    ".pwz": "application/vnd.ms-powerpoint",
    ".py": "text/x-python",
    ".pyc": "application/x-python-code",
    ".pyo": "application/x-python-code",
    ".qt": "video/quicktime",
    ".ra": "audio/x-pn-realaudio",
    ".ram": "application/x-pn-realaudio",
    ".ras": "image/x-cmu-raster",
    ".rdf": "application/xml",
    ".rgb": "image/x-rgb",
    ".roff": "application/x-troff",
    ".rst": "text/x-rst",
    ".rtf": "text/rtf",
    ".rtx": "text/richtext",
    ".sgm": "text/x-sgml",
    ".sgml": "text/x-sgml",
    ".sh": "application/x-sh",
    ".shar": "application/x-shar",
    ".snd": "audio/basic",
    ".so": "application/octet-stream",
    ".src": "application/x-wais-source",
    ".srt": "text/plain",
    ".sv4cpio": "application/x-sv4cpio",
    ".sv4crc": "application/x-sv4crc",
    ".svg": "image/svg+xml",
    ".swf": "application/x-shockwave-flash",
    ".t": "application/x-troff",
    ".tar": "application/x-tar",
    ".tcl": "application/x-tcl",
    ".tex": "application/x-tex",
    ".texi": "application/x-texinfo",
    ".texinfo": "application/x-texinfo",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".tr": "application/x-troff",
    ".trig": "application/trig",
    ".tsv": "text/tab-separated-values",
    ".txt": "text/plain",
    ".ustar": "application/x-ustar",
    ".vcf": "text/x-vcard",
    ".vtt": "text/vtt",
    ".wasm": "application/wasm",
    ".wav": "audio/x-wav",
    ".webm": "video/webm",
    ".webmanifest": "application/manifest+json",
    ".webp": "image/webp",
    ".wiz": "application/msword",
    ".wsdl": "application/xml",
    ".xbm": "image/x-xbitmap",
    ".xlb": "application/vnd.ms-excel",
    ".xls": "application/vnd.ms-excel",
    ".xml": "text/xml",
    ".xpdl": "application/xml",
    ".xpm": "image/x-xpixmap",
    ".xsl": "application/xml",
    ".xwd": "image/x-xwindowdump",
    ".zip": "application/zip",

    // Python's SimpleHTTPRequestHandler.extensions_map: a compressed file is
    // served as what it is, not as what it contains (no Content-Encoding).
    ".gz": "application/gzip",
    ".Z": "application/octet-stream",
    ".bz2": "application/x-bzip2",
    ".xz": "application/x-xz",
    // Python's mimetypes maps these through its suffix_map to the type of the
    // contents (".tgz" -> "application/x-tar"); like ".gz" above, we name the
    // compression instead.
    ".tgz": "application/gzip",
    ".taz": "application/gzip",
    ".tz": "application/gzip",
    ".svgz": "application/gzip",
    ".tbz2": "application/x-bzip2",
    ".txz": "application/x-xz",

    // Not in Python's defaults (Python finds some in /etc/mime.types when
    // present): modules Deno loads, then common web types, as Deno std sends
    // them unless noted.
    ".ts": TYPESCRIPT,
    ".mts": TYPESCRIPT,
    ".cts": TYPESCRIPT,
    ".tsx": "text/tsx",
    ".jsx": "text/jsx",
    ".cjs": JAVASCRIPT, // std: application/node
    ".map": "application/json",
    ".jsonld": "application/ld+json",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
    ".apng": "image/apng",
    ".jxl": "image/jxl",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".ogv": "video/ogg",
    ".flac": "audio/flac", // std: audio/x-flac; IANA: audio/flac
    ".weba": "audio/webm",
    ".m4a": "audio/mp4",
    ".m4v": "video/mp4",
    ".mkv": "video/x-matroska",
    ".7z": "application/x-7z-compressed",
    ".zst": "application/zstd",
    ".yaml": "application/yaml", // RFC 9512; std: text/yaml
    ".yml": "application/yaml",
    ".toml": "application/toml",
    ".xhtml": "application/xhtml+xml",
    ".atom": "application/atom+xml",
    ".ics": "text/calendar",
    ".epub": "application/epub+zip",
  }),
);

/** The type of a file whose extension is not in the map. */
export const DEFAULT_TYPE = "application/octet-stream";

// posixpath.splitext, also splitting at "\\" for Windows paths: the extension
// starts at the last dot of the last component, unless the component is all
// leading dots up to there (".bashrc" has none).
function extension(path: string): string {
  const sep = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const dot = path.lastIndexOf(".");
  if (dot <= sep) return "";
  for (let i = sep + 1; i < dot; i++) {
    if (path[i] !== ".") return path.slice(dot);
  }
  return "";
}

/**
 * Guesses the media type of a file from its extension, like Python's
 * `SimpleHTTPRequestHandler.guess_type`: the extension as it is, then in
 * lower case, then `fallback` ({@linkcode DEFAULT_TYPE} by default). Unlike Python, the system's
 * `/etc/mime.types` is not read, so the answer is the same on every machine.
 *
 * @param path A file name or path.
 * @param extensions_map The map to look in.
 * @param fallback The type of an unknown extension (Python 3.15's
 *   `default_content_type`).
 * @returns A value for the `Content-Type` header.
 *
 * @example
 * ```ts
 * import { guess_type } from "./mime.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(guess_type("/srv/Index.HTML"), "text/html");
 * assert.equal(guess_type("notes.txt"), "text/plain; charset=UTF-8");
 * assert.equal(guess_type("mod.ts"), "text/typescript; charset=UTF-8");
 * ```
 */
export function guess_type(
  path: string,
  extensions_map: Readonly<Record<string, string>> = types_map,
  fallback: string = DEFAULT_TYPE,
): string {
  const ext = extension(path);
  if (ext === "") return fallback;
  if (Object.hasOwn(extensions_map, ext)) return extensions_map[ext]!;
  const lower = ext.toLowerCase();
  if (Object.hasOwn(extensions_map, lower)) return extensions_map[lower]!;
  return fallback;
}
