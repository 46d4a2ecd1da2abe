// A one-pass pre-check on JSON bytes before they are parsed: may the text have a member with one
// of some names, at any depth? JSON spells a member name in only two ways: literally between
// quotes, or with \u escapes. So a text with no `"name"` for any of the names and no `\u` at all
// cannot have such a member anywhere, and a stream reader can skip the event instead of scanning
// it. "May" is conservative — the name may be a string value, not a key — and the caller then
// parses the text as before. A name can be marked as not counting when its value is the literal
// `null` (OpenAI sends `"finish_reason":null` in every chunk).
import { hasByte } from "./swar";

export class JsonKeyProbe {
  private names: Array<ArrayBuffer> = new Array<ArrayBuffer>();
  private nullIsAbsent: Array<bool> = new Array<bool>();

  /** `names` count whatever their value; `unlessNull` count unless their value is `null`. */
  constructor(names: Array<string>, unlessNull: Array<string> = new Array<string>()) {
    for (let i = 0; i < names.length; i++) { this.names.push(String.UTF8.encode(names[i])); this.nullIsAbsent.push(false); }
    for (let i = 0; i < unlessNull.length; i++) { this.names.push(String.UTF8.encode(unlessNull[i])); this.nullIsAbsent.push(true); }
  }

  /** False only when no object in the text can have one of the names (with a non-null value, for `unlessNull`). */
  mayHave(ptr: usize, len: i32): bool {
    const end = ptr + <usize>(len < 0 ? 0 : len);
    let p = ptr;
    while (p < end) {
      // eight bytes at a time past text with no quote and no backslash
      while (p + 8 <= end) {
        const w = load<u64>(p);
        if (hasByte(w, 0x22) || hasByte(w, 0x5c)) break;
        p += 8;
      }
      if (p >= end) break;
      const c = load<u8>(p);
      if (c == 0x5c) {
        if (p + 1 < end && load<u8>(p + 1) == 0x75) return true; // \u: a name could be spelled with it
        p += 2; // \" and the other escapes are not quotes
        continue;
      }
      if (c != 0x22) { p++; continue; }
      const at = this.nameAt(p + 1, end);
      if (at < 0) { p++; continue; }
      const q = this.nullAfter(p + 2 + <usize>unchecked(this.names[at]).byteLength, end);
      if (!unchecked(this.nullIsAbsent[at]) || q == 0) return true;
      p = q;
    }
    return false;
  }

  /** Index of the name whose bytes and closing quote start at p, or -1. */
  private nameAt(p: usize, end: usize): i32 {
    const ns = this.names;
    for (let i = 0; i < ns.length; i++) {
      const k = unchecked(ns[i]);
      const n = <usize>k.byteLength;
      if (p + n < end && load<u8>(p + n) == 0x22 && memory.compare(p, changetype<usize>(k), n) == 0) return i;
    }
    return -1;
  }

  /** After a name's closing quote at p: the address after `: null` (whitespace allowed), or 0 when the value is something else. */
  private nullAfter(p: usize, end: usize): usize {
    p = skipWs(p, end);
    if (p >= end || load<u8>(p) != 0x3a) return 0;
    p = skipWs(p + 1, end);
    return p + 4 <= end && load<u32>(p) == 0x6c6c756e ? p + 4 : 0;
  }
}

function skipWs(p: usize, end: usize): usize {
  while (p < end) {
    const c = load<u8>(p);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
    p++;
  }
  return p;
}
