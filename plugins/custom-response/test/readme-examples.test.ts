// Every configuration example of Higress's custom-response README (README_EN.md and the older
// README's mock without enable_on_status), as YAML text exactly as printed there, loads on both
// targets and answers as the README says (statuses from the recording upstream's /status/NNN).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { parse } from "yaml";
import { pluginWasm, RecordingUpstream } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const MULTI = `
rules:
  - body: '{"hello":"world 200"}'
    enable_on_status:
      - '200'
      - '201'
    headers:
      - key1=value1
      - key2=value2
    status_code: 200
  - body: '{"hello":"world 404"}'
    enable_on_status:
      - '404'
    headers:
      - key1=value1
      - key2=value2
    status_code: 200
`;
const FUZZY = `
rules:
  - body: '{"hello":"world 200"}'
    enable_on_status:
      - 200
    headers:
      - key1=value1
      - key2=value2
    status_code: 200
  - body: '{"hello":"world 40x"}'
    enable_on_status:
      - '40x'
    headers:
      - key1=value1
      - key2=value2
    status_code: 200
`;
const MOCK_ON_200 = `
enable_on_status:
  - 200
status_code: 200
headers:
  - Content-Type=application/json
  - Hello=World
body: "{\\"hello\\":\\"world\\"}"
`;
const RATE_LIMITED = `
enable_on_status:
- 429
status_code: 302
headers:
- Location=https://example.com
`;
const MOCK = `
status_code: 200
headers:
- Content-Type=application/json
- Hello=World
body: "{\\"hello\\":\\"world\\"}"
`;

let up: RecordingUpstream;
beforeAll(async () => { up = await RecordingUpstream.start(); });
afterAll(async () => up.stop());

for (const target of ["envoy", "higress"] as const) {
  describe(`Higress README examples (${target})`, () => {
    const load = (yaml: string) =>
      Emulator.load(pluginWasm("custom-response", target), { target, config: parse(yaml), pluginName: "custom-response", routes: [{ name: "r", prefix: "/", cluster: "up" }], clusters: { up: `http://127.0.0.1:${up.port}` } });
    const get = async (host: Emulator, path: string) => {
      const r = await host.request({ path });
      expect(host.traps).toEqual([]);
      return r;
    };

    it("different status codes, different responses", async () => {
      const host = await load(MULTI);
      for (const s of [200, 201]) {
        const r = await get(host, `/status/${s}`);
        expect([r.status, r.body, r.header("key1"), r.header("content-type")]).toEqual([200, '{"hello":"world 200"}', "value1", "application/json; charset=utf-8"]);
      }
      expect((await get(host, "/status/404")).body).toBe('{"hello":"world 404"}');
      expect((await get(host, "/status/500")).status).toBe(500);
      host.close();
    });

    it("fuzzy matching", async () => {
      const host = await load(FUZZY);
      expect((await get(host, "/status/200")).body).toBe('{"hello":"world 200"}');
      for (const s of [401, 409]) expect((await get(host, `/status/${s}`)).body).toBe('{"hello":"world 40x"}');
      expect((await get(host, "/status/410")).status).toBe(410);
      host.close();
    });

    it("mock response on 200", async () => {
      const host = await load(MOCK_ON_200);
      const r = await get(host, "/status/200");
      expect([r.status, r.body, r.header("hello"), r.header("content-type")]).toEqual([200, '{"hello":"world"}', "World", "application/json"]);
      host.close();
    });

    it("custom response on rate limiting", async () => {
      const host = await load(RATE_LIMITED);
      const r = await get(host, "/status/429");
      expect([r.status, r.header("location")]).toEqual([302, "https://example.com"]);
      host.close();
    });

    it("mock without enable_on_status (the upstream is never called)", async () => {
      const host = await load(MOCK);
      const before = up.requests.length;
      const r = await get(host, "/anything");
      expect([r.status, r.body, r.header("hello")]).toEqual([200, '{"hello":"world"}', "World"]);
      expect(up.requests.length).toBe(before);
      host.close();
    });
  });
}
