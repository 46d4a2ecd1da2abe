// Which log lines belong to one request, found the way go-ftw finds them: a marker request
// (`X-CRS-Test: <id>-s`) before it and another (`<id>-e`) after it, each logged by the WAF's
// marker rule (CRS test rule 999999). The lines between the two marker lines are the request's.
// Once the end marker is in the log, everything the request logged (phase 5 included) is there
// too, so no read depends on when the log was flushed.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { exchange } from "./waf-wire.js";

export const MARKER_HEADER = "X-CRS-Test";

/** A WAF under test: where to send requests, and what it logged for a marked request. */
export interface WafTarget {
  readonly host: string;
  readonly port: number;
  /** Sends the start marker for `marker` and waits until the WAF logged it. */
  begin(marker: string): Promise<void>;
  /** Sends the end marker, waits for it, and returns the log lines between the two markers. */
  logFor(marker: string): Promise<string>;
  /** The rule ids logged for the marked request (ModSecurity's `[id "…"]`). */
  idsFor(marker: string): Promise<Set<number>>;
}

/** go-ftw's rule-id pattern (waflog/read.go): ModSecurity's `[id "N"]`, also JSON-escaped. */
const ID_RE = /\[(?:id |\\?"id\\?":)\\?"(\d+)\\?"\]/g;

export function ruleIds(log: string): Set<number> {
  const out = new Set<number>();
  for (const m of log.matchAll(ID_RE)) out.add(Number(m[1]));
  return out;
}

/** go-ftw's marker request, byte for byte (runner/run.go buildMarkerRequest + autocomplete). */
export function markerRequest(id: string, host = "localhost"): Buffer {
  return Buffer.from(`GET /status/200 HTTP/1.1\r\nAccept: */*\r\nUser-Agent: go-ftw test agent\r\nHost: ${host}\r\n${MARKER_HEADER}: ${id}\r\nConnection: close\r\n\r\n`, "latin1");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads a growing log file from where it last stopped and splits it at marker lines. */
export class MarkedLog implements Pick<WafTarget, "begin" | "logFor" | "idsFor"> {
  private offset: number;
  private pending = "";
  private logs = new Map<string, string>();

  /** `file`: the WAF's log; markers go to host:port. Reading starts at the file's current end. */
  constructor(private file: string, private host: string, private port: number, private opts: { retries?: number; pollsPerTry?: number } = {}) {
    this.offset = statSync(file).size;
  }

  async begin(marker: string): Promise<void> {
    await this.mark(`${marker}-s`);
  }

  async logFor(marker: string): Promise<string> {
    let log = this.logs.get(marker);
    if (log === undefined) {
      log = await this.mark(`${marker}-e`);
      // Only the last few stay: the runner asks right after each request.
      if (this.logs.size > 64) this.logs.delete(this.logs.keys().next().value as string);
      this.logs.set(marker, log);
    }
    return log;
  }

  async idsFor(marker: string): Promise<Set<number>> {
    return ruleIds(await this.logFor(marker));
  }

  /** Sends the marker until its line is in the log (bounded, like go-ftw's maxmarkerretries); returns the text logged before it. */
  private async mark(id: string): Promise<string> {
    const retries = this.opts.retries ?? 20;
    const polls = this.opts.pollsPerTry ?? 10;
    for (let attempt = 0; attempt < retries; attempt++) {
      await exchange(this.host, this.port, markerRequest(id)).catch(() => undefined);
      for (let p = 0; p < polls; p++) {
        const before = this.take(id);
        if (before !== undefined) return before;
        await sleep(5 * (p + 1));
      }
    }
    throw new Error(`the WAF never logged the marker ${MARKER_HEADER}: ${id} in ${this.file} (is the marker rule loaded?)`);
  }

  private take(id: string): string | undefined {
    this.readNew();
    const lines = this.pending.split("\n");
    // The last element is an incomplete line (or ""): never match a half-written marker line.
    for (let i = 0; i < lines.length - 1; i++) {
      const l = lines[i];
      if (l.includes(id) && l.toLowerCase().includes(MARKER_HEADER.toLowerCase())) {
        this.pending = lines.slice(i + 1).join("\n");
        return lines.slice(0, i).join("\n");
      }
    }
    return undefined;
  }

  private readNew(): void {
    const size = statSync(this.file).size;
    if (size <= this.offset) return;
    const fd = openSync(this.file, "r");
    try {
      const buf = Buffer.alloc(size - this.offset);
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      // latin1 keeps every byte one char, so offsets stay exact whatever the WAF logged.
      this.pending += buf.subarray(0, n).toString("latin1");
    } finally {
      closeSync(fd);
    }
  }
}
