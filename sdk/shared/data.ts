// Shared data: a key/value store shared by every VM with the same vm_id in the process (all
// worker threads). Each value carries a CAS version; a set with a stale CAS is refused with
// Status.CasMismatch instead of silently overwriting someone else's update.
import { Status } from "../abi/types";
import * as host from "../runtime/hostcalls";

export class SharedEntry {
  constructor(
    /** Ok, NotFound (no such key) or another host refusal. */
    public status: Status,
    public value: ArrayBuffer,
    /** The version to pass to a compare-and-swap set; 0 when the key is missing. */
    public cas: u32,
  ) {}
  get found(): bool { return this.status == Status.Ok; }
  get text(): string { return String.UTF8.decode(this.value); }
}

export namespace sharedData {
  /** Reads `key`. A missing key gives status NotFound and cas 0. */
  export function get(key: string): SharedEntry {
    const v = host.getSharedData(key);
    if (v === null) return new SharedEntry(Status.NotFound, new ArrayBuffer(0), 0);
    return new SharedEntry(Status.Ok, v.value, v.cas);
  }

  /** Writes `key`. `cas` 0 writes unconditionally; otherwise only if the value is still at that
   *  version (else Status.CasMismatch). */
  export function set(key: string, value: ArrayBuffer, cas: u32 = 0): Status {
    return host.setSharedData(key, value, cas);
  }

  export function setText(key: string, value: string, cas: u32 = 0): Status {
    return host.setSharedData(key, String.UTF8.encode(value), cas);
  }

  /** Adds `delta` to a decimal counter with a CAS retry loop; returns the new value, or null when
   *  the host kept refusing (after `attempts` CAS conflicts) or the stored value is not a number. */
  export function increment(key: string, delta: i64, attempts: i32 = 8): Box<i64> | null {
    for (let i = 0; i < attempts; i++) {
      const cur = get(key);
      let n: i64 = 0;
      if (cur.found && cur.value.byteLength > 0) {
        const t = cur.text;
        const parsed = i64.parse(t, 10);
        if (parsed.toString() != t) return null;
        n = parsed;
      }
      const next = n + delta;
      const st = set(key, String.UTF8.encode(next.toString()), cur.cas);
      if (st == Status.Ok) return new Box<i64>(next);
      if (st != Status.CasMismatch) return null;
    }
    return null;
  }
}

/** A value in a box (so "no value" can be null). */
export class Box<T> {
  constructor(public value: T) {}
}
