// The proxy-wasm map encoding: u32 count, count × (u32 keyLen, u32 valueLen), then each key and
// value followed by a NUL byte. Envoy's parser requires the NULs and rejects more than 1024 pairs
// or 1 MiB, returning an empty map without an error, so we refuse to build such a map instead.

export class HeaderPair {
  constructor(public name: string, public value: string) {}
}

export class BytesPair {
  constructor(public name: ArrayBuffer, public value: ArrayBuffer) {}
}

export const MAX_PAIRS: i32 = 1024;
export const MAX_PAIRS_BYTES: i32 = 1 << 20;

/** Decodes a host map. Malformed input yields the pairs read before the fault, never a trap. */
export function decodePairs(buf: ArrayBuffer): Array<BytesPair> {
  const out = new Array<BytesPair>();
  const total = buf.byteLength;
  if (total < 4) return out;
  const base = changetype<usize>(buf);
  const count = load<u32>(base);
  if (count > <u32>MAX_PAIRS || <i64>4 + <i64>count * 8 > <i64>total) return out;
  let sizes = base + 4;
  let data = <i64>4 + <i64>count * 8;
  for (let i: u32 = 0; i < count; i++) {
    const klen = <i64>load<u32>(sizes);
    const vlen = <i64>load<u32>(sizes + 4);
    sizes += 8;
    if (data + klen + 1 + vlen + 1 > <i64>total) break;
    const key = buf.slice(<i32>data, <i32>(data + klen));
    data += klen + 1;
    const value = buf.slice(<i32>data, <i32>(data + vlen));
    data += vlen + 1;
    out.push(new BytesPair(key, value));
  }
  return out;
}

export function decodeStringPairs(buf: ArrayBuffer): Array<HeaderPair> {
  const raw = decodePairs(buf);
  const out = new Array<HeaderPair>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    out[i] = new HeaderPair(String.UTF8.decode(raw[i].name), String.UTF8.decode(raw[i].value));
  }
  return out;
}

/** Encodes pairs; returns null when the map would exceed what the host accepts. */
export function encodeBytesPairs(pairs: Array<BytesPair>): ArrayBuffer | null {
  const n = pairs.length;
  if (n > MAX_PAIRS) return null;
  let size: i64 = 4 + <i64>n * 8;
  for (let i = 0; i < n; i++) {
    size += <i64>pairs[i].name.byteLength + <i64>pairs[i].value.byteLength + 2;
  }
  if (size > <i64>MAX_PAIRS_BYTES) return null;
  const buf = new ArrayBuffer(<i32>size);
  const base = changetype<usize>(buf);
  store<u32>(base, <u32>n);
  let data = base + 4 + <usize>n * 8;
  for (let i = 0; i < n; i++) data = writePair(base + 4 + <usize>i * 8, data, pairs[i].name, pairs[i].value);
  return buf;
}

/**
 * One pair of a map being written: its two sizes at `sizes`, then key NUL value NUL at `data`;
 * returns the address after it. The map starts with the u32 count, then count × 8 bytes of sizes.
 */
export function writePair(sizes: usize, data: usize, k: ArrayBuffer, v: ArrayBuffer): usize {
  const kl = <usize>k.byteLength, vl = <usize>v.byteLength;
  store<u32>(sizes, <u32>kl);
  store<u32>(sizes + 4, <u32>vl);
  memory.copy(data, changetype<usize>(k), kl);
  store<u8>(data + kl, 0);
  memory.copy(data + kl + 1, changetype<usize>(v), vl);
  store<u8>(data + kl + 1 + vl, 0);
  return data + kl + vl + 2;
}

export function encodePairs(pairs: Array<HeaderPair>): ArrayBuffer | null {
  const raw = new Array<BytesPair>(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    raw[i] = new BytesPair(String.UTF8.encode(pairs[i].name), String.UTF8.encode(pairs[i].value));
  }
  return encodeBytesPairs(raw);
}
