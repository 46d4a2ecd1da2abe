// Typed access to one header map (request/response headers or trailers) of the current stream.
// String and bytes twins; `null` when a header is missing. Names are matched lower-case, as
// Envoy stores them.
import { MapType, Status } from "../abi/types";
import * as host from "../runtime/hostcalls";
import { HeaderPair, BytesPair, MAX_PAIRS } from "../runtime/pairs";
import { headerKey } from "../runtime/header-names";
import { logState, requestIdFrom } from "../runtime/logstate";

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
  snapshot(): HeaderSnapshot {
    const snap = new HeaderSnapshot(host.getHeaderMapEncoded(this.type));
    // The request's id for log lines is in it: no host call for it later.
    const ctx = logState.stream;
    if (this.type == MapType.HttpRequestHeaders && ctx !== null && !ctx.requestIdRead && logState.effective == ctx.id && snap.count > 0) requestIdFrom(ctx, snap.getBytes("x-request-id"));
    return snap;
  }

  /** Removes `name` when the snapshot saw it (no host call otherwise). */
  removeIn(snapshot: HeaderSnapshot, name: string): void { if (snapshot.has(name)) this.remove(name); }
}

/**
 * The pairs of a header map at one moment (HeaderMap.snapshot): the host's encoded map as it was
 * read, with one offset per pair. Nothing is copied per header: a name is compared where it lies,
 * and a value becomes an ArrayBuffer or a string only when asked for. Names are lower-case as the
 * host keeps them. A malformed map (it never comes from Envoy) yields the pairs before the fault.
 */
export class HeaderSnapshot {
  private readonly buf: ArrayBuffer;
  /** Per pair: the offset of its name in `buf` (its value follows the name's NUL). */
  private readonly offsets: StaticArray<u32>;
  /** How many pairs were read. */
  readonly count: i32;
  private cached: Array<BytesPair> | null = null;

  constructor(encoded: ArrayBuffer) {
    this.buf = encoded;
    const total = <i64>encoded.byteLength;
    const base = changetype<usize>(encoded);
    let n: i32 = 0;
    let offsets = new StaticArray<u32>(0);
    if (total >= 4) {
      const declared = load<u32>(base);
      if (declared <= <u32>MAX_PAIRS && <i64>4 + <i64>declared * 8 <= total) {
        offsets = new StaticArray<u32>(<i32>declared);
        let data = <i64>4 + <i64>declared * 8;
        for (let i: i32 = 0; i < <i32>declared; i++) {
          const sizes = base + 4 + (<usize>i << 3);
          const end = data + <i64>load<u32>(sizes) + 1 + <i64>load<u32>(sizes, 4) + 1;
          if (end > total) break;
          unchecked(offsets[i] = <u32>data);
          data = end;
          n++;
        }
      }
    }
    this.offsets = offsets;
    this.count = n;
  }

  @inline private nameLength(i: i32): i32 { return <i32>load<u32>(changetype<usize>(this.buf) + 4 + (<usize>i << 3)); }
  @inline private valueLength_(i: i32): i32 { return <i32>load<u32>(changetype<usize>(this.buf) + 4 + (<usize>i << 3), 4); }
  @inline private namePtr(i: i32): usize { return changetype<usize>(this.buf) + <usize>unchecked(this.offsets[i]); }
  @inline private valuePtr(i: i32): usize { return this.namePtr(i) + <usize>this.nameLength(i) + 1; }

  /** True when pair `i`'s name is exactly `key` (lower-case UTF-8 bytes). */
  nameIs(i: i32, key: ArrayBuffer): bool {
    if (i < 0 || i >= this.count) return false;
    const n = key.byteLength;
    return this.nameLength(i) == n && memory.compare(this.namePtr(i), changetype<usize>(key), <usize>n) == 0;
  }

  /** The index of the first pair named `name` at or after `from`, or -1. */
  indexOf(name: string, from: i32 = 0): i32 {
    const k = headerKey(name);
    const n = k.byteLength;
    const kp = changetype<usize>(k);
    for (let i = max(from, 0); i < this.count; i++) {
      if (this.nameLength(i) == n && memory.compare(this.namePtr(i), kp, <usize>n) == 0) return i;
    }
    return -1;
  }

  has(name: string): bool { return this.indexOf(name) >= 0; }
  /** The first value of `name` (a copy), or null. */
  getBytes(name: string): ArrayBuffer | null { const i = this.indexOf(name); return i < 0 ? null : this.valueBytes(i); }
  /** The first value of `name` as text (AssemblyScript's UTF-8 decoding), or null. */
  get(name: string): string | null { const i = this.indexOf(name); return i < 0 ? null : this.value(i); }

  /** Pair `i`'s name as text. */
  name(i: i32): string { return i < 0 || i >= this.count ? "" : String.UTF8.decodeUnsafe(this.namePtr(i), <usize>this.nameLength(i)); }
  /** Pair `i`'s value as text. */
  value(i: i32): string { return i < 0 || i >= this.count ? "" : String.UTF8.decodeUnsafe(this.valuePtr(i), <usize>this.valueLength_(i)); }
  /** The byte length of pair `i`'s value. */
  valueLength(i: i32): i32 { return i < 0 || i >= this.count ? 0 : this.valueLength_(i); }
  /** Pair `i`'s value as bytes (a copy the caller may keep). */
  valueBytes(i: i32): ArrayBuffer {
    if (i < 0 || i >= this.count) return new ArrayBuffer(0);
    const off = <i32>(this.valuePtr(i) - changetype<usize>(this.buf));
    return this.buf.slice(off, off + this.valueLength_(i));
  }

  /** Every pair as a BytesPair (built on first use, then kept). */
  get pairs(): Array<BytesPair> {
    let c = this.cached;
    if (c === null) {
      c = new Array<BytesPair>(this.count);
      for (let i = 0; i < this.count; i++) {
        const off = <i32>(this.namePtr(i) - changetype<usize>(this.buf));
        unchecked(c[i] = new BytesPair(this.buf.slice(off, off + this.nameLength(i)), this.valueBytes(i)));
      }
      this.cached = c;
    }
    return c;
  }
}

export const requestHeaders = new HeaderMap(MapType.HttpRequestHeaders);
export const requestTrailers = new HeaderMap(MapType.HttpRequestTrailers);
export const responseHeaders = new HeaderMap(MapType.HttpResponseHeaders);
export const responseTrailers = new HeaderMap(MapType.HttpResponseTrailers);
