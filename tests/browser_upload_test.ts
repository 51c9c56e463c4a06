/**
 * The upload form in headless chromium, driven over the DevTools protocol:
 * a real file chosen in the file input arrives byte for byte, both by the
 * plain form (no script involved: `form.submit()`) and by the script's
 * XMLHttpRequest path (`requestSubmit()`). Skipped where chromium is not
 * installed.
 */

import {
  SimpleHTTPRequestHandler,
  ThreadingHTTPServer,
} from "../http_server.ts";
import { assert, assertEquals } from "./_assert.ts";
import { wait_for } from "./_helpers.ts";
import { CHROMIUM, HAVE_CHROMIUM } from "./_browser.ts";

/** A minimal DevTools protocol client over the browser's WebSocket. */
class DevTools implements AsyncDisposable {
  #ws: WebSocket;
  #id = 0;
  #pending = new Map<number, PromiseWithResolvers<Record<string, unknown>>>();
  session = "";

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.error) p.reject(new Error(JSON.stringify(msg.error)));
      else p.resolve(msg.result);
    };
  }

  static async open(url: string): Promise<DevTools> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    return new DevTools(ws);
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    // deno-lint-ignore no-explicit-any
  ): Promise<any> {
    const id = ++this.#id;
    const p = Promise.withResolvers<Record<string, unknown>>();
    this.#pending.set(id, p);
    this.#ws.send(JSON.stringify({
      id,
      method,
      params,
      ...(this.session ? { sessionId: this.session } : {}),
    }));
    return p.promise;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const closed = new Promise((resolve) => this.#ws.onclose = resolve);
    this.#ws.close();
    await closed;
  }
}

/** Starts headless chromium with a DevTools port; resolves its WebSocket URL. */
async function start_chromium(profile: string) {
  const child = new Deno.Command(CHROMIUM, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      "about:blank",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let err = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let url: string | undefined;
  while (url === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`chromium exited: ${err}`);
    err += value;
    url = /DevTools listening on (ws:\/\/\S+)/.exec(err)?.[1];
  }
  // Keep reading so that chromium never blocks on a full pipe.
  const drained = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  return {
    url,
    async [Symbol.asyncDispose]() {
      child.kill("SIGKILL");
      await child.status;
      await drained;
    },
  };
}

Deno.test({
  name:
    "The listing's upload form sends a file chosen in chromium byte for byte, with and without its script",
  ignore: !HAVE_CHROMIUM,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "browser_upload_" });
    const src = await Deno.makeTempDir({ prefix: "browser_src_" });
    const profile = await Deno.makeTempDir({ prefix: "browser_profile_" });
    try {
      const data = new Uint8Array(2 * 1024 * 1024 + 777);
      for (let i = 0; i < data.length; i++) {
        data[i] = (i * 31 + (i >> 9)) & 0xff;
      }
      await Deno.writeFile(`${src}/chosen file.bin`, data);
      class Handler extends SimpleHTTPRequestHandler {
        override directory = dir;
        override upload = true;
        override log_message(): void {}
      }
      await using server = new ThreadingHTTPServer(["127.0.0.1", 0], Handler);
      server.serve_forever();
      const base = `http://127.0.0.1:${server.server_port}/`;
      await using browser = await start_chromium(profile);
      await using dt = await DevTools.open(browser.url);
      const { targetId } = await dt.send("Target.createTarget", {
        url: "about:blank",
      });
      const { sessionId } = await dt.send("Target.attachToTarget", {
        targetId,
        flatten: true,
      });
      dt.session = sessionId;
      await dt.send("Page.enable");
      await dt.send("DOM.enable");
      const evaluate = async (expression: string) =>
        (await dt.send("Runtime.evaluate", {
          expression,
          awaitPromise: true,
          returnByValue: true,
        })).result.value;
      for (
        const [how, submit] of [
          ["plain form", "document.getElementById('upload').submit()"],
          ["script", "document.getElementById('upload').requestSubmit()"],
        ] as const
      ) {
        await dt.send("Page.navigate", { url: base });
        assert(
          await wait_for(async () =>
            await evaluate(
              "document.readyState === 'complete' && !!document.getElementById('upload')",
            ) === true
          ),
          how,
        );
        const { root } = await dt.send("DOM.getDocument");
        const { nodeId } = await dt.send("DOM.querySelector", {
          nodeId: root.nodeId,
          selector: "#upload input[type=file]",
        });
        await dt.send("DOM.setFileInputFiles", {
          nodeId,
          files: [`${src}/chosen file.bin`],
        });
        assertEquals(
          await evaluate(
            "document.querySelector('#upload input').files[0].size",
          ),
          data.length,
        );
        await evaluate(submit);
        const expected = how === "plain form"
          ? "chosen file.bin"
          : "chosen file (1).bin";
        assert(
          await wait_for(async () => {
            // Back on the listing, which now lists the file.
            const listed = await evaluate(
              `[...document.querySelectorAll("td a")].some((a) => a.textContent === ${
                JSON.stringify(expected)
              })`,
            ).catch(() => false);
            return listed === true;
          }, 15_000),
          how,
        );
        assertEquals(await Deno.readFile(`${dir}/${expected}`), data, how);
      }
      assertEquals(
        [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
        ["chosen file (1).bin", "chosen file.bin"],
      );
    } finally {
      for (const d of [dir, src, profile]) {
        await Deno.remove(d, { recursive: true }).catch(() => {});
      }
    }
  },
});
