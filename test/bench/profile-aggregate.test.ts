// The profile reader behind docs/bench-profile.md: which frames count, how time is split per
// request and per kind of work, and the check that the profiled module has the release build's code.
import { describe, expect, it } from "vitest";
import { codeSections, kindOf, moduleProfile, sameCode, type CpuProfile } from "./profile-aggregate.js";

describe("kindOf", () => {
  it.each([
    ["~lib/rt/tlsf/insertBlock", "allocator"],
    ["~lib/rt/tcms/__new", "allocator"],
    ["~lib/rt/itcms/__renew", "allocator"],
    ["~lib/rt/tcms/__collect", "collector"],
    ["~lib/rt/tcms/Object#unlink", "collector"],
    ["~lib/rt/__visit_members", "collector"],
    ["~lib/@sluice/sdk/runtime/collect/leavingVm", "collector"],
    ["~lib/util/memory/memmove", "memory copy"],
    ["~lib/memory/memory.copy", "memory copy"],
    ["~lib/@sluice/sdk/json/scan/Scanner#scanString", "JSON"],
    ["~lib/@sluice/sdk/api/headers/HeaderMap#set", "SDK"],
    ["~lib/@sluice/sdk/runtime/hostcalls/monotonicNanos", "SDK"],
    ["plugins/ai-proxy/assembly/index/AiProxyFilter#onRequestHeaders", "plugin"],
    ["test/plugins/noop/assembly/index/NoopFilter#onRequestHeaders", "plugin"],
    ["~lib/string/String#concat", "AssemblyScript library"],
    ["~start", "other"],
    ["wasm-function[12]", "other"],
  ])("%s is %s", (name, kind) => expect(kindOf(name)).toBe(kind));
});

describe("moduleProfile", () => {
  // Ten samples over 1,000 µs and no time deltas: each stands for the mean, 100 µs. Six are inside the module.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "" } },
      { id: 2, callFrame: { functionName: "request", url: "file:///harness/src/emulator/host.ts" } },
      { id: 3, callFrame: { functionName: "~lib/rt/tlsf/insertBlock", url: "wasm://wasm/0012ab" } },
      { id: 4, callFrame: { functionName: "~lib/@sluice/sdk/json/scan/Scanner#scanString", url: "wasm://wasm/0012ab" } },
      { id: 5, callFrame: { functionName: "plugins/x/assembly/index/F#onRequestHeaders", url: "wasm://wasm/0012ab" } },
      { id: 6, callFrame: { functionName: "~lib/rt/tlsf/insertBlock", url: "wasm://wasm/0012ab" } },
    ],
    startTime: 0,
    endTime: 1000,
    samples: [1, 2, 3, 3, 4, 2, 5, 6, 2, 4],
  };
  const p = moduleProfile(profile, 4);

  it("counts only frames inside the module, per request", () => {
    expect(p.wasmSamples).toBe(6);
    expect(p.wasmUs).toBe(150); // 6 × 100 µs over 4 requests
    expect(p.totalUs).toBe(250);
    expect(p.intervalUs).toBe(100);
  });
  it("adds up a function's nodes and splits by kind", () => {
    expect(p.functions[0]).toEqual({ name: "~lib/rt/tlsf/insertBlock", kind: "allocator", us: 75 });
    expect(p.functions.map((f) => f.name)).toEqual(["~lib/rt/tlsf/insertBlock", "~lib/@sluice/sdk/json/scan/Scanner#scanString", "plugins/x/assembly/index/F#onRequestHeaders"]);
    expect(p.kinds).toEqual({ allocator: 75, collector: 0, "memory copy": 0, JSON: 50, SDK: 0, plugin: 25, "AssemblyScript library": 0, other: 0 });
    expect(Object.values(p.kinds).reduce((a, b) => a + b, 0)).toBe(p.wasmUs);
  });
  it("refuses a profile of no requests", () => expect(() => moduleProfile(profile, 0)).toThrow(/requests/));
  it("gives each sample the time until the next one when the profile has time deltas", () => {
    // Samples at 100, 150, 400, 450 µs; the profile ends at 500. The one at 400 is in the module: 50 µs until the next.
    const q = moduleProfile({ ...profile, startTime: 0, endTime: 500, samples: [2, 2, 3, 2], timeDeltas: [100, 50, 250, 50] }, 1);
    expect(q.totalUs).toBe(400);
    expect(q.wasmUs).toBe(50);
    expect(q.functions).toEqual([{ name: "~lib/rt/tlsf/insertBlock", kind: "allocator", us: 50 }]);
  });
});

describe("sameCode", () => {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00]; // one type: () -> ()
  const name = [0x00, 0x08, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x01, 0x00]; // custom "name" section
  const mod = (...sections: number[][]) => Uint8Array.from([...header, ...sections.flat()]);

  it("ignores custom sections (the names --debug adds)", () => {
    expect(codeSections(mod(types, name))).toHaveLength(1);
    expect(sameCode(mod(types, name), mod(types))).toBe(true);
  });
  it("sees a changed byte of code", () => expect(sameCode(mod(types), mod([0x01, 0x04, 0x01, 0x60, 0x01, 0x7f]))).toBe(false));
  it("refuses what is not a module or runs past its end", () => {
    expect(() => codeSections(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not a Wasm module/);
    expect(() => codeSections(mod([0x01, 0x09, 0x01]))).toThrow(/past the end/);
  });
});
