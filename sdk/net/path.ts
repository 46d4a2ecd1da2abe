// Request-path normalisation for matching rules against the path an upstream will act on.
// A deny rule written for `/admin` must also see `/%61dmin`, `/x/..%2Fadmin` or `//admin`, which
// common upstreams resolve to `/admin`. The result is meant for comparison only; the request is
// forwarded unchanged. Where upstreams disagree, this resolves towards the reading that makes
// more paths equal to a rule (a deny rule then over-matches rather than misses):
//
//   1. The path ends at the first `?` or `#`: the query is not part of the path.
//   2. `;` path parameters (`/secret;jsessionid=1/x`) are dropped up to the next slash, raw or
//      encoded, as Tomcat, Jetty and Spring do.
//   3. Percent-encodings of unreserved characters (ALPHA DIGIT - . _ ~) are decoded
//      (RFC 3986 §6.2.2.2); other encodings keep their byte with upper-case hex (§6.2.2.1).
//      `%2F`, `%5C` and a raw `\` are path separators: many upstreams decode `%2F` before routing
//      (Envoy's UNESCAPE_AND_FORWARD, Tomcat's ALLOW_ENCODED_SLASH, most Node/Python routers)
//      and Windows-style servers split on `\`. A `%` not followed by two hex digits becomes `%25`.
//   4. Repeated slashes are merged (Envoy's `merge_slashes`, nginx's default).
//   5. `.` and `..` segments are removed (RFC 3986 §5.2.4; `..` above the root stays at the root).
//
// The result always begins with `/` and ends with `/` when the path did (or ended in a dot
// segment). Normalising is idempotent and never traps, whatever the bytes.

const SLASH: u8 = 0x2f;

@inline function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

@inline function hexDigit(v: i32): u8 {
  return <u8>(v < 10 ? 0x30 + v : 0x41 + v - 10);
}

/** RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
@inline function isUnreserved(c: i32): bool {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e;
}

/** The byte a `%XY` at i decodes to, or -1 when there is no valid escape there. */
@inline function escapeAt(p: usize, i: i32, n: i32): i32 {
  if (i + 2 >= n) return -1;
  const hi = hexValue(<i32>load<u8>(p + <usize>(i + 1)));
  const lo = hexValue(<i32>load<u8>(p + <usize>(i + 2)));
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}

/** Whether a separator (raw `/` or `\`, or `%2F` / `%5C`) starts at i. */
@inline function separatorAt(p: usize, i: i32, n: i32): bool {
  const c = <i32>load<u8>(p + <usize>i);
  if (c == 0x2f || c == 0x5c) return true;
  if (c != 0x25) return false;
  const v = escapeAt(p, i, n);
  return v == 0x2f || v == 0x5c;
}

/** Steps 1–3: the path before `?`/`#`, parameters dropped, escapes normalised, separators as `/`. */
function decodePath(src: ArrayBuffer): Uint8Array {
  const p = changetype<usize>(src);
  let n = src.byteLength;
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x3f || c == 0x23) { n = i; break; }
  }
  // An invalid `%` grows to `%25`: at most 3 output bytes per input byte.
  const out = new Uint8Array(n * 3 + 1);
  let o = 0;
  let i = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c == 0x3b) { // `;` parameter: skip to the next separator
      i++;
      while (i < n && !separatorAt(p, i, n)) i++;
      continue;
    }
    if (c == 0x5c) { out[o++] = SLASH; i++; continue; }
    if (c != 0x25) { out[o++] = <u8>c; i++; continue; }
    const v = escapeAt(p, i, n);
    if (v < 0) {
      out[o++] = 0x25; out[o++] = 0x32; out[o++] = 0x35;
      i++;
      continue;
    }
    if (isUnreserved(v)) out[o++] = <u8>v;
    else if (v == 0x2f || v == 0x5c) out[o++] = SLASH;
    else { out[o++] = 0x25; out[o++] = hexDigit(v >> 4); out[o++] = hexDigit(v & 15); }
    i += 3;
  }
  return out.subarray(0, o);
}

/** Normalises the request path `raw` (a `:path` value, query allowed) as described above. */
export function normalizePath(raw: ArrayBuffer): ArrayBuffer {
  const d = decodePath(raw);
  const n = d.length;
  // Steps 4–5 on segments: starts and ends of the kept ones, as a stack.
  const starts = new Array<i32>();
  const ends = new Array<i32>();
  let trailing = false;
  let i = 0;
  while (i < n) {
    while (i < n && d[i] == SLASH) i++;
    if (i >= n) { trailing = true; break; }
    const s = i;
    while (i < n && d[i] != SLASH) i++;
    const len = i - s;
    const dot = len == 1 && d[s] == 0x2e;
    const dotdot = len == 2 && d[s] == 0x2e && d[s + 1] == 0x2e;
    if (dot || dotdot) {
      if (dotdot && starts.length > 0) { starts.pop(); ends.pop(); }
      trailing = true; // `/a/.` and `/a/b/..` name a directory: `/a/`
      continue;
    }
    starts.push(s);
    ends.push(i);
    trailing = false;
  }
  let size = 1;
  for (let k = 0; k < starts.length; k++) size += ends[k] - starts[k] + 1;
  if (trailing && starts.length > 0) size++;
  const out = new Uint8Array(size);
  let o = 0;
  for (let k = 0; k < starts.length; k++) {
    out[o++] = SLASH;
    for (let j = starts[k]; j < ends[k]; j++) out[o++] = d[j];
  }
  if (starts.length == 0 || trailing) out[o++] = SLASH;
  return out.buffer.slice(0, o);
}

/** normalizePath on a string (UTF-8 in and out; the bytes it decodes are ASCII, so text stays valid). */
export function normalizePathString(raw: string): string {
  return String.UTF8.decode(normalizePath(String.UTF8.encode(raw)));
}
