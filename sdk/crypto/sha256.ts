// SHA-256 and SHA-224 (FIPS 180-4).
import { Hasher, digestOf } from "./hasher";
import { sha2Compress, sha2Digest } from "./sha2";

const K256: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

// sha2Compress's rotation and shift amounts: σ0, σ1, Σ0, Σ1.
const ROT: StaticArray<u32> = [7, 18, 3, 17, 19, 10, 2, 13, 22, 6, 11, 25];

export class Sha256 extends Hasher {
  private h: StaticArray<u32> = new StaticArray<u32>(8);
  private w: StaticArray<u32> = new StaticArray<u32>(64);
  private is224: bool;

  constructor(is224: bool = false) {
    super(64, is224 ? 28 : 32, 8, true);
    this.is224 = is224;
    this.initState();
  }

  clone(): Hasher { return new Sha256(this.is224); }

  protected initState(): void {
    const h = this.h;
    if (this.is224) {
      h[0] = 0xc1059ed8; h[1] = 0x367cd507; h[2] = 0x3070dd17; h[3] = 0xf70e5939;
      h[4] = 0xffc00b31; h[5] = 0x68581511; h[6] = 0x64f98fa7; h[7] = 0xbefa4fa4;
    } else {
      h[0] = 0x6a09e667; h[1] = 0xbb67ae85; h[2] = 0x3c6ef372; h[3] = 0xa54ff53a;
      h[4] = 0x510e527f; h[5] = 0x9b05688c; h[6] = 0x1f83d9ab; h[7] = 0x5be0cd19;
    }
  }

  protected compress(p: usize): void { sha2Compress<u32>(this.h, this.w, K256, p, 64, ROT); }

  protected writeDigest(out: usize): void { sha2Digest<u32>(this.h, this.digestSize >> 2, out); }
}

/** SHA-256 of a string (UTF-8), ArrayBuffer or Uint8Array. */
export function sha256<T>(data: T): ArrayBuffer { return digestOf(new Sha256(), data); }

export function sha224<T>(data: T): ArrayBuffer { return digestOf(new Sha256(true), data); }
