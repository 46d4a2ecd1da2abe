// Byte views over the three input shapes the SDK accepts: string (UTF-8), ArrayBuffer, Uint8Array.
// Generic so that call sites need no conversions; the branch is chosen at compile time.
import { hasByte } from "../json/swar";

/** A Uint8Array view of `data` (strings are UTF-8 encoded; buffers are wrapped, not copied). */
export function toBytes<T>(data: T): Uint8Array {
  if (isString<T>()) {
    return Uint8Array.wrap(String.UTF8.encode(changetype<string>(data)));
  } else if (idof<T>() == idof<Uint8Array>()) {
    return changetype<Uint8Array>(data);
  } else if (idof<T>() == idof<ArrayBuffer>()) {
    return Uint8Array.wrap(changetype<ArrayBuffer>(data));
  } else {
    ERROR("toBytes: expected string, ArrayBuffer or Uint8Array");
    return new Uint8Array(0);
  }
}

/** A copy of the viewed bytes as a fresh ArrayBuffer. */
export function bytesToBuffer(b: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(b.byteLength);
  memory.copy(changetype<usize>(out), b.dataStart, <usize>b.byteLength);
  return out;
}

/** Concatenates two byte views into a new buffer. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  memory.copy(out.dataStart, a.dataStart, <usize>a.length);
  memory.copy(out.dataStart + <usize>a.length, b.dataStart, <usize>b.length);
  return out;
}

/** True when `ascii` (ASCII only) occurs in [ptr, ptr+len): a quick pre-check before a slower path. */
export function containsAscii(ptr: usize, len: i32, ascii: string): bool {
  const n = ascii.length;
  if (n == 0) return true;
  const first = <u8>ascii.charCodeAt(0);
  const last = len - n;
  for (let i = 0; i <= last; i++) {
    if (load<u8>(ptr + <usize>i) != first) continue;
    let j = 1;
    while (j < n && load<u8>(ptr + <usize>(i + j)) == <u8>ascii.charCodeAt(j)) j++;
    if (j == n) return true;
  }
  return false;
}

/** Index of the first CR or LF in [from, len) of the bytes at ptr, or len (eight bytes at a time). */
export function findLineBreak(ptr: usize, len: i32, from: i32): i32 {
  let i = from;
  while (i + 8 <= len) {
    const w = load<u64>(ptr + <usize>i);
    if (hasByte(w, 0x0a) || hasByte(w, 0x0d)) break;
    i += 8;
  }
  while (i < len) {
    const c = load<u8>(ptr + <usize>i);
    if (c == 0x0a || c == 0x0d) return i;
    i++;
  }
  return len;
}
