// Prints one closing line, "tests: N passed, N failed, N skipped", that CI reads. And a stall
// report: when no test has started or finished for STALL_MS, it prints the test files still
// running and the process tree under vitest (state, kernel wait channel, command), so a run that
// hangs leaves in CI's log what it hung on. It only prints; a passing run never sees it.
import type { Reporter, File, Task, TestModule } from "vitest";
import { execFileSync } from "node:child_process";

function count(tasks: Task[], acc: { passed: number; failed: number; skipped: number }): void {
  for (const t of tasks) {
    if (t.type === "suite") count(t.tasks, acc);
    else if (t.result?.state === "pass") acc.passed++;
    else if (t.result?.state === "fail") acc.failed++;
    else acc.skipped++;
  }
}

// Longer than any test's own bound (the fuzz test's 420 s), so a slow test is not reported.
const STALL_MS = Number(process.env.SLUICE_STALL_MS) || 8 * 60_000;

/** This vitest process and everything under it, one line each, indented by depth. */
function processTree(): string {
  try {
    const out = execFileSync("ps", ["-eo", "pid=,ppid=,stat=,wchan:24=,etime=,time=,args="], { encoding: "utf8", timeout: 10_000 });
    const rows = out.split("\n").filter(Boolean).map((l) => {
      const [pid, ppid, ...rest] = l.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), text: l.trim().slice(0, 240) };
    });
    const lines: string[] = [];
    const walk = (pid: number, depth: number) => {
      const row = rows.find((r) => r.pid === pid);
      if (row) lines.push("  ".repeat(depth) + row.text);
      for (const c of rows.filter((r) => r.ppid === pid)) if (lines.length < 80) walk(c.pid, depth + 1);
    };
    walk(process.pid, 0);
    return "pid ppid stat wchan elapsed cpu command\n" + lines.join("\n");
  } catch (e) {
    return `(ps failed: ${String(e)})`;
  }
}

export default class SummaryReporter implements Reporter {
  private running = new Map<string, number>();
  private last = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;

  onInit(): void {
    this.timer = setInterval(() => this.checkStall(), Math.min(60_000, STALL_MS / 2));
    this.timer.unref();
  }

  onTestModuleStart(m: TestModule): void {
    this.running.set(m.moduleId, Date.now());
    this.last = Date.now();
  }

  onTestModuleEnd(m: TestModule): void {
    this.running.delete(m.moduleId);
    this.last = Date.now();
  }

  onTestCaseResult(): void {
    this.last = Date.now();
  }

  private checkStall(): void {
    const now = Date.now();
    if (now - this.last < STALL_MS) return;
    this.last = now; // one report per stalled period
    const files = [...this.running].map(([f, t]) => `  ${f} (running ${Math.round((now - t) / 1000)} s)`).join("\n");
    console.log(`\nstall: no test started or finished for ${Math.round(STALL_MS / 1000)} s; files running:\n${files || "  (none)"}\nprocesses:\n${processTree()}\n`);
  }

  onFinished(files: File[] = [], errors: unknown[] = []): void {
    if (this.timer) clearInterval(this.timer);
    const acc = { passed: 0, failed: 0, skipped: 0 };
    count(files, acc);
    // A file that failed to load counts as a failure even though it ran no test.
    const broken = files.filter((f) => f.result?.state === "fail" && f.tasks.length === 0).length + errors.length;
    console.log(`tests: ${acc.passed} passed, ${acc.failed + broken} failed, ${acc.skipped} skipped`);
  }
}
