// A minimal DER reader (bounds-checked, never traps) and the few DER writers needed to build
// SubjectPublicKeyInfo for keys that arrive as JWK.

export const TAG_INTEGER: u8 = 0x02;
export const TAG_BIT_STRING: u8 = 0x03;
export const TAG_OCTET_STRING: u8 = 0x04;
export const TAG_NULL: u8 = 0x05;
export const TAG_OID: u8 = 0x06;
export const TAG_SEQUENCE: u8 = 0x30;

/** One TLV: its tag and the bytes of its value. */
export class Der {
  constructor(public tag: u8, public value: Uint8Array) {}
}

/** Reads consecutive TLVs from a byte range. `ok` turns false on the first malformed one. */
export class DerReader {
  pos: i32 = 0;
  ok: bool = true;
  constructor(public buf: Uint8Array) {}

  get done(): bool { return this.pos >= this.buf.length; }

  /** The next TLV, or null (and ok = false) if it is malformed or missing. */
  next(): Der | null {
    const b = this.buf;
    const n = b.length;
    if (!this.ok || this.pos + 2 > n) { this.ok = false; return null; }
    const tag = b[this.pos];
    if ((tag & 0x1f) == 0x1f) { this.ok = false; return null; } // multi-byte tags: not needed here
    let len: i32 = <i32>b[this.pos + 1];
    let p = this.pos + 2;
    if (len & 0x80) {
      const count = len & 0x7f;
      if (count == 0 || count > 3 || p + count > n) { this.ok = false; return null; }
      len = 0;
      for (let i = 0; i < count; i++) len = (len << 8) | <i32>b[p + i];
      p += count;
      if (len < 0x80) { this.ok = false; return null; } // non-minimal length
    }
    if (len > n - p) { this.ok = false; return null; }
    this.pos = p + len;
    return new Der(tag, b.subarray(p, p + len));
  }

  /** The next TLV if it has `tag`, else null (and ok = false). */
  expect(tag: u8): Uint8Array | null {
    const d = this.next();
    if (d === null || d.tag != tag) { this.ok = false; return null; }
    return d.value;
  }
}

/** The content of a single TLV with `tag` that spans all of `b`, or null. */
export function derUnwrap(b: Uint8Array, tag: u8): Uint8Array | null {
  const r = new DerReader(b);
  const v = r.expect(tag);
  if (v === null || !r.done) return null;
  return v;
}

/** A positive INTEGER's magnitude (leading zero stripped); null if negative or malformed. */
export function derPositiveInteger(v: Uint8Array): Uint8Array | null {
  if (v.length == 0 || (v[0] & 0x80) != 0) return null;
  if (v.length > 1 && v[0] == 0) {
    if ((v[1] & 0x80) == 0) return null; // not minimal
    return v.subarray(1);
  }
  return v;
}

export function bytesEqual(a: Uint8Array, b: StaticArray<u8>): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

// ---- writing ----

function lengthBytes(len: i32): Array<u8> {
  const out = new Array<u8>();
  if (len < 0x80) { out.push(<u8>len); return out; }
  if (len < 0x100) { out.push(0x81); out.push(<u8>len); return out; }
  if (len < 0x10000) { out.push(0x82); out.push(<u8>(len >> 8)); out.push(<u8>len); return out; }
  out.push(0x83); out.push(<u8>(len >> 16)); out.push(<u8>(len >> 8)); out.push(<u8>len);
  return out;
}

export function derTlv(tag: u8, value: Uint8Array): Uint8Array {
  const lb = lengthBytes(value.length);
  const out = new Uint8Array(1 + lb.length + value.length);
  out[0] = tag;
  for (let i = 0; i < lb.length; i++) out[1 + i] = lb[i];
  out.set(value, 1 + lb.length);
  return out;
}

export function derConcat(parts: Array<Uint8Array>): Uint8Array {
  let n = 0;
  for (let i = 0; i < parts.length; i++) n += parts[i].length;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < parts.length; i++) { out.set(parts[i], o); o += parts[i].length; }
  return out;
}

/** A non-negative INTEGER from big-endian magnitude bytes. */
export function derInteger(mag: Uint8Array): Uint8Array {
  let i = 0;
  while (i < mag.length - 1 && mag[i] == 0) i++;
  const m = mag.subarray(i);
  if (m.length == 0) { const z = new Uint8Array(1); return derTlv(TAG_INTEGER, z); }
  if (m[0] & 0x80) {
    const v = new Uint8Array(m.length + 1);
    v.set(m, 1);
    return derTlv(TAG_INTEGER, v);
  }
  return derTlv(TAG_INTEGER, m);
}

export function derBitString(content: Uint8Array): Uint8Array {
  const v = new Uint8Array(content.length + 1); // 0 unused bits
  v.set(content, 1);
  return derTlv(TAG_BIT_STRING, v);
}

export function staticBytes(a: StaticArray<u8>): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i];
  return out;
}
