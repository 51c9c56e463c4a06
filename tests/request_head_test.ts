import assert from "node:assert/strict";
import {
  parse_fields,
  parse_request_line,
  parse_version,
} from "../_protocol/request_head.ts";
import { status_has_no_body } from "../_protocol/status.ts";

function fields(text: string, http11 = true) {
  const got: [string, string][] = [];
  const result = parse_fields(text, 0, {
    append: (n, v) => void got.push([n, v]),
  }, http11);
  return { result, got };
}

Deno.test("parse_version() reads up to 10 digits each and rejects the rest", () => {
  assert.deepEqual(parse_version("HTTP/1.1"), [1, 1]);
  assert.deepEqual(parse_version("HTTP/01.001"), [1, 1]);
  assert.equal(parse_version("HTTP/1"), null);
  assert.equal(parse_version("HTTP/1.12345678901"), null);
  assert.equal(parse_version("http/1.1"), null);
});

Deno.test("parse_request_line() parses three words, two-word HTTP/0.9 GET, and blank", () => {
  assert.deepEqual(parse_request_line("GET /a?b HTTP/1.1"), {
    kind: "line",
    command: "GET",
    path: "/a?b",
    version: "HTTP/1.1",
    version_number: [1, 1],
  });
  assert.deepEqual(parse_request_line("GET /"), {
    kind: "line",
    command: "GET",
    path: "/",
    version: null,
    version_number: [0, 9],
  });
  assert.equal(parse_request_line(" \t "), null);
});

Deno.test("parse_request_line() refuses with Python's statuses and reasons", () => {
  assert.deepEqual(parse_request_line("GET / HTTP/x"), {
    kind: "refused",
    code: 400,
    message: "Bad request version ('HTTP/x')",
    version: null,
  });
  assert.deepEqual(parse_request_line("GET / HTTP/2.0"), {
    kind: "refused",
    code: 505,
    message: "Invalid HTTP version (2.0)",
    version: null,
  });
  assert.deepEqual(parse_request_line("GET / x HTTP/1.1"), {
    kind: "refused",
    code: 400,
    message: "Bad request syntax ('GET / x HTTP/1.1')",
    version: "HTTP/1.1",
  });
  assert.deepEqual(parse_request_line("POST /"), {
    kind: "refused",
    code: 400,
    message: "Bad HTTP/0.9 request type ('POST')",
    version: null,
  });
  assert.equal(parse_request_line("GET")?.kind, "refused");
});

Deno.test("parse_fields() appends fields with OWS trimmed and frames by Content-Length", () => {
  const { result, got } = fields(
    "Host: h\r\nX-A: \t a b \t\r\nContent-Length: 7\r\n\r\n",
  );
  assert.deepEqual(result, { kind: "framing", body_length: 7 });
  assert.deepEqual(got, [["Host", "h"], ["X-A", "a b"], [
    "Content-Length",
    "7",
  ]]);
  assert.deepEqual(fields("Host: h\n\n").result, {
    kind: "framing",
    body_length: 0,
  });
  assert.deepEqual(
    fields("Host: h\r\nContent-Length: 5, 5\r\n\r\n").result,
    { kind: "framing", body_length: 5 },
  );
  assert.deepEqual(
    fields("Host: h\r\nTransfer-Encoding: chunked\r\n\r\n").result,
    { kind: "framing", body_length: null },
  );
  assert.deepEqual(fields("X: 1\r\n\r\n", false).result, {
    kind: "framing",
    body_length: 0,
  });
});

Deno.test("parse_fields() refuses smuggling shapes and Host errors", () => {
  const cases: [string, boolean, number, string][] = [
    ["Host: h\r\n folded\r\n\r\n", true, 400, "Bad header line (' folded')"],
    ["Host : h\r\n\r\n", true, 400, "Bad header line ('Host : h')"],
    ["Host: h\r\nnocolon\r\n\r\n", true, 400, "Bad header line ('nocolon')"],
    ["Host: h\0\r\n\r\n", true, 400, "Bad header value ('Host: h\\x00')"],
    ["X: 1\r\n\r\n", true, 400, "Missing Host header"],
    ["Host: a\r\nHost: b\r\n\r\n", false, 400, "Multiple Host headers"],
    [
      "Host: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
      true,
      400,
      "Both Content-Length and Transfer-Encoding",
    ],
    [
      "Transfer-Encoding: chunked\r\n\r\n",
      false,
      400,
      "Transfer-Encoding in an HTTP/1.0 request",
    ],
    [
      "Host: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
      true,
      501,
      "Unsupported Transfer-Encoding ('gzip, chunked')",
    ],
    [
      "Host: h\r\nContent-Length: 5, 6\r\n\r\n",
      true,
      400,
      "Bad Content-Length ('5, 6')",
    ],
    [
      "Host: h\r\nContent-Length: -1\r\n\r\n",
      true,
      400,
      "Bad Content-Length ('-1')",
    ],
  ];
  for (const [text, http11, code, message] of cases) {
    assert.deepEqual(fields(text, http11).result, {
      kind: "refused",
      code,
      message,
      version: null,
    }, JSON.stringify(text));
  }
});

Deno.test("status_has_no_body() is true for 1xx, 204, 205 and 304 only", () => {
  const none = [100, 101, 103, 204, 205, 304];
  for (let code = 100; code < 600; code++) {
    assert.equal(status_has_no_body(code), none.includes(code) || code < 200);
  }
});
