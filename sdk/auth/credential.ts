// Credentials as the client sent them: bytes, not strings. AssemblyScript's String.UTF8.decode
// drops a trailing invalid byte and folds overlong forms (\xc1\xa1 → 'a'), so a key compared
// after decoding matches byte strings that are not the key. Everything here reads bytes from the
// host and turns them into text only when they are well-formed UTF-8: invalid input never matches.
import { HeaderMap } from "../api/headers";
import { BytesPair } from "../runtime/pairs";
import { isValidUtf8, decodeUtf8 } from "../json/utf8";

/** `b` as text when it is well-formed UTF-8, else null (never a lossy guess). */
export function utf8Strict(b: ArrayBuffer): string | null {
  if (!isValidUtf8(changetype<usize>(b), b.byteLength)) return null;
  return String.UTF8.decode(b);
}

/** Byte equality for names (not secrets: use findSecret or constantTimeEqual for those). */
export function bytesEqual(a: ArrayBuffer, b: ArrayBuffer): bool {
  const n = a.byteLength;
  if (n != b.byteLength) return false;
  return memory.compare(changetype<usize>(a), changetype<usize>(b), <usize>n) == 0;
}

/** Every value of header `name` as bytes, in order (a repeated header gives several). */
export function headerValuesBytes(map: HeaderMap, name: string): Array<ArrayBuffer> {
  const h = map.snapshot();
  const out = new Array<ArrayBuffer>();
  for (let i = h.indexOf(name); i >= 0; i = h.indexOf(name, i + 1)) out.push(h.valueBytes(i));
  return out;
}

/**
 * Every value of header `name` as text, in order; null when any value is not well-formed UTF-8
 * (the caller refuses the request rather than reading a value the client did not send).
 */
export function headerValuesStrict(map: HeaderMap, name: string): Array<string> | null {
  const raw = headerValuesBytes(map, name);
  const out = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const s = utf8Strict(raw[i]);
    if (s === null) return null;
    out[i] = s;
  }
  return out;
}

/**
 * Every value of header `name` as text, each invalid UTF-8 sequence replaced by U+FFFD (as
 * TextDecoder does). For values that are parsed, not compared: a token whose grammar is ASCII
 * (a JWT) is never valid with U+FFFD in it, and a bad byte elsewhere (another cookie) does not
 * swallow the characters after it, as String.UTF8.decode does.
 */
export function headerValuesReplacing(map: HeaderMap, name: string): Array<string> {
  const raw = headerValuesBytes(map, name);
  const out = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = decodeUtf8(raw[i]);
  return out;
}

function hexVal(c: u32): i32 {
  if (c >= 48 && c <= 57) return <i32>c - 48;
  if (c >= 97 && c <= 102) return <i32>c - 87;
  if (c >= 65 && c <= 70) return <i32>c - 55;
  return -1;
}

/** %XX escapes (and '+' as space) decoded to bytes; null on a truncated or non-hex escape. */
function percentDecodeRange(p: usize, len: i32): ArrayBuffer | null {
  const out = new ArrayBuffer(len);
  const o = changetype<usize>(out);
  let j = 0;
  for (let i = 0; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == 37) {
      if (i + 2 >= len) return null;
      const hi = hexVal(<u32>load<u8>(p + <usize>i + 1)), lo = hexVal(<u32>load<u8>(p + <usize>i + 2));
      if (hi < 0 || lo < 0) return null;
      store<u8>(o + <usize>j, <u8>((hi << 4) | lo));
      j++;
      i += 2;
    } else {
      store<u8>(o + <usize>j, c == 43 ? 32 : <u8>c);
      j++;
    }
  }
  return out.slice(0, j);
}

function indexOfByte(p: usize, from: i32, end: i32, b: u8): i32 {
  for (let i = from; i < end; i++) if (load<u8>(p + <usize>i) == b) return i;
  return -1;
}

/**
 * The query of a request path (`:path` bytes) as Go's url.ParseQuery reads it, on bytes: pairs
 * split on '&', names and values percent-decoded with '+' as space; a pair with ';' or a bad
 * escape is skipped. Decoded bytes are returned as they are, valid UTF-8 or not.
 */
export function queryParamsBytes(path: ArrayBuffer): Array<BytesPair> {
  const out = new Array<BytesPair>();
  const p = changetype<usize>(path);
  const n = path.byteLength;
  const q = indexOfByte(p, 0, n, 63 /* ? */);
  if (q < 0) return out;
  let end = indexOfByte(p, q + 1, n, 35 /* # */);
  if (end < 0) end = n;
  let start = q + 1;
  while (start <= end) {
    let amp = indexOfByte(p, start, end, 38 /* & */);
    if (amp < 0) amp = end;
    const partEnd = amp;
    const partStart = start;
    start = amp + 1;
    if (partEnd == partStart || indexOfByte(p, partStart, partEnd, 59 /* ; */) >= 0) continue;
    const eq = indexOfByte(p, partStart, partEnd, 61 /* = */);
    const nameEnd = eq < 0 ? partEnd : eq;
    const name = percentDecodeRange(p + <usize>partStart, nameEnd - partStart);
    const value = eq < 0 ? new ArrayBuffer(0) : percentDecodeRange(p + <usize>eq + 1, partEnd - eq - 1);
    if (name === null || value === null) continue;
    out.push(new BytesPair(name, value));
  }
  return out;
}
