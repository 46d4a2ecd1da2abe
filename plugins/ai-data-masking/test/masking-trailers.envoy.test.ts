// A streamed answer that ends on trailers (HTTP/1 chunked trailers, enabled on Envoy's listener
// and cluster): the bytes held back as the possible start of a mask go out at the trailers —
// restored when the last data frame completed the mask, as they came when it did not.
// (Envoy only: the emulator drops body bytes a plugin adds at the response trailers.)
import { it, expect, beforeAll, afterAll } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { useEnvoy } from "../../../harness/src/vitest.js";
import { http, pluginWasm } from "../../../harness/src/index.js";
import { CONFIG, PROMPT, MASK_EMAIL, MASK_ID, EMAIL, ID, chat } from "./fixtures.js";

const STREAMS: Record<string, string> = {
  // The last frame stops inside what could be a mask: nothing to restore there.
  prefix: `data: {"choices":[{"delta":{"content":"x ${MASK_EMAIL}"}}]}\n\ndata: {"choices":[{"delta":{"content":"${MASK_EMAIL.slice(0, 6)}"}}]}`,
  // The mask is cut between the two data frames and the event has no blank line before the trailers.
  cut: `data: {"choices":[{"delta":{"content":"id ${MASK_ID}"}}]}`,
};

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", async () => {
      const s = STREAMS[String(req.headers["x-stream"])];
      const at = s.indexOf(MASK_ID) > 0 ? s.indexOf(MASK_ID) + 9 : s.length - 3;
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
  it(`a stream ending on trailers releases its held tail (${name})`, async () => {
    const r = await http(gw.url + "/v1/chat/completions", { method: "POST", headers: [["content-type", "application/json"], ["x-stream", name]], body: chat(PROMPT, { stream: true }) });
    expect(r.status).toBe(200);
    expect(r.body).toBe(STREAMS[name].split(MASK_EMAIL).join(EMAIL).split(MASK_ID).join(ID));
  });
}
