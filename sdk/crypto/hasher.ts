// The streaming shape every Merkle–Damgård hash here shares: buffer input into blocks, compress
// full blocks, pad with 0x80, zeros and the bit length. Subclasses supply the compression
// function and the digest layout.
import { toBytes } from "../encoding/bytes";

export class Hasher {
  /** Bytes per block (64 for MD5/SHA-1/SHA-256, 128 for SHA-384/512). */
  readonly blockSize: i32;
  /** Bytes of output. */
  readonly digestSize: i32;
  protected block: ArrayBuffer;
  protected fill: i32 = 0;
  protected total: u64 = 0;
  private lengthBytes: i32;
  private bigEndian: bool;

  constructor(blockSize: i32, digestSize: i32, lengthBytes: i32, bigEndian: bool) {
    this.blockSize = blockSize;
    this.digestSize = digestSize;
    this.lengthBytes = lengthBytes;
    this.bigEndian = bigEndian;
    this.block = new ArrayBuffer(blockSize);
  }

  // ---- overridden by each algorithm ----
  protected compress(ptr: usize): void { unreachable(); }
  protected initState(): void { unreachable(); }
  protected writeDigest(out: usize): void { unreachable(); }
  /** A fresh hasher of the same algorithm (used by HMAC). */
  clone(): Hasher { unreachable(); return this; }

  /** Starts over, discarding everything hashed so far. */
  reset(): this {
    this.initState();
    this.fill = 0;
    this.total = 0;
    return this;
  }

  /** Feeds a string (as UTF-8), an ArrayBuffer or a Uint8Array. */
  update<T>(data: T): this {
    const b = toBytes(data);
    this.updateRaw(b.dataStart, b.byteLength);
    return this;
  }

  /** Feeds `len` bytes at `ptr` (for callers that already hold raw memory). */
  updateRaw(ptr: usize, len: i32): void {
    if (len <= 0) return;
    this.total += <u64>len;
    const bs = this.blockSize;
    const blk = changetype<usize>(this.block);
    let off = 0;
    if (this.fill > 0) {
      const take = min(bs - this.fill, len);
      memory.copy(blk + <usize>this.fill, ptr, <usize>take);
      this.fill += take;
      off = take;
      if (this.fill < bs) return;
      this.compress(blk);
      this.fill = 0;
    }
    while (len - off >= bs) {
      this.compress(ptr + <usize>off);
      off += bs;
    }
    if (off < len) {
      memory.copy(blk, ptr + <usize>off, <usize>(len - off));
      this.fill = len - off;
    }
  }

  /** Pads, returns the digest, and resets the hasher for reuse. */
  finish(): ArrayBuffer {
    const bs = this.blockSize;
    const blk = changetype<usize>(this.block);
    const bits = this.total << 3;
    store<u8>(blk + <usize>this.fill, 0x80);
    this.fill++;
    if (this.fill > bs - this.lengthBytes) {
      memory.fill(blk + <usize>this.fill, 0, <usize>(bs - this.fill));
      this.compress(blk);
      this.fill = 0;
    }
    memory.fill(blk + <usize>this.fill, 0, <usize>(bs - this.fill));
    if (this.bigEndian) store<u64>(blk + <usize>(bs - 8), bswap<u64>(bits));
    else store<u64>(blk + <usize>(bs - this.lengthBytes), bits);
    this.compress(blk);
    const out = new ArrayBuffer(this.digestSize);
    this.writeDigest(changetype<usize>(out));
    this.reset();
    return out;
  }
}

/** The one-shot form of a hasher: `data` (a string as UTF-8, an ArrayBuffer or a Uint8Array) → digest. */
export function digestOf<T>(h: Hasher, data: T): ArrayBuffer {
  const b = toBytes(data);
  h.updateRaw(b.dataStart, b.byteLength);
  return h.finish();
}
