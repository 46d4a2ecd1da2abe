// Durations as Go's time.ParseDuration reads them (Higress parses opa's `timeout` with it):
// an optional sign, then one or more "<decimal><unit>" pieces ("5s", "1m30s", "1.5h", "300ms"),
// units ns, us (µs, μs), ms, s, m, h; "0" alone needs no unit. The error texts are Go's.

const NS: u64 = 1;
const US: u64 = 1000;
const MS: u64 = 1000000;
const SEC: u64 = 1000000000;
const MIN: u64 = 60 * SEC;
const HOUR: u64 = 60 * MIN;
const LIMIT: u64 = 1 << 63;

export class DurationResult {
  constructor(public nanos: i64, public error: string) {}
  get ok(): bool { return this.error.length == 0; }
}

/** Go's strconv.Quote for the texts that reach an error message (printable ASCII and the rest). */
export function goQuote(s: string): string {
  let out = "\"";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c < 0x20 || c == 0x7f) out += "\\x" + (c < 0x10 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + "\"";
}

function unitNanos(u: string): u64 {
  if (u == "ns") return NS;
  if (u == "us" || u == "\u00b5s" || u == "\u03bcs") return US;
  if (u == "ms") return MS;
  if (u == "s") return SEC;
  if (u == "m") return MIN;
  if (u == "h") return HOUR;
  return 0;
}

@inline function isDigit(c: i32): bool { return c >= 0x30 && c <= 0x39; }

export function parseDuration(orig: string): DurationResult {
  const invalid = "time: invalid duration " + goQuote(orig);
  let i = 0;
  const n = orig.length;
  let neg = false;
  if (n > 0) {
    const c = orig.charCodeAt(0);
    if (c == 0x2d || c == 0x2b) { neg = c == 0x2d; i = 1; }
  }
  if (i == n - 1 && orig.charCodeAt(i) == 0x30) return new DurationResult(0, "");
  if (i == n) return new DurationResult(0, invalid);
  let total: u64 = 0;
  while (i < n) {
    const c0 = orig.charCodeAt(i);
    if (!(c0 == 0x2e || isDigit(c0))) return new DurationResult(0, invalid);
    // The integer part: overflow past 2^63 is an invalid duration.
    let v: u64 = 0;
    const intStart = i;
    while (i < n && isDigit(orig.charCodeAt(i))) {
      if (v > LIMIT / 10) return new DurationResult(0, invalid);
      v = v * 10 + <u64>(orig.charCodeAt(i) - 0x30);
      if (v > LIMIT) return new DurationResult(0, invalid);
      i++;
    }
    const pre = i != intStart;
    // The fraction: digits beyond what fits are read and ignored.
    let f: u64 = 0;
    let scale: f64 = 1;
    let post = false;
    if (i < n && orig.charCodeAt(i) == 0x2e) {
      i++;
      const fracStart = i;
      let overflow = false;
      while (i < n && isDigit(orig.charCodeAt(i))) {
        const d = <u64>(orig.charCodeAt(i) - 0x30);
        i++;
        if (overflow) continue;
        if (f > (LIMIT - 1) / 10) { overflow = true; continue; }
        const y = f * 10 + d;
        if (y > LIMIT) { overflow = true; continue; }
        f = y;
        scale *= 10;
      }
      post = i != fracStart;
    }
    if (!pre && !post) return new DurationResult(0, invalid);
    const unitStart = i;
    while (i < n) {
      const c = orig.charCodeAt(i);
      if (c == 0x2e || isDigit(c)) break;
      i++;
    }
    if (i == unitStart) return new DurationResult(0, "time: missing unit in duration " + goQuote(orig));
    const u = orig.substring(unitStart, i);
    const unit = unitNanos(u);
    if (unit == 0) return new DurationResult(0, "time: unknown unit " + goQuote(u) + " in duration " + goQuote(orig));
    if (v > LIMIT / unit) return new DurationResult(0, invalid);
    v *= unit;
    if (f > 0) {
      v += <u64>(<f64>f * (<f64>unit / scale));
      if (v > LIMIT) return new DurationResult(0, invalid);
    }
    total += v;
    if (total > LIMIT) return new DurationResult(0, invalid);
  }
  if (neg) return new DurationResult(-(<i64>total), "");
  if (total > LIMIT - 1) return new DurationResult(0, invalid);
  return new DurationResult(<i64>total, "");
}
