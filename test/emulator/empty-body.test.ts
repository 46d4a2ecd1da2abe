// How an empty body is framed decides whether a plugin's body hook runs, in Envoy and so in the
// emulator: with `content-length: 0` Envoy's HTTP/1 codec ends the stream at the headers (no body
// callback); a chunked request with no data ends with an empty data frame (the body callback runs,
// with 0 bytes). Checked with the body-probe test plugin buffering the request (route rb): its body
// hook sets x-probe-request-body, so the upstream shows whether the hook ran. The same holds for
// an upstream's empty answer (content-length: 0 ends the response at its headers).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { useEnvoy } from "../../harness/src/vitest.js";
import { RecordingUpstream } from "../../harness/src/upstream.js";
import { rawHttp, rawExchange, chunkedRequest } from "../../harness/src/raw-http.js";
import { testPluginWasm } from "../../harness/src/tools.js";
import { Emulator } from "../../harness/src/emulator/index.js";

const rules = [{ _match_route_: ["rb"], request: "buffer", pause_headers: true }];
const routes = [{ name: "rb", prefix: "/rb", cluster: "up" }];

let up: RecordingUpstream;
beforeAll(async () => { up = await RecordingUpstream.start(); });
afterAll(async () => { await up?.stop(); });

const seen = (id: string) => up.requests.find((r) => r.headers["x-diff-id"] === id)?.headers["x-probe-request-body"];

describe("empty request bodies: content-length 0 vs chunked", () => {
  const gw = useEnvoy(() => ({ plugins: [{ name: "body-probe", wasm: testPluginWasm("body-probe"), config: { _rules_: rules } }], routes, clusters: [{ name: "up", port: up.port }] }));

  it("Envoy: content-length 0 runs no body hook; a chunked empty body runs it with 0 bytes", async () => {
    const a = await rawHttp(gw.url + "/rb", { method: "POST", headers: [["x-diff-id", "env-cl0"], ["content-length", "0"]], body: "" });
    expect(a.status).toBe(200);
    expect(seen("env-cl0")).toBeUndefined();
    const port = Number(new URL(gw.url).port);
    const req = chunkedRequest("/rb", "x", [], {}).toString("latin1").replace("Host: x\r\n", "Host: x\r\nx-diff-id: env-chunked\r\n");
    const b = await rawExchange("127.0.0.1", port, Buffer.from(req, "latin1"));
    expect(b.status).toBe(200);
    expect(seen("env-chunked")).toBe("0");
  });

  for (const target of ["envoy", "higress"] as const) {
    it(`the emulator (${target}) frames them the same way`, async () => {
      const host = await Emulator.load(testPluginWasm("body-probe", target), { target, config: { _rules_: rules }, routes, clusters: { up: `http://127.0.0.1:${up.port}` }, pluginName: "body-probe" });
      const a = await host.request({ method: "POST", path: "/rb", headers: [["x-diff-id", `${target}-cl0`]], body: "" });
      expect(a.status).toBe(200);
      expect(seen(`${target}-cl0`)).toBeUndefined();
      const b = await host.request({ method: "POST", path: "/rb", headers: [["x-diff-id", `${target}-chunked`]], body: "", chunks: 2 });
      expect(b.status).toBe(200);
      expect(seen(`${target}-chunked`)).toBe("0");
      expect(host.traps).toEqual([]);
      host.close();
    });
  }
});
