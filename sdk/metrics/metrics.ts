// Counters, gauges and histograms. Metrics are defined lazily on first use (never at the top
// level: Envoy runs module start-up in a restricted mode) and each tagged series' host id is
// cached. Envoy names a metric `wasmcustom.<name>`; /stats/prometheus strips the namespace and
// turns '.' into '_'. Envoy's Wasm host does not extract tags, so tags are encoded into the name
// Istio-style (`name_key=.=value;.;`, each tag led by '_') — what a `stats_tags` regex
// `(_key=\.=(.+?);\.;)` in the bootstrap turns into a Prometheus label; without one, the tags
// stay part of the (sanitized) metric name.
import { MetricType, Status } from "../abi/types";
import * as host from "../runtime/hostcalls";

/** Istio-style tags: `<name>_<k1>=.=<v1>;.;_<k2>=.=<v2>;.;` (no tags: the bare name). Each tag
 *  starts with '_' so one regex per key removes it whole, leaving the bare name. */
export function taggedName(name: string, tags: Array<string>): string {
  let out = name;
  for (let i = 0; i + 1 < tags.length; i += 2) out += "_" + tags[i] + "=.=" + tags[i + 1] + ";.;";
  return out;
}

/** The default of every `tags` parameter: one shared empty list, not a new one per call. */
const NO_TAGS: Array<string> = [];

/** Series of one metric: plain name → host id. Ids < 0 mean the host refused the name. */
abstract class Metric {
  private ids: Map<string, i64> = new Map<string, i64>();
  /** The untagged series' id once the host gave one (-1 before): no hashing of the name per use. */
  private plainId: i64 = -1;
  lastStatus: Status = Status.Ok;

  constructor(public readonly name: string, public readonly type: MetricType) {}

  /** The host id of a tagged series (key/value pairs: ["status", "200", "route", "r1"]). */
  protected id(tags: Array<string>): i64 {
    if (tags.length < 2) {
      if (this.plainId < 0) this.plainId = host.defineMetric(this.type, this.name); // a refusal is retried next time
      return this.plainId;
    }
    const full = taggedName(this.name, tags);
    if (this.ids.has(full)) return this.ids.get(full);
    const id = host.defineMetric(this.type, full);
    if (id >= 0) this.ids.set(full, id); // a refusal is retried next time, not cached
    return id;
  }

  protected done(st: Status): Status { this.lastStatus = st; return st; }
}

/** A monotonically increasing count (Envoy refuses increments ≤ 0). */
export class Counter extends Metric {
  constructor(name: string) { super(name, MetricType.Counter); }

  increment(delta: i64 = 1, tags: Array<string> = NO_TAGS): Status {
    if (delta <= 0) return this.done(Status.BadArgument);
    const id = this.id(tags);
    if (id < 0) return this.done(Status.BadArgument);
    return this.done(host.incrementMetric(<u32>id, delta));
  }

  /** Current value, or -1 when unknown. */
  value(tags: Array<string> = NO_TAGS): i64 {
    const id = this.id(tags);
    return id < 0 ? -1 : host.getMetric(<u32>id);
  }
}

/** A value that goes up and down. */
export class Gauge extends Metric {
  constructor(name: string) { super(name, MetricType.Gauge); }

  set(value: i64, tags: Array<string> = NO_TAGS): Status {
    const id = this.id(tags);
    if (id < 0) return this.done(Status.BadArgument);
    return this.done(host.recordMetric(<u32>id, <u64>value));
  }

  add(delta: i64, tags: Array<string> = NO_TAGS): Status {
    if (delta == 0) return Status.Ok;
    const id = this.id(tags);
    if (id < 0) return this.done(Status.BadArgument);
    return this.done(host.incrementMetric(<u32>id, delta));
  }

  value(tags: Array<string> = NO_TAGS): i64 {
    const id = this.id(tags);
    return id < 0 ? -1 : host.getMetric(<u32>id);
  }
}

/** A distribution (Envoy: record only; /stats/prometheus shows buckets, _sum and _count). */
export class Histogram extends Metric {
  constructor(name: string) { super(name, MetricType.Histogram); }

  record(value: u64, tags: Array<string> = NO_TAGS): Status {
    const id = this.id(tags);
    if (id < 0) return this.done(Status.BadArgument);
    return this.done(host.recordMetric(<u32>id, value));
  }
}
