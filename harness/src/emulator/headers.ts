// A header map that behaves like Envoy's: keys lower-cased, pseudo-headers kept in front,
// lookups return the first of repeated headers, byteSize = sum of key and value lengths.
import { asciiLower, type BytePair } from "./pairs.js";

export class HeaderMap {
  pairs: BytePair[];

  constructor(pairs: BytePair[] = []) {
    this.pairs = [];
    for (const [k, v] of pairs) this.add(k, v);
  }

  get size(): number {
    return this.pairs.length;
  }

  get byteSize(): number {
    let n = 0;
    for (const [k, v] of this.pairs) n += k.length + v.length;
    return n;
  }

  get(key: Buffer | string): Buffer | undefined {
    const k = asciiLower(typeof key === "string" ? Buffer.from(key) : key);
    for (const [pk, pv] of this.pairs) if (pk.equals(k)) return pv;
    return undefined;
  }

  getAll(key: string): Buffer[] {
    const k = asciiLower(Buffer.from(key));
    return this.pairs.filter(([pk]) => pk.equals(k)).map(([, v]) => v);
  }

  add(key: Buffer, value: Buffer): void {
    const k = asciiLower(key);
    if (k[0] === 0x3a /* ':' */) {
      let i = 0;
      while (i < this.pairs.length && this.pairs[i][0][0] === 0x3a) i++;
      this.pairs.splice(i, 0, [k, value]);
    } else {
      this.pairs.push([k, value]);
    }
  }

  /** Envoy's setCopy: the first entry takes the value, the other duplicates go. */
  replace(key: Buffer, value: Buffer): void {
    const k = asciiLower(key);
    const i = this.pairs.findIndex(([pk]) => pk.equals(k));
    if (i < 0) return this.add(k, value);
    this.pairs[i] = [this.pairs[i][0], Buffer.from(value)];
    this.pairs = this.pairs.filter(([pk], j) => j <= i || !pk.equals(k));
  }

  remove(key: Buffer): void {
    const k = asciiLower(key);
    this.pairs = this.pairs.filter(([pk]) => !pk.equals(k));
  }

  setAll(pairs: BytePair[]): void {
    this.pairs = [];
    for (const [k, v] of pairs) this.add(k, v);
  }

  clone(): HeaderMap {
    const m = new HeaderMap();
    m.pairs = this.pairs.map(([k, v]) => [Buffer.from(k), Buffer.from(v)]);
    return m;
  }

  toStrings(): [string, string][] {
    return this.pairs.map(([k, v]) => [k.toString("utf8"), v.toString("utf8")]);
  }
}
