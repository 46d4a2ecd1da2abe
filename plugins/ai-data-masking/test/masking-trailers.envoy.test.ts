// A streamed answer from an HTTP/1 upstream that ends in chunked trailers. Envoy's cluster does
// not enable HTTP/1 trailers (only the listener does), so Envoy's codec drops them and the answer
// ends on its last data frame: the plugin's last streaming call is a data call, and the bytes it
// held back as the possible start of a mask go out there — restored when the last frame completed
// the mask, as they came when it did not. (Bytes returned at real trailers, e.g. from an h2c
// upstream, are dropped by Envoy: test/body-pipeline.) masking.emulator.test.ts runs the same
// streams as the emulator sees them from Envoy: two data frames and no trailers.
import { it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { http, pluginWasm } from "../../../harness/src/index.js";
import { CONFIG, PROMPT, MASK_EMAIL, MASK_ID, EMAIL, ID, chat, TAIL_STREAMS as STREAMS, tailSplit } from "./fixtures.js";

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", async () => {
      const s = STREAMS[String(req.headers["x-stream"])];
      const at = tailSplit(s);
      res.writeHead(200, { "content-type": "text/event-stream", trailer: "x-upstream-trailer" });
      res.write(s.slice(0, at));
      await new Promise((r) => setImmediate(r));
      res.write(s.slice(at));
      res.addTrailers({ "x-upstream-trailer": "done" });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const gw = useEnvoy(() => ({
  plugins: [{ name: "ai-data-masking", wasm: pluginWasm("ai-data-masking"), config: CONFIG }],
  routes: [{ name: "r", prefix: "/", cluster: "up" }],
  clusters: [{ name: "up", port }],
  http1Trailers: true,
}));

for (const name of Object.keys(STREAMS)) {
  it(`an HTTP/1 answer whose trailers Envoy drops ends on data: the held tail goes out (${name})`, async () => {
    const r = await http(gw.url + "/v1/chat/completions", { method: "POST", headers: [["content-type", "application/json"], ["x-stream", name]], body: chat(PROMPT, { stream: true }) });
    expect(r.status).toBe(200);
    expect(r.body).toBe(STREAMS[name].split(MASK_EMAIL).join(EMAIL).split(MASK_ID).join(ID));
  });
}
