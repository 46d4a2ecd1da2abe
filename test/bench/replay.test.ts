// The replay benchmark's ground truth holds (test/bench/replay.ts, small): through a real Envoy
// with ai-cache → ai-proxy, a real Redis and a real Chroma, every request is answered as the
// generator says — a new question by the provider, a repeat from Redis, a paraphrase from
// Chroma — with the right answer, and the provider calls avoided equal the expected share.
// No timing is asserted (latencies are the benchmark's, not the test's).
import { describe, it, expect } from "vitest";
import { replay, workload } from "./replay.js";

describe("ai-cache replay benchmark", () => {
  it("the workload is the seed's: same requests for the same seed, all three kinds present", () => {
    const a = workload(200, 7), b = workload(200, 7), c = workload(200, 8);
    expect(a.requests).toEqual(b.requests);
    expect(a.requests).not.toEqual(c.requests);
    for (const k of ["miss", "exact", "semantic"] as const) expect(a.requests.filter((q) => q.expect === k).length).toBeGreaterThan(20);
    expect(a.requests[0].expect).toBe("miss");
    // A paraphrase's vector is close to its original's, unrelated questions far.
    const sq = (x: number[], y: number[]) => x.reduce((s, v, i) => s + (v - y[i]) ** 2, 0);
    const para = a.requests.find((q) => q.expect === "semantic")!;
    const orig = a.requests.find((q) => q.expect === "miss" && `Echo: ${q.text}` === para.answer)!;
    expect(sq(a.vectors.get(para.text)!, a.vectors.get(orig.text)!)).toBeLessThan(0.02);
    const others = a.requests.filter((q) => q.expect === "miss" && q !== orig).map((q) => sq(a.vectors.get(q.text)!, a.vectors.get(orig.text)!));
    expect(Math.min(...others)).toBeGreaterThan(0.5);
  });

  it("40 requests through Envoy, Redis and Chroma: every outcome as expected, provider calls = new questions", async () => {
    const r = await replay(40, 5);
    const wrong = r.outcomes.filter((o) => o.got !== o.request.expect || !o.answerOk || o.status !== 200 || o.providerCalled !== (o.request.expect === "miss"));
    expect(wrong.map((o) => ({ text: o.request.text, expect: o.request.expect, got: o.got, status: o.status, answerOk: o.answerOk }))).toEqual([]);
    expect(r.providerCalls).toBe(r.expectedProviderCalls);
    expect(r.outcomes.some((o) => o.got === "semantic" && o.request.stream)).toBe(true);
  }, 180_000);
});
