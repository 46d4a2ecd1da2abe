// opa's `timeout` against Go itself: each duration is parsed by Go's time.ParseDuration (a
// throwaway Go program run once with `go run`; Go is a bootstrap requirement) and loaded into
// the plugin on the emulator, both targets. Where Go fails, the plugin must refuse with
// "timeout parse fail: " and Go's own error text; where Go parses, the call must carry Go's
// Duration.Milliseconds() as its timeout — or the plugin refuses what Higress would turn into a
// wrapped or zero timeout (negative, under 1ms, over 2^32-1 ms), saying so.
import { describe, it, expect, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pluginWasm } from "../../../harness/src/index.js";
import { Emulator, type HttpCall } from "../../../harness/src/emulator/index.js";

const DURATIONS = [
  "5s", "300ms", "1m30s", "1.5h", "1h2m3.004005006s", "2h45m", "+5s", "-1s", "-0", "+0", "0", "0s", "00s",
  ".5s", "5.s", ".s", "1.0000000000000000000001s", "0.9999999999999999999999ms", "1.5ms", "1µs", "1μs", "1us", "1000000ns", "999999ns",
  "9223372036854775807ns", "9223372036854775808ns", "9223372036854775807000ns", "2562047h47m16.854775807s", "2562048h",
  "1193h2m47.295s", "1193h2m47.296s", "4294967295ms", "4294967296ms",
  "5", "5sec", "5S", "1e3s", "5 s", " 5s", "5s ", "abc", "1h-1m", "1.5.5s", "-", "+", "1m1", "s", "ms5", ".", "1..5s", "3.000000000000000000000000000000001h",
];

/** Go's verdict per duration: the error text, or the Duration's nanoseconds and milliseconds. */
function goVerdicts(): { error?: string; ns?: string; ms?: string }[] {
  const dir = mkdtempSync(join(tmpdir(), "sluice-go-duration-"));
  try {
    const prog = join(dir, "main.go");
    writeFileSync(prog, `package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

func main() {
	var in []string
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	out := []map[string]string{}
	for _, s := range in {
		d, err := time.ParseDuration(s)
		if err != nil {
			out = append(out, map[string]string{"error": err.Error()})
			continue
		}
		out = append(out, map[string]string{"ns": fmt.Sprint(d.Nanoseconds()), "ms": fmt.Sprint(d.Milliseconds())})
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
`);
    const stdout = execFileSync("nice", ["go", "run", prog], { input: JSON.stringify(DURATIONS), cwd: dir, env: { ...process.env, GO111MODULE: "off" }, timeout: 240_000 });
    return JSON.parse(stdout.toString());
  } catch (e) {
    throw new Error(`could not run Go's time.ParseDuration (Go is needed, see scripts/bootstrap.sh): ${(e as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the plugin must do with Go's verdict. */
function expected(v: { error?: string; ns?: string; ms?: string }, timeout: string): { refused: string } | { ms: number } {
  if (v.error !== undefined) return { refused: `timeout parse fail: ${v.error}` };
  const ns = BigInt(v.ns!);
  const ms = BigInt(v.ms!);
  if (ns < 0n) return { refused: `timeout '${timeout}' is negative` };
  if (ms === 0n) return { refused: `timeout '${timeout}' is less than 1ms` };
  if (ms > 4294967295n) return { refused: `timeout '${timeout}' is longer than 4294967295ms` };
  return { ms: Number(ms) };
}

let verdicts: ReturnType<typeof goVerdicts> = [];
beforeAll(() => {
  verdicts = goVerdicts();
  expect(verdicts.length).toBe(DURATIONS.length);
}, 300_000);

for (const target of ["envoy", "higress"] as const) {
  describe(`opa's timeout is Go's time.ParseDuration (emulator, ${target})`, () => {
    it.each(DURATIONS.map((d, i) => [JSON.stringify(d), d, i] as const))("%s", async (_name, timeout, i) => {
      const want = expected(verdicts[i], timeout);
      const config = { policy: "authz", timeout, serviceSource: "ip", serviceName: "opa", servicePort: 8181 };
      const calls: HttpCall[] = [];
      const load = Emulator.load(pluginWasm("opa", target), {
        target,
        config,
        pluginName: "opa",
        clusters: {
          "outbound|8181||opa.static": (call: HttpCall) => {
            calls.push(call);
            return { status: 200, headers: { "content-type": "application/json" }, body: '{"result":true}' };
          },
        },
      });
      if ("refused" in want) {
        const failure = await load.then(
          () => null,
          (e: Error) => e.message,
        );
        expect(failure).toContain("plugin start failed");
        expect(failure).toContain(want.refused);
        return;
      }
      const host = await load;
      const r = await host.request({ path: "/x" });
      expect(r.status).toBe(200);
      expect(calls.map((c) => c.timeoutMs)).toEqual([want.ms]);
      expect(host.traps).toEqual([]);
      host.close();
    });
  });
}
