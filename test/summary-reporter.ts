// Prints one closing line, "tests: N passed, N failed, N skipped", that CI reads.
import type { Reporter, File, Task } from "vitest";

function count(tasks: Task[], acc: { passed: number; failed: number; skipped: number }): void {
  for (const t of tasks) {
    if (t.type === "suite") count(t.tasks, acc);
    else if (t.result?.state === "pass") acc.passed++;
    else if (t.result?.state === "fail") acc.failed++;
    else acc.skipped++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: File[] = [], errors: unknown[] = []): void {
    const acc = { passed: 0, failed: 0, skipped: 0 };
    count(files, acc);
    // A file that failed to load counts as a failure even though it ran no test.
    const broken = files.filter((f) => f.result?.state === "fail" && f.tasks.length === 0).length + errors.length;
    console.log(`tests: ${acc.passed} passed, ${acc.failed + broken} failed, ${acc.skipped} skipped`);
  }
}
