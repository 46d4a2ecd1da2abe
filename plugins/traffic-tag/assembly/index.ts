// traffic-tag: adds a tag header so routes can split traffic (canary, blue/green), as Higress's
// traffic-tag does — the first condition group that matches tags the request; if none does, a
// weighted draw among the weight groups; if that picks nothing, the default tag.
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, registerPlugin, randomBytes, log } from "@sluice/sdk";
import { TagConfig, parseTagConfig, TOTAL_WEIGHT } from "./config";
import { groupMatches } from "./match";
export * from "@sluice/sdk/exports";

class TrafficTag extends Plugin<TagConfig> {
  parseConfig(json: JsonObject, global: TagConfig | null, err: ConfigError): TagConfig | null {
    return parseTagConfig(json, err);
  }
  newFilter(): HttpFilter<TagConfig> { return new TrafficTagFilter(); }
}

/** A draw in [0, 100) from 8 bytes of the host's randomness (Higress: rand.Uint64() % 100). */
function draw(): i64 {
  const b = new ArrayBuffer(8);
  if (!randomBytes(b)) return 0;
  return <i64>(load<u64>(changetype<usize>(b)) % <u64>TOTAL_WEIGHT);
}

class TrafficTagFilter extends HttpFilter<TagConfig> {
  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    for (let i = 0; i < c.conditionGroups.length; i++) {
      const g = c.conditionGroups[i];
      if (groupMatches(g, this.requestHeaders)) {
        this.tag(g.headerName, g.headerValue);
        return Action.Continue;
      }
    }
    if (c.weightGroups.length > 0) {
      const r = draw();
      for (let i = 0; i < c.weightGroups.length; i++) {
        const w = c.weightGroups[i];
        if (r < w.accumulate) {
          this.tag(w.headerName, w.headerValue);
          return Action.Continue;
        }
      }
    }
    if (c.defaultTagKey.length > 0 && c.defaultTagVal.length > 0) this.tag(c.defaultTagKey, c.defaultTagVal);
    return Action.Continue;
  }

  /** Higress adds the header only when the request does not already carry a non-empty one. */
  private tag(name: string, value: string): void {
    const existing = this.requestHeaders.get(name);
    if (existing !== null && existing.length > 0) {
      log.info("ADD HEADER failed: " + name + " already exists, value: " + existing);
      return;
    }
    this.requestHeaders.add(name, value);
    log.info("ADD HEADER: " + name + ", value: " + value);
  }
}

registerPlugin("traffic-tag", () => new TrafficTag());
