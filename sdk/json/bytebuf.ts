// A growable byte buffer: the one place that appends bytes for the JSON writer, in-place edits,
// SSE and event-stream codecs. Growth doubles, so appending n bytes costs O(n) overall.

export class ByteBuffer {
  private data: ArrayBuffer;
  length: i32 = 0;

  constructor(capacity: i32 = 64) {
    this.data = new ArrayBuffer(capacity < 16 ? 16 : capacity);
  }

  /** Address of the first byte; valid until the next append. */
  get ptr(): usize { return changetype<usize>(this.data); }

  /** Makes room for `extra` more bytes (ptr may change). */
  reserve(extra: i32): void {
    const need = this.length + extra;
    const cap = this.data.byteLength;
    if (need <= cap) return;
    let next = cap << 1;
    if (next < need) next = need;
    this.data = changetype<ArrayBuffer>(__renew(changetype<usize>(this.data), <usize>next));
  }

  clear(): void { this.length = 0; }

  /** Empties it, and lets storage grown past `keep` bytes go: a re-used buffer keeps no big answer alive between uses. */
  reset(keep: i32): void {
    this.length = 0;
    if (this.data.byteLength > keep) this.data = new ArrayBuffer(keep < 16 ? 16 : keep);
  }

  pushByte(b: u8): void {
    this.reserve(1);
    store<u8>(changetype<usize>(this.data) + <usize>this.length, b);
    this.length++;
  }

  pushBytes(src: usize, len: i32): void {
    if (len <= 0) return;
    this.reserve(len);
    memory.copy(changetype<usize>(this.data) + <usize>this.length, src, <usize>len);
    this.length += len;
  }

  pushBuffer(buf: ArrayBuffer): void {
    this.pushBytes(changetype<usize>(buf), buf.byteLength);
  }

  /** Appends an ASCII-only string (one byte per code unit). */
  pushAscii(s: string): void {
    const n = s.length;
    this.reserve(n);
    const dst = changetype<usize>(this.data) + <usize>this.length;
    const src = changetype<usize>(s);
    for (let i = 0; i < n; i++) store<u8>(dst + <usize>i, <u8>load<u16>(src + (<usize>i << 1)));
    this.length += n;
  }

  /** Appends a string as UTF-8 (lone surrogates as WTF-8, like String.UTF8.encode). */
  pushUtf8(s: string): void {
    const n = String.UTF8.byteLength(s);
    this.reserve(n);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, changetype<usize>(this.data) + <usize>this.length);
    this.length += n;
  }

  pushU32BE(v: u32): void {
    this.reserve(4);
    store<u32>(changetype<usize>(this.data) + <usize>this.length, bswap<u32>(v));
    this.length += 4;
  }

  /** Drops the first n bytes (keeps the rest at the front). */
  discard(n: i32): void {
    if (n <= 0) return;
    if (n >= this.length) { this.length = 0; return; }
    const base = changetype<usize>(this.data);
    memory.copy(base, base + <usize>n, <usize>(this.length - n));
    this.length -= n;
  }

  /** A copy of the bytes [start, end). */
  slice(start: i32, end: i32): ArrayBuffer {
    if (start < 0) start = 0;
    if (end > this.length) end = this.length;
    if (end <= start) return new ArrayBuffer(0);
    const out = new ArrayBuffer(end - start);
    memory.copy(changetype<usize>(out), changetype<usize>(this.data) + <usize>start, <usize>(end - start));
    return out;
  }

  /** A copy of all bytes. */
  toArrayBuffer(): ArrayBuffer { return this.slice(0, this.length); }

  /**
   * All bytes without a copy (a big body must not exist twice); the buffer starts empty again.
   * The unused capacity stays with the returned buffer until it is collected.
   */
  take(): ArrayBuffer {
    const out = changetype<ArrayBuffer>(__renew(changetype<usize>(this.data), <usize>this.length));
    this.data = new ArrayBuffer(16);
    this.length = 0;
    return out;
  }
}
