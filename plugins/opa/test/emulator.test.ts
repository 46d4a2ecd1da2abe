// opa on the emulator only: what a table row cannot observe — the local responses' details, that
// nothing of the request goes on while a question is open (headers held with
// StopAllIterationAndWatermark, body chunks held by the host), the two questions of a body one
// after the other, and OPA answers a real OPA never gives (a timeout, a reset, JSON that is not an
// object). The rows against a real OPA are in cases.ts.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator, type HttpCall } from "../../../harness/src/emulator/index.js";

const CLUSTER = "outbound|8181||opa.static";
const config = { policy: "authz", timeout: "2s", serviceSource: "ip", serviceName: "opa", servicePort: 8181, host: "opa.internal" };
const HEADERS = { ":authority": "gw.example", ":path": "/orders?x=1", ":method": "POST", ":scheme": "https", "content-type": "application/json" };
const STOP_ALL = 4;
const PAUSE = 1;

for (const target of ["envoy", "higress"] as const) {
  describe(`opa on the emulator (${target})`, () => {
    /** An emulator whose OPA is answered by hand. */
    const manual = () => Emulator.load(pluginWasm("opa", target), { target, config, pluginName: "opa", clusters: { [CLUSTER]: null } });
    /** An emulator whose OPA always answers `answer`. */
    const answering = (answer: { status: number; body: string }) =>
      Emulator.load(pluginWasm("opa", target), {
        target,
        config,
        pluginName: "opa",
        clusters: { [CLUSTER]: () => ({ status: answer.status, headers: { "content-type": "application/json" }, body: answer.body }) },
      });

    it("logs its start with Higress's prefix", async () => {
      const host = await manual();
      expect(host.logLines()).toContain("[opa] [nil] [nil] plugin start successfully");
    });

    it("holds everything while a question is open: the headers' question, then the body's, then the request goes on", async () => {
      const host = await manual();
      const s = host.stream();
      expect(s.sendRequestHeaders(HEADERS, false)).toBe(STOP_ALL);
      const [first, ...none] = host.pendingHttpCalls();
      expect(none).toEqual([]);
      expect(first.cluster).toBe(CLUSTER);
      expect(first.header(":method")).toBe("POST");
      expect(first.header(":path")).toBe("/v1/data/authz/allow");
      expect(first.header(":authority")).toBe("opa.internal");
      expect(first.header("content-type")).toBe("application/json");
      expect(first.timeoutMs).toBe(2000);
      expect(JSON.parse(first.bodyText)).toEqual({
        input: { request: { headers: Object.entries(HEADERS), method: "POST", path: "/orders?x=1", query: { x: ["1"] }, scheme: "https" } },
      });
      // The body arrives while the headers' question is open: the host holds it.
      s.sendRequestBody('{"amount":', false);
      s.sendRequestBody("50}", true);
      expect(s.upstream.headers).toBeNull();
      expect(host.pendingHttpCalls()).toEqual([first]);
      first.respond({ status: 200, headers: {}, body: '{"result":true}' });
      // Allowed on its headers: they go on, and the whole body is asked about.
      const second = host.pendingHttpCalls().filter((c) => c !== first);
      expect(second.length).toBe(1);
      expect(JSON.parse(second[0].bodyText).input.request.body).toBe(Buffer.from('{"amount":50}').toString("base64"));
      expect(s.upstream.complete).toBe(false);
      second[0].respond({ status: 200, headers: {}, body: '{"result":true}' });
      expect(s.upstream.complete).toBe(true);
      expect(s.upstream.body.toString()).toBe('{"amount":50}');
      expect(host.traps).toEqual([]);
    });

    it("a body that arrives after the headers' yes is paused until its own answer", async () => {
      const host = await manual();
      const s = host.stream();
      expect(s.sendRequestHeaders(HEADERS, false)).toBe(STOP_ALL);
      host.pendingHttpCalls()[0].respond({ status: 200, headers: {}, body: '{"result":true}' });
      expect(s.sendRequestBody('{"amount":', false)).toBe(PAUSE);
      expect(host.pendingHttpCalls()).toEqual([]);
      expect(s.sendRequestBody("500}", true)).toBe(PAUSE);
      const [q] = host.pendingHttpCalls();
      q.respond({ status: 200, headers: {}, body: '{"result":false}' });
      expect(s.localResponse).toMatchObject({ status: 401, details: "opa.server_not_allowed" });
      expect(s.localResponse!.body.toString()).toBe("opa server not allowed");
      expect(s.upstream.complete).toBe(false);
    });

    const outcomes: [string, { status: number; body: string }, number, string, string][] = [
      ["false", { status: 200, body: '{"result":false}' }, 401, "opa server not allowed", "opa.server_not_allowed"],
      ["OPA's 500", { status: 500, body: '{"code":"internal_error"}' }, 500, "opa state not is 200", "opa.status_ne_200"],
      ["OPA's 400", { status: 400, body: '{"code":"invalid_parameter"}' }, 400, "opa state not is 200", "opa.status_ne_200"],
      ["not JSON", { status: 200, body: "<html>" }, 500, "opa parse rsp fail unexpected character at offset 0", "opa.bad_response_body"],
      ["an empty body", { status: 200, body: "" }, 500, "opa parse rsp fail unexpected end of JSON input", "opa.bad_response_body"],
      ["a JSON array", { status: 200, body: "[true]" }, 500, "opa parse rsp fail json: cannot unmarshal array into Go value of type map[string]interface {}", "opa.bad_response_body"],
      ["a JSON boolean", { status: 200, body: "true" }, 500, "opa parse rsp fail json: cannot unmarshal bool into Go value of type map[string]interface {}", "opa.bad_response_body"],
      ["JSON null (Go unmarshals it into a nil map)", { status: 200, body: "null" }, 500, "rsp type conversion fail", "opa.conversion_fail"],
      ["an undefined decision", { status: 200, body: "{}" }, 500, "rsp type conversion fail", "opa.conversion_fail"],
      ['"true" as a string', { status: 200, body: '{"result":"true"}' }, 500, "rsp type conversion fail", "opa.conversion_fail"],
    ];
    it.each(outcomes)("OPA answers %s → %i", async (_name, answer, status, body, details) => {
      const host = await answering(answer);
      const r = await host.request({ path: "/x" });
      expect(r.status).toBe(status);
      expect(r.body).toBe(body);
      expect(r.localResponse?.details).toBe(details);
      expect(r.upstream).toBeNull();
      expect(host.traps).toEqual([]);
    });

    it("true lets the request through untouched", async () => {
      const host = await answering({ status: 200, body: '{"result":true,"decision_id":"x"}' });
      const r = await host.request({ path: "/x?y=1", method: "PUT", body: "payload", headers: [["content-type", "text/plain"]] });
      expect(r.status).toBe(200);
      expect(r.localResponse).toBeNull();
      expect(r.upstream?.body.toString()).toBe("payload");
    });

    it("a question that times out is Envoy's 504, passed on as that status", async () => {
      const host = await manual();
      const s = host.stream();
      s.sendRequestHeaders({ ":authority": "gw", ":path": "/x", ":method": "GET" }, true);
      host.pendingHttpCalls()[0].timeout();
      expect(s.localResponse).toMatchObject({ status: 504, details: "opa.status_ne_200" });
    });

    it("a question whose connection is reset is a 502, passed on as that status", async () => {
      const host = await manual();
      const s = host.stream();
      s.sendRequestHeaders({ ":authority": "gw", ":path": "/x", ":method": "GET" }, true);
      host.pendingHttpCalls()[0].reset();
      expect(s.localResponse).toMatchObject({ status: 502, details: "opa.status_ne_200" });
      expect(s.localResponse!.body.toString()).toBe("opa state not is 200");
    });

    it("an unknown cluster is answered at once with 503, the reason logged", async () => {
      const host = await Emulator.load(pluginWasm("opa", target), { target, config, pluginName: "opa", clusters: {} });
      const r = await host.request({ path: "/x" });
      expect(r.status).toBe(503);
      expect(r.localResponse?.details).toBe("opa.call_failed");
      expect(r.logs.map((l) => l.message).join("\n")).toMatch(/^\[opa\] \[nil\] \[[^\]]+\] client opa fail http call to cluster 'outbound\|8181\|\|opa\.static' refused: BadArgument$/m);
    });

    it("a gRPC or compressed body is not read: one question, then the body streams on", async () => {
      for (const h of [["content-type", "application/grpc"], ["content-encoding", "gzip"]] as [string, string][]) {
        const calls: HttpCall[] = [];
        const host = await Emulator.load(pluginWasm("opa", target), {
          target, config, pluginName: "opa",
          clusters: { [CLUSTER]: (c: HttpCall) => { calls.push(c); return { status: 200, headers: {}, body: '{"result":true}' }; } },
        });
        const r = await host.request({ path: "/x", method: "POST", headers: [h], body: "binary", chunks: 2 });
        expect(r.status, h.join(": ")).toBe(200);
        expect(calls.length, h.join(": ")).toBe(1);
        expect(JSON.parse(calls[0].bodyText).input.request.body).toBeUndefined();
      }
    });
  });
}
