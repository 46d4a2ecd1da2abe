// SHA-1 (FIPS 180-4). Broken for collision resistance; here for HMAC-SHA1 and legacy signatures.
import { Hasher, digestOf } from "./hasher";

export class Sha1 extends Hasher {
  private h: StaticArray<u32> = new StaticArray<u32>(5);
  private w: StaticArray<u32> = new StaticArray<u32>(80);

  constructor() {
    super(64, 20, 8, true);
    this.initState();
  }

  clone(): Hasher { return new Sha1(); }

  protected initState(): void {
    const h = this.h;
    h[0] = 0x67452301; h[1] = 0xefcdab89; h[2] = 0x98badcfe; h[3] = 0x10325476; h[4] = 0xc3d2e1f0;
  }

  protected compress(p: usize): void {
    const w = changetype<usize>(this.w);
    for (let i: usize = 0; i < 16; i++) store<u32>(w + (i << 2), bswap<u32>(load<u32>(p + (i << 2))));
    for (let i: usize = 16; i < 80; i++) {
      const v = load<u32>(w + ((i - 3) << 2)) ^ load<u32>(w + ((i - 8) << 2)) ^ load<u32>(w + ((i - 14) << 2)) ^ load<u32>(w + ((i - 16) << 2));
      store<u32>(w + (i << 2), rotl<u32>(v, 1));
    }
    const H = this.h;
    let a = unchecked(H[0]), b = unchecked(H[1]), c = unchecked(H[2]), d = unchecked(H[3]), e = unchecked(H[4]);
    for (let i: usize = 0; i < 80; i++) {
      let f: u32, k: u32;
      if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
      else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
      else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
      else { f = b ^ c ^ d; k = 0xca62c1d6; }
      const t = rotl<u32>(a, 5) + f + e + k + load<u32>(w + (i << 2));
      e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t;
    }
    unchecked(H[0] += a); unchecked(H[1] += b); unchecked(H[2] += c); unchecked(H[3] += d); unchecked(H[4] += e);
  }

  protected writeDigest(out: usize): void {
    for (let i = 0; i < 5; i++) store<u32>(out + (<usize>i << 2), bswap<u32>(unchecked(this.h[i])));
  }
}

export function sha1<T>(data: T): ArrayBuffer { return digestOf(new Sha1(), data); }
