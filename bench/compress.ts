/**
 * Compression, in one run: a 1 MiB JavaScript file served identity and
 * from a precompressed `.br` sibling (`Accept-Encoding: br, gzip`);
 * on-the-fly gzip (`compress = true`, Deno's CompressionStream) against a
 * Node-style peer (node:http with node:zlib's createGzip, under node when
 * installed, else under deno); and the server's RSS growth while 50 clients
 * fetch compressed files. `deno run -A bench/compress.ts [seconds]`.
 */

import { haveWrk, start, wrk } from "./_wrk.ts";
import { brotliCompressSync, constants } from "node:zlib";

const SECONDS = Number(Deno.args[0] ?? 5);
const CONNECTIONS = 50;
const HERE = new URL(".", import.meta.url).pathname;

if (!(await haveWrk())) {
  console.log("wrk is missing (apt-get install wrk): nothing measured");
  Deno.exit(0);
}

function some_js(n: number): string {
  let s = "";
  for (let i = 0; s.length < n; i++) {
    s += `export function f${i}(a, b) { return a.map((x) => x * ${i} + b); }\n`;
  }
  return s.slice(0, n);
}

function rss_kib(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

const dir = await Deno.makeTempDir({ prefix: "bench_compress_" });
try {
  const js = new TextEncoder().encode(some_js(1024 * 1024));
  await Deno.writeFile(`${dir}/app.js`, js);
  await Deno.writeFile(
    `${dir}/app.js.br`,
    brotliCompressSync(js, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
    }),
  );
  // No sibling: compressed on the fly.
  await Deno.writeFile(`${dir}/fly.js`, js);
  const br_size = Deno.statSync(`${dir}/app.js.br`).size;
  console.log(
    `1 MiB JS: ${js.length} bytes, .br sibling ${br_size} bytes; ${CONNECTIONS} keep-alive connections, ${SECONDS} s a run`,
  );

  const rows: [string, number, number][] = [];
  {
    await using ours = await start([
      "run",
      "-A",
      `${HERE}servers/static_dir.ts`,
      dir,
      "0",
    ]);
    const url = `http://127.0.0.1:${ours.port}/app.js`;
    const identity = await wrk(url, CONNECTIONS, SECONDS);
    const br = await wrk(url, CONNECTIONS, SECONDS, [
      "-H",
      "Accept-Encoding: br, gzip",
    ]);
    rows.push(["identity", identity.rps, identity.errors]);
    rows.push(["precompressed .br", br.rps, br.errors]);
    console.log(
      `precompressed .br / identity: ${(br.rps / identity.rps).toFixed(2)}x`,
    );
  }
  let ours_gzip = 0;
  let growth_mib = NaN;
  let identity_growth_mib = NaN;
  {
    // The floor: the same fresh server and clients, the file uncompressed.
    await using ours = await start([
      "run",
      "-A",
      `${HERE}servers/static_dir.ts`,
      dir,
      "1",
    ]);
    const before = rss_kib(ours.child.pid);
    await wrk(`http://127.0.0.1:${ours.port}/fly.js`, CONNECTIONS, SECONDS);
    identity_growth_mib = (rss_kib(ours.child.pid) - before) / 1024;
  }
  {
    await using ours = await start([
      "run",
      "-A",
      `${HERE}servers/static_dir.ts`,
      dir,
      "1",
    ]);
    const url = `http://127.0.0.1:${ours.port}/fly.js`;
    const before = rss_kib(ours.child.pid);
    const gzip = await wrk(url, CONNECTIONS, SECONDS, [
      "-H",
      "Accept-Encoding: gzip",
    ]);
    const after = rss_kib(ours.child.pid);
    growth_mib = (after - before) / 1024;
    ours_gzip = gzip.rps;
    rows.push(["on the fly, gzip (ours)", gzip.rps, gzip.errors]);
  }
  {
    const node = await new Deno.Command("node", { args: ["--version"] })
      .output().then((o) => o.success, () => false);
    await using peer = node
      ? await start([`${HERE}servers/node_gzip.mjs`, `${dir}/fly.js`], "node")
      : await start([
        "run",
        "-A",
        `${HERE}servers/node_gzip.mjs`,
        `${dir}/fly.js`,
      ]);
    const url = `http://127.0.0.1:${peer.port}/fly.js`;
    const gzip = await wrk(url, CONNECTIONS, SECONDS, [
      "-H",
      "Accept-Encoding: gzip",
    ]);
    const who = node ? "node" : "deno";
    rows.push([`on the fly, gzip (createGzip, ${who})`, gzip.rps, gzip.errors]);
    console.log(
      `on-the-fly gzip, ours / createGzip peer: ${
        (ours_gzip / gzip.rps).toFixed(2)
      }x`,
    );
  }
  console.log(
    `server RSS growth over the on-the-fly gzip run: ${
      growth_mib.toFixed(1)
    } MiB (identity, the same run uncompressed: ${
      identity_growth_mib.toFixed(1)
    } MiB)`,
  );
  console.log("\n| scenario | req/s | errors |\n| --- | ---: | ---: |");
  for (const [name, rps, errors] of rows) {
    console.log(
      `| ${name} | ${Math.round(rps).toLocaleString("en")} | ${errors} |`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
