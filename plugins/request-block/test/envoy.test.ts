// request-block in a real Envoy: a case table over global, route and domain rules.
import { describe, it, expect } from "vitest";
import { request } from "node:http";
import { Envoy, pluginWasm, http } from "../../../harness/src/index.js";
import { useRecordingUpstream, usePluginEnvoy } from "../../../harness/src/vitest.js";
import { config, cases } from "./cases.js";

const upstream = useRecordingUpstream();

/**
 * A GET with the path sent byte for byte: the harness client goes through URL parsing, which
 * already resolves `/./` and `/..` — the very paths these cases are about.
 */
function rawGet(base: string, path: string, headers: [string, string][]): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  const flat = headers.flat();
  if (!headers.some(([k]) => k.toLowerCase() === "host")) flat.push("host", u.host);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: "GET", headers: flat as unknown as Record<string, string>, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const gw = usePluginEnvoy("request-block", config, ["strict"], upstream);

describe("request-block in Envoy", () => {
  it.each(cases)("$name", async (c) => {
    const headers: [string, string][] = [...(c.headers ?? [])];
    if (c.host) headers.push(["host", c.host]);
    const r = c.body === undefined ? await rawGet(gw.url, c.path, headers) : await http(gw.url + c.path, { headers, body: c.body, chunks: c.chunks });
    expect(r.status).toBe(c.status);
    if (c.message) expect(r.body).toBe(c.message);
    if (c.status === 200) expect(JSON.parse(r.body).path).toBe(c.path);
  });

  it("logs with Higress's prefix", async () => {
    await http(gw.url + "/exact", { headers: [["x-request-id", "rid-123"]] });
    await gw.envoy.waitForLog(/\[request-block\] \[nil\] \[rid-123\] request blocked by url rule/);
  });
});

describe("request-block with a bad configuration", () => {
  for (const [name, bad, why] of [
    ["no block rules", { blocked_code: 403 }, "there is no block rules"],
    ["invalid JSON", "{not json", "not a valid json"],
    ["a rule without _match_", { block_urls: ["x"], _rules_: [{ block_urls: ["y"] }] }, "_match_route_"],
    ["an invalid regular expression", { block_regexp_urls: ["(unclosed"] }, "error parsing regexp"],
    ["a backreference (not RE2)", { block_regexp_urls: ["(a)\\1"] }, "block_regexp_urls[0]"],
  ] as const) {
    it(`refuses to start: ${name}`, async () => {
      let log = "";
      await expect(
        Envoy.start(
          { plugins: [{ name: "request-block", wasm: pluginWasm("request-block"), config: bad }], routes: [{ name: "r", cluster: "up" }], clusters: [{ name: "up", port: upstream.port }] },
          { allowStartFailure: true },
        ).catch((e) => {
          log = (e as { envoyLog?: string }).envoyLog ?? "";
          throw e;
        }),
      ).rejects.toThrow(/did not start/);
      expect(log).toContain("plugin start failed");
      expect(log).toContain(why);
      expect(log).toMatch(/Unable to create Wasm plugin request-block/);
      expect(log).not.toMatch(/sluice: abort/);
    });
  }
});
