// The proxy-wasm map encoding, parsed as strictly as cpp-host does (PairsUtil::toPairs): any
// violation, more than 1024 pairs or more than 1 MiB yields an empty map, silently.

export type BytePair = [Buffer, Buffer];

export const MAX_PAIRS = 1024;
export const MAX_PAIRS_BYTES = 1 << 20;

export function decodePairsStrict(data: Uint8Array): BytePair[] {
  if (data.length < 4 || data.length > MAX_PAIRS_BYTES) return [];
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = dv.getUint32(0, true);
  if (n > MAX_PAIRS) return [];
  let sizes = 4;
  let pos = 4 + n * 8;
  if (pos > data.length) return [];
  const out: BytePair[] = [];
  for (let i = 0; i < n; i++) {
    const ks = dv.getUint32(sizes, true);
    const vs = dv.getUint32(sizes + 4, true);
    sizes += 8;
    if (pos + ks + 1 > data.length || data[pos + ks] !== 0) return [];
    const k = Buffer.from(data.subarray(pos, pos + ks));
    pos += ks + 1;
    if (pos + vs + 1 > data.length || data[pos + vs] !== 0) return [];
    const v = Buffer.from(data.subarray(pos, pos + vs));
    pos += vs + 1;
    out.push([k, v]);
  }
  return out;
}

export function encodePairs(pairs: BytePair[]): Buffer {
  let size = 4;
  for (const [k, v] of pairs) size += 8 + k.length + v.length + 2;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(pairs.length, 0);
  let sizes = 4;
  let pos = 4 + pairs.length * 8;
  for (const [k, v] of pairs) {
    out.writeUInt32LE(k.length, sizes);
    out.writeUInt32LE(v.length, sizes + 4);
    sizes += 8;
    k.copy(out, pos);
    pos += k.length + 1;
    v.copy(out, pos);
    pos += v.length + 1;
  }
  return out;
}

export type HeaderInput = [string | Uint8Array, string | Uint8Array][] | Record<string, string>;

const bytes = (x: string | Uint8Array) => (typeof x === "string" ? Buffer.from(x, "utf8") : Buffer.from(x));

/** ASCII lower-casing, like Envoy's LowerCaseString (bytes ≥ 0x80 are left alone). */
export function asciiLower(b: Buffer): Buffer {
  // latin1 maps bytes 1:1, and toLowerCase only changes A-Z there… except for bytes ≥ 0xc0, so
  // only lower-case when every byte is ASCII; otherwise fall back to a byte loop.
  const s = b.toString("latin1");
  if (!/[A-Z]/.test(s)) return b;
  if (/^[\x00-\x7f]*$/.test(s)) return Buffer.from(s.toLowerCase(), "latin1");
  const out = Buffer.from(b);
  for (let i = 0; i < out.length; i++) if (out[i] >= 0x41 && out[i] <= 0x5a) out[i] += 32;
  return out;
}

export function toBytePairs(h: HeaderInput | undefined, lowerCase = true): BytePair[] {
  if (!h) return [];
  const entries: [string | Uint8Array, string | Uint8Array][] = Array.isArray(h) ? h : Object.entries(h);
  return entries.map(([k, v]) => [lowerCase ? asciiLower(bytes(k)) : bytes(k), bytes(v)]);
}

export function toStringPairs(p: BytePair[]): [string, string][] {
  return p.map(([k, v]) => [k.toString("utf8"), v.toString("utf8")]);
}
