// Restores masks in an answer as its bytes pass, however the provider or the network cut them.
// Bytes go out at once unless they could be the start of a mask that the next chunk completes:
// only that tail waits. Nothing else changes, so a stream without masks leaves byte-identical.
import { ByteBuffer } from "@sluice/sdk/json";

export class Restorer {
  private tokens: Array<ArrayBuffer> = [];
  private replacements: Array<ArrayBuffer> = [];
  /** firstByte[b]: some token starts with byte b (most positions are ruled out by one load). */
  private firstByte: StaticArray<bool> = new StaticArray<bool>(256);
  private held: ByteBuffer = new ByteBuffer(64);
  private out: ByteBuffer = new ByteBuffer(256);
  restored: i32 = 0;

  add(token: ArrayBuffer, replacement: ArrayBuffer): void {
    if (token.byteLength == 0) return;
    this.tokens.push(token);
    this.replacements.push(replacement);
    this.firstByte[load<u8>(changetype<usize>(token))] = true;
  }

  get empty(): bool { return this.tokens.length == 0; }

  /** Bytes a held tail and this chunk release; null when that is exactly the chunk (send it as is). */
  push(chunk: ArrayBuffer, last: bool): ArrayBuffer | null {
    let base: usize;
    let n: i32;
    const fresh = this.held.length == 0;
    if (fresh) {
      base = changetype<usize>(chunk);
      n = chunk.byteLength;
    } else {
      this.held.pushBuffer(chunk);
      base = this.held.ptr;
      n = this.held.length;
    }
    const out = this.out;
    out.clear();
    let copied = 0; // bytes [copied, i) are plain and not yet in out
    let i = 0;
    let holdFrom = -1;
    let changed = false;
    while (i < n) {
      if (!this.firstByte[load<u8>(base + <usize>i)]) { i++; continue; }
      let best = -1;
      let bestLen = 0;
      let waiting = false;
      for (let t = 0; t < this.tokens.length; t++) {
        const tok = this.tokens[t];
        const len = tok.byteLength;
        const avail = min(len, n - i);
        if (memory.compare(base + <usize>i, changetype<usize>(tok), <usize>avail) != 0) continue;
        if (avail == len) { if (len > bestLen) { best = t; bestLen = len; } }
        else if (!last) waiting = true; // a longer token may still complete here
      }
      if (waiting && (best < 0 || this.longerPossible(base, i, n, bestLen))) { holdFrom = i; break; }
      if (best < 0) { i++; continue; }
      out.pushBytes(base + <usize>copied, i - copied);
      out.pushBuffer(this.replacements[best]);
      this.restored++;
      changed = true;
      i += bestLen;
      copied = i;
    }
    const end = holdFrom >= 0 ? holdFrom : n;
    if (fresh && !changed && holdFrom < 0) return null;
    out.pushBytes(base + <usize>copied, end - copied);
    const result = out.toArrayBuffer();
    if (holdFrom >= 0) {
      const tail = new ArrayBuffer(n - holdFrom);
      memory.copy(changetype<usize>(tail), base + <usize>holdFrom, <usize>(n - holdFrom));
      this.held.clear();
      this.held.pushBuffer(tail);
    } else this.held.clear();
    return result;
  }

  /** A token longer than the complete one found at i is still a prefix match of the rest. */
  private longerPossible(base: usize, i: i32, n: i32, found: i32): bool {
    for (let t = 0; t < this.tokens.length; t++) {
      const len = this.tokens[t].byteLength;
      if (len <= found || len <= n - i) continue;
      if (memory.compare(base + <usize>i, changetype<usize>(this.tokens[t]), <usize>(n - i)) == 0) return true;
    }
    return false;
  }
}
