// ai-security-guard on the emulator, both targets, where a test must drive the stream by hand:
// a moderation verdict given by hand to see a judged window released while the answer goes on, and a
// moderation call that never answers (fail-open at `timeout`). Everything a client and the
// upstream can observe is in the case table (cases.ts, run on Envoy and the emulator by
// table.test.ts).
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const CLUSTER = "outbound|443||safecheck.dns";
const HOST = "green-cip.cn-shanghai.aliyuncs.com";
const base = { serviceName: "safecheck.dns", servicePort: 443, serviceHost: HOST, accessKey: "LTAI5tSluiceMockKey", secretKey: "sluice-mock-aliyun-secret", checkRequest: true };
const routes = [{ name: "chat", prefix: "/", cluster: "up" }];

const chat = (content: string, extra: Record<string, unknown> = {}) => JSON.stringify({ model: "gpt-4o", messages: [{ role: "system", content: "Be brief." }, { role: "user", content }], ...extra });
/** The data of each SSE event, [DONE] included. */
const sseData = (text: string) => text.split(/\n\n/).filter((e) => e.trim()).map((e) => e.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n"));
const ev = (t: string) => `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(t)}}}]}\n\n`;

for (const target of ["envoy", "higress"] as const) {
  describe(`ai-security-guard on the emulator (${target}), driven by hand`, () => {
    // The moderation cluster is known but left to the test: its calls wait until answered by hand.
    const load = (config: Record<string, unknown> = {}) =>
      Emulator.load(pluginWasm("ai-security-guard", target), { target, config: { ...base, ...config }, routes, pluginName: "ai-security-guard", clusters: { [CLUSTER]: null } });

    it("fails open at `timeout` when the service does not answer", async () => {
      const host = await load({ timeout: 300 });
      const s = host.stream();
      s.sendRequestHeaders({ ":authority": "gw", ":path": "/v1/chat/completions", ":method": "POST", "content-type": "application/json" }, false);
      expect(s.sendRequestBody(chat("BOMB"), true)).toBe(1);
      const [call] = host.pendingHttpCalls();
      expect(call.timeoutMs).toBe(300);
      expect(call.header(":path")).toBe("/?Service=llm_query_moderation");
      call.timeout();
      expect(s.upstream.complete).toBe(true);
    });

    it("releases judged windows while the stream goes on; the failing window never reaches the client", async () => {
      const host = await load({ checkRequest: false, checkResponse: true, bufferLimit: 10 });
      const s = host.stream();
      s.sendRequestHeaders({ ":authority": "gw", ":path": "/v1/chat/completions", ":method": "POST", "content-type": "application/json" }, false);
      s.sendRequestBody(chat("hi", { stream: true }), true);
      s.sendResponseHeaders({ ":status": "200", "content-type": "text/event-stream" }, false);
      const sent = () => Buffer.from(s.downstream.body ?? "").toString();
      // Window 1 fills: it is judged, the stream is held.
      expect(s.sendResponseBody(ev("one ") + ev("two ") + ev("three "), false)).toBe(1);
      expect(host.pendingHttpCalls()).toHaveLength(1);
      const clean = { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ Code: 200, Message: "OK", RequestId: "r", Data: { RiskLevel: "none" } }) };
      host.pendingHttpCalls()[0].respond(clean);
      // Judged clean: released at once, before any more bytes come.
      expect(sent()).toBe(ev("one ") + ev("two ") + ev("three "));
      // Window 2 has the risky text.
      expect(s.sendResponseBody(ev("the SEC") + ev("RET is out"), false)).toBe(1);
      const risky = { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ Code: 200, Message: "OK", RequestId: "r", Data: { RiskLevel: "high", Result: [{ Label: "x", RiskWords: "SECRET" }], Advice: [{ Answer: "no" }] } }) };
      host.pendingHttpCalls()[0].respond(risky);
      s.sendResponseBody(ev("more after"), true);
      s.complete();
      const out = sent();
      expect(out.startsWith(ev("one ") + ev("two ") + ev("three "))).toBe(true);
      expect(out).not.toContain("SEC");
      expect(out).not.toContain("more after");
      const data = sseData(out.slice((ev("one ") + ev("two ") + ev("three ")).length));
      expect(JSON.parse(data[0]).model).toBe("from-security-guard");
      expect(data.at(-1)).toBe("[DONE]");
    });
  });
}
