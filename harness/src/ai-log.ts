// Envoy's access log as the AI plugins' tests read it: one line per request, its x-request-id,
// status and the ai_log filter state that ai-statistics (and plugins before it) wrote — escaped
// once, as Higress writes it for a JSON access log.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class AiLogFile {
  readonly path: string;
  /** The access-log format for the bootstrap (`spec.accessLog = { path, format }`). */
  readonly format = "%REQ(X-REQUEST-ID)% %RESPONSE_CODE% %FILTER_STATE(wasm.ai_log:PLAIN)%";

  constructor(prefix: string) {
    this.path = join(mkdtempSync(join(tmpdir(), prefix)), "access.log");
  }

  /** ai_log of the request with this id; undefined while its line is not written or has none. */
  read(id: string): Record<string, any> | undefined {
    if (!existsSync(this.path)) return undefined;
    for (const l of readFileSync(this.path, "utf8").split("\n")) {
      const [rid, , ...rest] = l.split(" ");
      if (rid === id && rest.join(" ") !== "-") return JSON.parse(JSON.parse(`"${rest.join(" ")}"`));
    }
    return undefined;
  }

  /** ai_log of every id, polled until all are written (bounded: ~16 s); missing ids are absent. */
  async readAll(ids: string[]): Promise<Map<string, Record<string, any>>> {
    const out = new Map<string, Record<string, any>>();
    for (let i = 0; i < 80; i++) {
      for (const id of ids) {
        if (out.has(id)) continue;
        const v = this.read(id);
        if (v !== undefined) out.set(id, v);
      }
      if (ids.every((x) => out.has(x))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return out;
  }
}
