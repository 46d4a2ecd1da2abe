// Typed access to one header map (request/response headers or trailers) of the current stream.
// String and bytes twins; `null` when a header is missing. Names are matched lower-case, as
// Envoy stores them.
import { MapType, Status } from "../abi/types";
import * as host from "../runtime/hostcalls";
import { HeaderPair, BytesPair } from "../runtime/pairs";
import { headerKey } from "../runtime/header-names";

export class HeaderMap {
  constructor(public readonly type: MapType) {}

  /** The first value of `name`, or null. */
  get(name: string): string | null { return host.getHeader(this.type, headerKey(name)); }
  getBytes(name: string): ArrayBuffer | null { return host.getHeaderBytes(this.type, headerKey(name)); }
  has(name: string): bool { return this.getBytes(name) !== null; }

  /** Every value of a repeated header, in order (Envoy's single-value lookup returns only the first). */
  getAll(name: string): Array<string> {
    const lower = name.toLowerCase();
    const pairs = host.getHeaderPairs(this.type);
    const out = new Array<string>();
    for (let i = 0; i < pairs.length; i++) {
      if (pairs[i].name == lower) out.push(pairs[i].value);
    }
    return out;
  }

  /** Replaces every value of `name` with one value (adds it when missing). */
  set(name: string, value: string): Status { return host.replaceHeaderBytes(this.type, headerKey(name), String.UTF8.encode(value)); }
  setBytes(name: string, value: ArrayBuffer): Status { return host.replaceHeaderBytes(this.type, headerKey(name), value); }
  /** Adds a value, keeping existing ones. */
  add(name: string, value: string): Status { return host.addHeaderBytes(this.type, headerKey(name), String.UTF8.encode(value)); }
  addBytes(name: string, value: ArrayBuffer): Status { return host.addHeaderBytes(this.type, headerKey(name), value); }
  remove(name: string): Status { return host.removeHeader(this.type, headerKey(name)); }

  /** All pairs in order, duplicates included. */
  pairs(): Array<HeaderPair> { return host.getHeaderPairs(this.type); }
  pairsBytes(): Array<BytesPair> { return host.getHeaderPairsBytes(this.type); }
  /** Replaces the whole map. */
  setPairs(pairs: Array<HeaderPair>): Status { return host.setHeaderPairs(this.type, pairs); }

  /**
   * Every pair as it is now, read in one host call: later lookups (`has`, `getBytes`) cost no host
   * call. A plugin that reads several headers and removes some that are usually absent takes one
   * snapshot instead of a call per name (`removeIn(snapshot, name)` removes only what was there).
   */
  snapshot(): HeaderSnapshot { return new HeaderSnapshot(host.getHeaderPairsBytes(this.type)); }

  /** Removes `name` when the snapshot saw it (no host call otherwise). */
  removeIn(snapshot: HeaderSnapshot, name: string): void { if (snapshot.has(name)) this.remove(name); }
}

/** The pairs of a header map at one moment (HeaderMap.snapshot); names are lower-case as the host keeps them. */
export class HeaderSnapshot {
  constructor(public readonly pairs: Array<BytesPair>) {}

  private find(name: string): i32 {
    const k = headerKey(name);
    const n = k.byteLength;
    for (let i = 0; i < this.pairs.length; i++) {
      const p = unchecked(this.pairs[i]).name;
      if (p.byteLength == n && memory.compare(changetype<usize>(p), changetype<usize>(k), <usize>n) == 0) return i;
    }
    return -1;
  }

  has(name: string): bool { return this.find(name) >= 0; }
  /** The first value of `name`, or null. */
  getBytes(name: string): ArrayBuffer | null { const i = this.find(name); return i < 0 ? null : unchecked(this.pairs[i]).value; }
  get(name: string): string | null { const b = this.getBytes(name); return b === null ? null : String.UTF8.decode(b); }
}

export const requestHeaders = new HeaderMap(MapType.HttpRequestHeaders);
export const requestTrailers = new HeaderMap(MapType.HttpRequestTrailers);
export const responseHeaders = new HeaderMap(MapType.HttpResponseHeaders);
export const responseTrailers = new HeaderMap(MapType.HttpResponseTrailers);
