// ai-proxy's token failover on the emulator's clock, both targets. The clock moves only with
// advance(), so "no probe before healthCheckInterval, one probe at it, back in rotation after a
// 200" is checked exactly, however slow the machine is; two VMs sharing one shared-data store (as
// the worker VMs of one Envoy do) see one health. The real-Envoy side (health shared by both workers) is in
// behaviour.test.ts, with an interval of an hour so that no run can reach it.
import { describe, it, expect } from "vitest";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator, SharedData } from "../../../harness/src/emulator/index.js";
import type { Sent } from "../../../harness/src/emulator/stream.js";

const INTERVAL = 1500;
const config = {
  provider: { id: "fo", type: "openai", apiTokens: ["sk-t1", "sk-t2"], failover: { enabled: true, failureThreshold: 2, successThreshold: 1, healthCheckInterval: INTERVAL, healthCheckModel: "gpt-4o-mini" } },
};
const body = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });

const ok = { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "c", object: "chat.completion", model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }) };
const limited = { status: 429, headers: { "content-type": "application/json" }, body: JSON.stringify({ error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } }) };

/** Sends chat requests round-robin over `vms`; the upstream fails the tokens in `failing`. */
function sender(vms: Emulator[], failing: Set<string>) {
  let n = 0;
  return async () => {
    let token = "";
    const response = (up: Sent) => {
      token = (up.headers ?? []).find(([k]) => k === "authorization")?.[1].replace(/^Bearer /, "") ?? "";
      return failing.has(token) ? limited : ok;
    };
    const r = await vms[n++ % vms.length].request({ path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body, response });
    return { status: r.status, token };
  };
}

/** Tokens are picked at random: sends until sk-t1 has failed failureThreshold (2) times. */
async function failTwice(send: () => Promise<{ status: number }>): Promise<number> {
  let failures = 0;
  for (let i = 0; i < 200 && failures < 2; i++) if ((await send()).status === 429) failures++;
  return failures;
}

for (const target of ["envoy", "higress"] as const) {
  const load = (sharedData?: SharedData) => Emulator.load(pluginWasm("ai-proxy", target), { target, config, sharedData, pluginName: "ai-proxy" });

  describe(`ai-proxy failover on the emulator's clock (${target})`, () => {
    it("two VMs sharing data: a token that failed twice is out for both", async () => {
      const shared = new SharedData();
      const vms = [await load(shared), await load(shared)];
      const send = sender(vms, new Set(["sk-t1"]));
      expect(await failTwice(send)).toBe(2);
      for (let i = 0; i < 20; i++) expect(await send()).toEqual({ status: 200, token: "sk-t2" });
      for (const vm of vms) {
        expect(vm.traps).toEqual([]);
        vm.close();
      }
    });

    // One VM: each emulator has its own clock (started when it was loaded), and the interval is
    // measured between times that VMs write into shared data, so only one clock makes it exact.
    it("no probe before healthCheckInterval, one probe at it (a failed probe keeps it out), back in rotation after a 200", async () => {
      const vm = await load();
      const failing = new Set(["sk-t1"]);
      const send = sender([vm], failing);
      expect(await failTwice(send)).toBe(2);
      for (let i = 0; i < 10; i++) expect(await send()).toEqual({ status: 200, token: "sk-t2" });
      vm.advance(INTERVAL - 1);
      for (let i = 0; i < 10; i++) expect(await send()).toEqual({ status: 200, token: "sk-t2" });
      vm.advance(1);
      expect(await send()).toEqual({ status: 429, token: "sk-t1" });
      // The failed probe starts a new interval.
      vm.advance(INTERVAL - 1);
      for (let i = 0; i < 10; i++) expect(await send()).toEqual({ status: 200, token: "sk-t2" });
      failing.delete("sk-t1");
      vm.advance(1);
      expect(await send()).toEqual({ status: 200, token: "sk-t1" });
      // successThreshold 1: back in rotation (picked at random again).
      const after = new Set<string>();
      for (let i = 0; i < 200 && after.size < 2; i++) after.add((await send()).token);
      expect(after).toEqual(new Set(["sk-t1", "sk-t2"]));
      expect(vm.traps).toEqual([]);
      vm.close();
    });
  });
}
