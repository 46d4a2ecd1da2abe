// Restores masks in an answer as its bytes pass, however the provider or the network cut them.
// Bytes go out at once unless they could be the start of a mask that the next chunk completes:
// only that tail waits. Nothing else changes, so a stream without masks leaves byte-identical.
//
// In a streamed answer a model's tokens also cut a mask across two SSE events ("****@exa" in one
// delta, "mple.com" in the next). With `acrossEvents`, a match may leave one JSON string at its
// closing quote and go on in the next event's text string ("content" for OpenAI, "text" for
// Anthropic): the original then goes where the mask began, the bytes between the two strings
// stay as they were, and the rest of the mask is taken out of the second string.
import { ByteBuffer } from "@sluice/sdk/json";

const NONE: i32 = 0;
const PARTIAL: i32 = 1;
const FULL: i32 = 2;
/** How far past a string's end the next event's text string is looked for. */
const MAX_GAP: i32 = 4096;

const KEY_CONTENT = String.UTF8.encode("\"content\":");
const KEY_TEXT = String.UTF8.encode("\"text\":");

export class Restorer {
  private tokens: Array<ArrayBuffer> = [];
  private replacements: Array<ArrayBuffer> = [];
  /** firstByte[b]: some token starts with byte b (most positions are ruled out by one load). */
  private firstByte: StaticArray<bool> = new StaticArray<bool>(256);
  private held: ByteBuffer = new ByteBuffer(64);
  private out: ByteBuffer = new ByteBuffer(256);
  acrossEvents: bool = false;
  restored: i32 = 0;
  // The last match attempt: where it ended, and the [start, end) byte ranges of its gaps.
  private matchEnd: i32 = 0;
  private gaps: Array<i32> = [];

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
    const bestGaps = new Array<i32>();
    while (i < n) {
      if (!this.firstByte[load<u8>(base + <usize>i)]) { i++; continue; }
      let best = -1;
      let bestLen = 0;
      let bestEnd = 0;
      let waiting = false;
      for (let t = 0; t < this.tokens.length; t++) {
        const r = this.matchAt(base, i, n, this.tokens[t], last);
        if (r == FULL) {
          const len = this.tokens[t].byteLength;
          if (len > bestLen) {
            best = t; bestLen = len; bestEnd = this.matchEnd;
            bestGaps.length = 0;
            for (let g = 0; g < this.gaps.length; g++) bestGaps.push(this.gaps[g]);
          }
        } else if (r == PARTIAL) waiting = true;
      }
      if (waiting && (best < 0 || this.longerWaiting(base, i, n, bestLen, last))) { holdFrom = i; break; }
      if (best < 0) { i++; continue; }
      out.pushBytes(base + <usize>copied, i - copied);
      out.pushBuffer(this.replacements[best]);
      for (let g = 0; g < bestGaps.length; g += 2) out.pushBytes(base + <usize>bestGaps[g], bestGaps[g + 1] - bestGaps[g]);
      this.restored++;
      changed = true;
      i = bestEnd;
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

  /** A token longer than `found` bytes is still waiting for bytes at i. */
  private longerWaiting(base: usize, i: i32, n: i32, found: i32, last: bool): bool {
    for (let t = 0; t < this.tokens.length; t++) {
      if (this.tokens[t].byteLength <= found) continue;
      if (this.matchAt(base, i, n, this.tokens[t], last) == PARTIAL) return true;
    }
    return false;
  }

  /** Matches tok at i (across event gaps when allowed): NONE, PARTIAL (the data ran out) or FULL. */
  private matchAt(base: usize, i: i32, n: i32, tok: ArrayBuffer, last: bool): i32 {
    const tp = changetype<usize>(tok);
    const tn = tok.byteLength;
    let j = 0;
    let p = i;
    this.gaps.length = 0;
    while (j < tn) {
      if (p >= n) return last ? NONE : PARTIAL;
      const c = load<u8>(base + <usize>p);
      if (c == load<u8>(tp + <usize>j)) { p++; j++; continue; }
      if (!this.acrossEvents || c != 0x22 || j == 0) return NONE;
      // An escaped quote (odd run of backslashes before it) is text, not the string's end.
      let slashes = 0;
      while (p - 1 - slashes >= i && load<u8>(base + <usize>(p - 1 - slashes)) == 0x5c) slashes++;
      if ((slashes & 1) != 0) return NONE;
      // The string ends inside the token: the token may go on in the next event's text.
      const q = this.nextTextString(base, p, n);
      if (q == -1) return last ? NONE : PARTIAL;
      if (q < 0) return NONE;
      this.gaps.push(p);
      this.gaps.push(q);
      p = q;
    }
    this.matchEnd = p;
    return FULL;
  }

  /**
   * From the closing quote at p: the index just inside the next event's "content"/"text" string,
   * -1 when the data ends before it can be told, -2 when there is none (another kind of event
   * comes first, or the gap is too long).
   */
  private nextTextString(base: usize, p: i32, n: i32): i32 {
    // The end of this event: a blank line.
    let k = p + 1;
    let boundary = -1;
    while (k < n && k - p < MAX_GAP) {
      const c = load<u8>(base + <usize>k);
      if (c == 0x0a && k + 1 < n && load<u8>(base + <usize>k + 1) == 0x0a) { boundary = k + 2; break; }
      if (c == 0x0a && k + 2 < n && load<u8>(base + <usize>k + 1) == 0x0d && load<u8>(base + <usize>k + 2) == 0x0a) { boundary = k + 3; break; }
      k++;
    }
    if (boundary < 0) return k - p >= MAX_GAP ? -2 : -1;
    // The next event, up to its own end: its text string.
    k = boundary;
    while (k < n && k - p < MAX_GAP) {
      const c = load<u8>(base + <usize>k);
      if (c == 0x0a && k + 1 < n && (load<u8>(base + <usize>k + 1) == 0x0a || load<u8>(base + <usize>k + 1) == 0x0d)) return -2;
      if (c == 0x22) {
        const after = keyEnd(base, k, n);
        if (after == -1) return -1;
        if (after >= 0) return after;
      }
      k++;
    }
    return k - p >= MAX_GAP ? -2 : -1;
  }
}

/** At a quote: past `"content":"` or `"text":"` (one optional space), -1 if cut short, -2 if not. */
function keyEnd(base: usize, k: i32, n: i32): i32 {
  for (let w = 0; w < 2; w++) {
    const key = w == 0 ? KEY_CONTENT : KEY_TEXT;
    const len = key.byteLength;
    const avail = min(len, n - k);
    if (memory.compare(base + <usize>k, changetype<usize>(key), <usize>avail) != 0) continue;
    if (avail < len) return -1;
    let q = k + len;
    if (q < n && load<u8>(base + <usize>q) == 0x20) q++;
    if (q >= n) return -1;
    return load<u8>(base + <usize>q) == 0x22 ? q + 1 : -2;
  }
  return -2;
}
