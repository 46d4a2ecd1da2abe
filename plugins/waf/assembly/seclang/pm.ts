// @pm / @pmFromFile as one Aho-Corasick automaton over the phrases (ASCII case-insensitive, on
// byte strings): a value is read once, whatever the number of phrases, as ModSecurity's acmp does.
// The trie is flattened into arrays: each node's children are a contiguous run of (byte, node)
// edges, the root has a direct 256-entry table, and failure and dictionary-suffix links make a
// scan O(length of the value). The first match found is the one that ends first (acmp's rule);
// among phrases ending there, the longest.

// @ts-ignore: decorator
@inline function lowerByte(c: i32): i32 { return c >= 65 && c <= 90 ? c + 32 : c & 0xff; }

export class PhraseMatcher {
  private rootNext: StaticArray<i32> = new StaticArray<i32>(256);
  private edgeStart: StaticArray<i32>;
  private edgeCount: StaticArray<i32>;
  private edgeByte: StaticArray<u8>;
  private edgeNode: StaticArray<i32>;
  private fail: StaticArray<i32>;
  /** The phrase ending at a node (longest), or -1. */
  private out: StaticArray<i32>;
  /** The nearest node on the failure chain that ends a phrase (0: none). */
  private dict: StaticArray<i32>;
  private phrases: Array<string>;
  private lastEnd: i32 = 0;

  /** `phrases` in lower case; empty ones and ones with characters above 0xff (never in a byte string) are left out. */
  constructor(phrases: Array<string>) {
    this.phrases = phrases;
    // Build a pointer trie first: children as (byte, node) lists.
    const kids = new Array<Array<i32>>(); // per node: [byte, node, byte, node, …]
    const out = new Array<i32>();
    kids.push([]);
    out.push(-1);
    for (let p = 0; p < phrases.length; p++) {
      const s = phrases[p];
      if (s.length == 0) continue;
      let ok = true;
      for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) { ok = false; break; }
      if (!ok) continue;
      let node = 0;
      for (let i = 0; i < s.length; i++) {
        const c = lowerByte(s.charCodeAt(i));
        const k = kids[node];
        let next = -1;
        for (let e = 0; e < k.length; e += 2) if (k[e] == c) { next = k[e + 1]; break; }
        if (next < 0) {
          next = kids.length;
          kids.push([]);
          out.push(-1);
          k.push(c);
          k.push(next);
        }
        node = next;
      }
      if (out[node] < 0) out[node] = p;
    }
    const n = kids.length;
    let edges = 0;
    for (let i = 0; i < n; i++) edges += kids[i].length >> 1;
    this.edgeStart = new StaticArray<i32>(n);
    this.edgeCount = new StaticArray<i32>(n);
    this.edgeByte = new StaticArray<u8>(edges);
    this.edgeNode = new StaticArray<i32>(edges);
    this.fail = new StaticArray<i32>(n);
    this.out = new StaticArray<i32>(n);
    this.dict = new StaticArray<i32>(n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const k = kids[i];
      this.edgeStart[i] = at;
      this.edgeCount[i] = k.length >> 1;
      for (let e = 0; e < k.length; e += 2) { this.edgeByte[at] = <u8>k[e]; this.edgeNode[at] = k[e + 1]; at++; }
      this.out[i] = out[i];
    }
    const root = kids[0];
    for (let e = 0; e < root.length; e += 2) this.rootNext[root[e]] = root[e + 1];
    // Failure links, breadth first.
    const queue = new Array<i32>();
    for (let e = 0; e < root.length; e += 2) queue.push(root[e + 1]);
    for (let qi = 0; qi < queue.length; qi++) {
      const u = queue[qi];
      const s = this.edgeStart[u], cnt = this.edgeCount[u];
      for (let e = s; e < s + cnt; e++) {
        const c = <i32>this.edgeByte[e];
        const v = this.edgeNode[e];
        this.fail[v] = this.step(this.fail[u], c);
        const f = this.fail[v];
        this.dict[v] = this.out[f] >= 0 ? f : this.dict[f];
        queue.push(v);
      }
    }
  }

  /** The automaton's move from `state` on byte `c` (following failure links). */
  private step(state: i32, c: i32): i32 {
    while (state != 0) {
      const s = unchecked(this.edgeStart[state]), cnt = unchecked(this.edgeCount[state]);
      for (let e = s; e < s + cnt; e++) if (<i32>unchecked(this.edgeByte[e]) == c) return unchecked(this.edgeNode[e]);
      state = unchecked(this.fail[state]);
    }
    return unchecked(this.rootNext[c]);
  }

  /** The index (in the constructor's list) of the first phrase found in the byte string `input`, or -1. */
  find(input: string): i32 {
    const n = input.length;
    const base = changetype<usize>(input);
    let state = 0;
    for (let i = 0; i < n; i++) {
      state = this.step(state, lowerByte(<i32>load<u16>(base + (<usize>i << 1))));
      if (state == 0) continue;
      let o = unchecked(this.out[state]);
      if (o < 0) {
        const d = unchecked(this.dict[state]);
        if (d == 0) continue;
        o = unchecked(this.out[d]);
      }
      this.lastEnd = i + 1;
      return o;
    }
    return -1;
  }

  /** The text the last successful `find` matched, as the value wrote it (for `capture`). */
  matchedText(input: string, phrase: i32): string {
    const m = this.phrases[phrase].length;
    return input.substring(this.lastEnd - m, this.lastEnd);
  }
}
