// The real Chroma server the harness starts for ai-cache: it answers the v2 API on a loopback
// port (a stored vector is found again, nearest first), and stop() leaves no process behind.
import { describe, it, expect } from "vitest";
import { ChromaServer } from "../src/chroma.js";

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

describe("ChromaServer", () => {
  it("serves the v2 API, finds the nearest stored vector, and stops without leaving a process", async () => {
    const c = await ChromaServer.start();
    const pid = (c as unknown as { proc: { pid: number } }).proc.pid;
    try {
      const id = await c.createCollection("harness-check");
      await c.add(id, ["near", "far"], [[1, 0, 0, 0], [0, 1, 0, 0]], ["answer near", "answer far"]);
      expect(await c.count(id)).toBe(2);
      const q = await c.query(id, [0.9, 0.1, 0, 0], 2);
      expect(q.ids[0]).toEqual(["near", "far"]);
      expect(q.documents![0]).toEqual(["answer near", "answer far"]);
      expect(q.distances![0][0]).toBeCloseTo(0.02, 5); // squared L2, Chroma's default space
      // v1 is gone in chromadb ≥ 1.0 (what Higress's ai-cache still calls).
      const v1 = await fetch(`${c.url}/api/v1/collections/${id}/query`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(v1.ok).toBe(false);
    } finally {
      await c.stop();
    }
    expect(alive(pid)).toBe(false);
  });
});
