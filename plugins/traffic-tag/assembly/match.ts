// Whether a condition group matches the request, with Higress's evaluation: `and` stops at the
// first condition that fails (a missing header, parameter or cookie fails it), `or` at the first
// that holds (a missing one is skipped). Values are compared as the bytes the request carries.
import { HeaderMap } from "@sluice/sdk";
import { queryParamsBytes } from "@sluice/sdk/auth";
import { sha256 } from "@sluice/sdk/crypto";
import { Condition, ConditionGroup, Op, Source } from "./config";

function equalBytes(a: ArrayBuffer, b: ArrayBuffer): bool {
  return a.byteLength == b.byteLength && memory.compare(changetype<usize>(a), changetype<usize>(b), <usize>a.byteLength) == 0;
}

function hasPrefix(s: ArrayBuffer, p: ArrayBuffer): bool {
  return s.byteLength >= p.byteLength && memory.compare(changetype<usize>(s), changetype<usize>(p), <usize>p.byteLength) == 0;
}

function isSpace(c: u8): bool { return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0x0b || c == 0x0c; }

/** Higress's cookie lookup: `;`-separated, trimmed, the first `key=` piece's value. */
function cookieValue(header: ArrayBuffer | null, key: ArrayBuffer): ArrayBuffer | null {
  if (header === null) return null;
  const base = changetype<usize>(header);
  const len = header.byteLength;
  const klen = key.byteLength;
  let start = 0;
  while (start <= len) {
    let end = start;
    while (end < len && load<u8>(base + <usize>end) != 0x3b) end++;
    let a = start;
    let b = end;
    while (a < b && isSpace(load<u8>(base + <usize>a))) a++;
    while (b > a && isSpace(load<u8>(base + <usize>(b - 1)))) b--;
    if (b - a > klen && memory.compare(base + <usize>a, changetype<usize>(key), <usize>klen) == 0 && load<u8>(base + <usize>(a + klen)) == 0x3d) {
      return header.slice(a + klen + 1, b);
    }
    start = end + 1;
  }
  return null;
}

/** The value a condition looks at, or null when the request does not carry it. */
function conditionValue(c: Condition, headers: HeaderMap): ArrayBuffer | null {
  if (c.source == Source.Header) return headers.getBytes(c.key);
  if (c.source == Source.Cookie) return cookieValue(headers.getBytes("cookie"), c.keyBytes);
  const path = headers.getBytes(":path");
  if (path === null) return null;
  const params = queryParamsBytes(path);
  for (let i = 0; i < params.length; i++) if (equalBytes(params[i].name, c.keyBytes)) return params[i].value;
  return null;
}

/** Higress's percentage: the first 8 bytes of SHA-256(value), big-endian, modulo 100. */
function bucketOf(value: ArrayBuffer): i64 {
  const h = sha256<ArrayBuffer>(value);
  return <i64>(bswap<u64>(load<u64>(changetype<usize>(h))) % 100);
}

function holds(c: Condition, v: ArrayBuffer): bool {
  switch (c.op) {
    case Op.Equal: return equalBytes(v, c.values[0]);
    case Op.NotEqual: return !equalBytes(v, c.values[0]);
    case Op.Prefix: return hasPrefix(v, c.values[0]);
    case Op.Regex: return c.regex!.testBytes(v);
    case Op.Percentage: return bucketOf(v) < <i64>c.percent;
    default: {
      let found = false;
      for (let i = 0; i < c.values.length; i++) if (equalBytes(v, c.values[i])) { found = true; break; }
      return c.op == Op.In ? found : !found;
    }
  }
}

export function groupMatches(g: ConditionGroup, headers: HeaderMap): bool {
  for (let i = 0; i < g.conditions.length; i++) {
    const c = g.conditions[i];
    const v = conditionValue(c, headers);
    if (v === null) {
      if (g.and) return false;
      continue;
    }
    const ok = holds(c, v);
    if (ok && !g.and) return true;
    if (!ok && g.and) return false;
  }
  return g.conditions.length > 0 && g.and;
}
