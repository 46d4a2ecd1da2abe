// hmac-auth-apisix on the emulator, both targets. Signatures are made with node:crypto the way
// APISIX clients make them; the emulator's clock (frozen at load, moved by advance()) makes the
// clock-skew rules testable without waiting.
import { describe, it, expect } from "vitest";
import { createHash, createHmac } from "node:crypto";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator } from "../../../harness/src/emulator/index.js";

const consumers = [
  { name: "alice", access_key: "ak-alice", secret_key: "sk-alice" },
  { name: "bob", access_key: "ak-bob", secret_key: "sk-bob" },
  { access_key: "ak-noname", secret_key: "sk-noname" },
];
const secrets: Record<string, string> = { "ak-alice": "sk-alice", "ak-bob": "sk-bob", "ak-noname": "sk-noname" };

interface SignOpts { keyId?: string; secret?: string; algorithm?: string; method?: string; path: string; signed?: string[]; values?: Record<string, string> }

function sign(o: SignOpts): string {
  const keyId = o.keyId ?? "ak-alice";
  const alg = o.algorithm ?? "hmac-sha256";
  const signed = o.signed ?? ["@request-target", "date"];
  const lines = [keyId];
  for (const h of signed) {
    if (h === "@request-target") lines.push(`${o.method ?? "GET"} ${o.path}`);
    else if (o.values?.[h] !== undefined) lines.push(`${h}: ${o.values[h]}`);
  }
  const sig = createHmac(alg.replace("hmac-", ""), o.secret ?? secrets[keyId] ?? "x").update(lines.join("\n") + "\n").digest("base64");
  return `Signature keyId="${keyId}",algorithm="${alg}",headers="${signed.join(" ")}",signature="${sig}"`;
}

const httpDate = (offsetSeconds = 0) => new Date(Date.now() + offsetSeconds * 1000).toUTCString();
const err = (reason: string) => JSON.stringify({ message: `client request can't be validated: ${reason}` });

function signedReq(path: string, o: Partial<SignOpts> & { date?: string; extra?: [string, string][]; method?: string; body?: string } = {}) {
  const date = o.date ?? httpDate();
  const auth = sign({ path, ...o, values: { date, ...(o.values ?? {}) } });
  return { path, method: o.method, body: o.body, headers: [["date", date], ["authorization", auth], ...(o.extra ?? [])] as [string, string][] };
}

const config = {
  consumers,
  global_auth: true,
  signed_headers: ["@request-target", "date"],
  validate_request_body: true,
  hide_credentials: true,
  _rules_: [{ _match_route_: ["bob-only"], allow: ["bob"] }],
};
const routes = [{ name: "bob-only", prefix: "/bob-only", cluster: "up" }, { name: "default", prefix: "/", cluster: "up" }];

interface Case { name: string; req: () => ReturnType<typeof signedReq>; status: number; reason?: string; consumer?: string | null }
const cases: Case[] = [
  { name: "valid hmac-sha256 signature", req: () => signedReq("/a?x=1"), status: 200, consumer: "alice" },
  { name: "valid hmac-sha512 signature", req: () => signedReq("/a", { algorithm: "hmac-sha512" }), status: 200, consumer: "alice" },
  { name: "a consumer without a name is named by its access key", req: () => signedReq("/a", { keyId: "ak-noname" }), status: 200, consumer: "ak-noname" },
  { name: "a tampered custom header", req: () => signedReq("/a", { signed: ["@request-target", "date", "x-custom"], values: { "x-custom": "v1" }, extra: [["x-custom", "v2"]] }), status: 401, reason: "Invalid signature" },
  { name: "no Authorization", req: () => ({ path: "/a", method: undefined, body: undefined, headers: [["date", httpDate()]] }), status: 401, reason: "missing Authorization header" },
  { name: "unknown keyId", req: () => signedReq("/a", { keyId: "ak-mallory", secret: "guess" }), status: 401, reason: "Invalid keyId" },
  { name: "wrong secret", req: () => signedReq("/a", { secret: "sk-bob" }), status: 401, reason: "Invalid signature" },
  { name: "tampered query", req: () => ({ ...signedReq("/a?amount=1"), path: "/a?amount=1000" }), status: 401, reason: "Invalid signature" },
  { name: "replay: a signature 10 minutes old", req: () => signedReq("/a", { date: httpDate(-600) }), status: 401, reason: "Clock skew exceeded" },
  { name: "two Authorization headers (Envoy folds them)", req: () => { const q = signedReq("/a"); return { ...q, headers: [...q.headers, ["authorization", q.headers[1][1]]] as [string, string][] }; }, status: 401, reason: "multiple Authorization headers" },
  { name: "body with the right Digest", req: () => { const body = '{"pay":1}'; return signedReq("/a", { method: "POST", body, extra: [["digest", "SHA-256=" + createHash("sha256").update(body).digest("base64")]] }); }, status: 200 },
  { name: "body in 3 chunks with the right Digest", req: () => { const body = '{"pay":1,"pad":"' + "x".repeat(300) + '"}'; return { ...signedReq("/a", { method: "POST", body, extra: [["digest", "SHA-256=" + createHash("sha256").update(body).digest("base64")]] }), chunks: 3 }; }, status: 200 },
  { name: "body with a wrong Digest", req: () => signedReq("/a", { method: "POST", body: '{"pay":1000}', extra: [["digest", "SHA-256=" + createHash("sha256").update('{"pay":1}').digest("base64")]] }), status: 401, reason: "Invalid digest" },
  { name: "route rule: alice verified but not allowed", req: () => signedReq("/bob-only"), status: 401, reason: "consumer 'alice' is not allowed" },
];

for (const target of ["envoy", "higress"] as const) {
  describe(`hmac-auth-apisix on the emulator (${target})`, () => {
    const load = () => Emulator.load(pluginWasm("hmac-auth-apisix", target), { target, config, routes, pluginName: "hmac-auth-apisix" });

    it.each(cases)("$name", async (c) => {
      const host = await load();
      const q = c.req() as ReturnType<typeof signedReq> & { chunks?: number };
      const r = await host.request({ path: q.path, method: q.method, headers: q.headers, body: q.body, chunks: q.chunks });
      expect(`${r.status} ${r.status === 200 ? "" : r.body}`).toBe(`${c.status} ${c.status === 200 ? "" : err(c.reason!)}`);
      if (c.status === 200) {
        const seen = Object.fromEntries(r.upstream?.headers ?? []);
        if (c.consumer !== undefined) expect(seen["x-mse-consumer"] ?? null).toBe(c.consumer);
        expect(seen.authorization).toBeUndefined(); // hide_credentials
        if (q.body) expect(r.upstream?.body.toString()).toBe(q.body);
      }
      expect(host.traps).toEqual([]);
    });

    it("a signature that was fine becomes a replay once the host clock moves 10 minutes on", async () => {
      const host = await load();
      const q = signedReq("/later");
      expect((await host.request({ path: q.path, headers: q.headers })).status).toBe(200);
      host.advance(10 * 60 * 1000);
      const r = await host.request({ path: q.path, headers: q.headers });
      expect(r.body).toBe(err("Clock skew exceeded"));
    });
  });
}
