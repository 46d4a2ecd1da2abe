// UTF-8 helpers that never trap. AssemblyScript's String.UTF8.decode does not trap either, but it
// turns invalid bytes into garbage code units; gateways need the WHATWG behaviour (U+FFFD per
// maximal invalid subpart, exactly what TextDecoder and every browser do) or a strict check.

/** Decodes UTF-8 bytes at [ptr, ptr+len) like TextDecoder: invalid sequences become U+FFFD. */
export function decodeUtf8Lossy(ptr: usize, len: i32): string {
  if (len <= 0) return "";
  // Every input byte yields at most one UTF-16 unit (4-byte sequences give 2 units for 4 bytes).
  const out = __new(<usize>len << 1, idof<string>());
  let o = out;
  const end = ptr + <usize>len;
  let p = ptr;
  while (p < end) {
    const b = <u32>load<u8>(p);
    if (b < 0x80) { store<u16>(o, <u16>b); o += 2; p++; continue; }
    const n = utf8SequenceLength(p, end);
    if (n <= 0) {
      // -n bytes form the maximal invalid subpart; it becomes one replacement character.
      store<u16>(o, 0xFFFD); o += 2; p += <usize>(n == 0 ? 1 : -n);
      continue;
    }
    let cp: u32;
    if (n == 2) cp = (b & 0x1F) << 6 | (<u32>load<u8>(p, 1) & 0x3F);
    else if (n == 3) cp = (b & 0x0F) << 12 | (<u32>load<u8>(p, 1) & 0x3F) << 6 | (<u32>load<u8>(p, 2) & 0x3F);
    else cp = (b & 0x07) << 18 | (<u32>load<u8>(p, 1) & 0x3F) << 12 | (<u32>load<u8>(p, 2) & 0x3F) << 6 | (<u32>load<u8>(p, 3) & 0x3F);
    if (cp < 0x10000) { store<u16>(o, <u16>cp); o += 2; }
    else {
      const c = cp - 0x10000;
      store<u16>(o, <u16>(0xD800 | (c >> 10)));
      store<u16>(o, <u16>(0xDC00 | (c & 0x3FF)), 2);
      o += 4;
    }
    p += <usize>n;
  }
  return changetype<string>(__renew(out, o - out));
}

/** Decodes a whole buffer like TextDecoder (lossy). */
export function decodeUtf8(bytes: ArrayBuffer): string {
  return decodeUtf8Lossy(changetype<usize>(bytes), bytes.byteLength);
}

/**
 * The length (2..4) of the valid multi-byte sequence starting at p (whose first byte is >= 0x80),
 * or minus the length of the maximal invalid subpart to replace (0 meaning 1 byte).
 */
// @ts-ignore: decorator
@inline
export function utf8SequenceLength(p: usize, end: usize): i32 {
  const b = <u32>load<u8>(p);
  let need: i32;
  let lo: u32 = 0x80, hi: u32 = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) need = 1;
  else if (b >= 0xE0 && b <= 0xEF) { need = 2; if (b == 0xE0) lo = 0xA0; else if (b == 0xED) hi = 0x9F; }
  else if (b >= 0xF0 && b <= 0xF4) { need = 3; if (b == 0xF0) lo = 0x90; else if (b == 0xF4) hi = 0x8F; }
  else return 0;
  let q = p + 1;
  for (let i = 0; i < need; i++) {
    if (q >= end) return -(<i32>(q - p));
    const c = <u32>load<u8>(q);
    if (c < lo || c > hi) return -(<i32>(q - p));
    lo = 0x80; hi = 0xBF;
    q++;
  }
  return need + 1;
}

/** True when [ptr, ptr+len) is well-formed UTF-8 (what TextDecoder with fatal: true accepts). */
export function isValidUtf8(ptr: usize, len: i32): bool {
  const end = ptr + <usize>len;
  let p = ptr;
  while (p < end) {
    if (load<u8>(p) < 0x80) { p++; continue; }
    const n = utf8SequenceLength(p, end);
    if (n <= 0) return false;
    p += <usize>n;
  }
  return true;
}
