// Metrics the module defines and changes, with Envoy's rules per metric type.
import { MetricType, Status } from "./abi.js";
import type { HostContext, HostFunctions } from "./types.js";

export class Metrics {
  readonly defs = new Map<number, { name: string; type: MetricType }>();
  /** Values by `${type}:${name}`: defining a metric twice shares its value. */
  readonly values = new Map<string, bigint>();
  private nextId = 1;

  define(type: MetricType, name: string): number {
    const id = this.nextId++;
    this.defs.set(id, { name, type });
    const key = `${type}:${name}`;
    if (!this.values.has(key)) this.values.set(key, 0n);
    return id;
  }

  /** A metric by the name the plugin defined (without Envoy's wasmcustom prefix). */
  byName(name: string): bigint | undefined {
    for (const t of [MetricType.Counter, MetricType.Gauge, MetricType.Histogram]) {
      const v = this.values.get(`${t}:${name}`);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  all(): Record<string, bigint> {
    const out: Record<string, bigint> = {};
    for (const [k, v] of this.values) out[k.slice(k.indexOf(":") + 1)] = v;
    return out;
  }
}

export function metricImports(h: HostContext, metrics: Metrics): HostFunctions {
  const { defs, values } = metrics;
  return {
    proxy_define_metric(type: number, nPtr: number, nLen: number, retId: number) {
      const name = h.mem.readStr(nPtr, nLen);
      if (name === null) return Status.InvalidMemoryAccess;
      if (type > MetricType.Histogram) return Status.BadArgument;
      return h.mem.writeU32(retId, metrics.define(type, name)) ? Status.Ok : Status.InvalidMemoryAccess;
    },
    proxy_increment_metric(id: number, delta: bigint) {
      const m = defs.get(id >>> 0);
      if (!m) return Status.NotFound;
      const key = `${m.type}:${m.name}`;
      if (m.type === MetricType.Histogram) return Status.BadArgument;
      if (m.type === MetricType.Counter && delta <= 0n) return Status.BadArgument;
      values.set(key, values.get(key)! + delta);
      return Status.Ok;
    },
    proxy_record_metric(id: number, value: bigint) {
      const m = defs.get(id >>> 0);
      if (!m) return Status.NotFound;
      const key = `${m.type}:${m.name}`;
      const v = BigInt.asUintN(64, value);
      // Envoy: a counter's record adds, a gauge's sets, a histogram's records one sample.
      if (m.type === MetricType.Counter) values.set(key, values.get(key)! + v);
      else if (m.type === MetricType.Gauge) values.set(key, v);
      else values.set(key, v);
      return Status.Ok;
    },
    proxy_get_metric(id: number, ret: number) {
      const m = defs.get(id >>> 0);
      if (!m) return Status.NotFound;
      if (m.type === MetricType.Histogram) return Status.BadArgument;
      return h.mem.writeU64(ret, values.get(`${m.type}:${m.name}`)!) ? Status.Ok : Status.InvalidMemoryAccess;
    },
  };
}
