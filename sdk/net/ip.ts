// IP addresses and CIDR ranges, IPv4 and IPv6, parsed from untrusted text. Parsers return null
// on anything malformed (they never trap). An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is
// treated as the IPv4 address it carries, so it cannot slip past an IPv4 rule.
//
// Strictness follows Go's net.ParseIP: IPv4 fields are decimal 0–255 without leading zeros
// (`010.0.0.1` is refused rather than guessed as octal), zones (`fe80::1%eth0`) are refused.

export class IpAddress {
  /** 4 or 6. */
  family: i32 = 4;
  /** The high and low 64 bits (IPv4 lives in the low 32 bits of `lo`). */
  hi: u64 = 0;
  lo: u64 = 0;

  get isV4(): bool { return this.family == 4; }

  toString(): string {
    if (this.family == 4) {
      const v = <u32>this.lo;
      return (v >>> 24).toString() + "." + ((v >>> 16) & 255).toString() + "." + ((v >>> 8) & 255).toString() + "." + (v & 255).toString();
    }
    const parts = new Array<string>(8);
    for (let i = 0; i < 8; i++) {
      const word = i < 4 ? <u32>((this.hi >> (<u64>(48 - i * 16))) & 0xffff) : <u32>((this.lo >> (<u64>(48 - (i - 4) * 16))) & 0xffff);
      parts[i] = word.toString(16);
    }
    return parts.join(":");
  }
}

export class Cidr {
  constructor(public network: IpAddress, public prefix: i32) {}

  contains(ip: IpAddress): bool {
    if (ip.family != this.network.family) return false;
    if (this.family == 4) {
      if (this.prefix == 0) return true;
      const mask: u64 = ((<u64>0xffffffff) << (<u64>(32 - this.prefix))) & (<u64>0xffffffff);
      return (ip.lo & mask) == (this.network.lo & mask);
    }
    const p = this.prefix;
    if (p <= 64) {
      const mask: u64 = p == 0 ? 0 : (<u64>0xffffffffffffffff) << (<u64>(64 - p));
      return (ip.hi & mask) == (this.network.hi & mask);
    }
    if (ip.hi != this.network.hi) return false;
    const mask: u64 = (<u64>0xffffffffffffffff) << (<u64>(128 - p));
    return (ip.lo & mask) == (this.network.lo & mask);
  }

  get family(): i32 { return this.network.family; }

  toString(): string { return this.network.toString() + "/" + this.prefix.toString(); }
}

function digit(c: i32): i32 { return c >= 48 && c <= 57 ? c - 48 : -1; }

function hexDigit(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Dotted-quad IPv4 from s[start, end) as a 32-bit value, or -1. */
function parseV4(s: string, start: i32, end: i32): i64 {
  let value: i64 = 0;
  let fields = 0;
  let i = start;
  while (fields < 4) {
    if (i >= end) return -1;
    let n = 0, len = 0;
    const first = i;
    while (i < end) {
      const d = digit(s.charCodeAt(i));
      if (d < 0) break;
      n = n * 10 + d;
      len++;
      i++;
      if (len > 3) return -1;
    }
    if (len == 0 || n > 255) return -1;
    if (len > 1 && s.charCodeAt(first) == 48) return -1; // leading zero
    value = (value << 8) | <i64>n;
    fields++;
    if (fields < 4) {
      if (i >= end || s.charCodeAt(i) != 46) return -1; // '.'
      i++;
    }
  }
  return i == end ? value : -1;
}

/** IPv6 text (with optional trailing dotted IPv4) from s[start, end), or null. */
function parseV6(s: string, start: i32, end: i32): IpAddress | null {
  const words = new StaticArray<u32>(8);
  let count = 0;
  let gap = -1; // index in `words` where "::" sits
  let i = start;
  if (end - start < 2) return null;
  if (s.charCodeAt(i) == 58) { // leading "::"
    if (s.charCodeAt(i + 1) != 58) return null;
    gap = 0;
    i += 2;
    if (i == end) return finishV6(words, count, gap);
  }
  while (i < end) {
    if (count >= 8) return null;
    // A trailing dotted IPv4 takes two words.
    let j = i, n: u32 = 0, len = 0;
    while (j < end) {
      const h = hexDigit(s.charCodeAt(j));
      if (h < 0) break;
      n = (n << 4) | <u32>h;
      len++;
      j++;
      if (len > 4) return null;
    }
    if (j < end && s.charCodeAt(j) == 46) {
      if (count > 6) return null;
      const v4 = parseV4(s, i, end);
      if (v4 < 0) return null;
      words[count++] = <u32>((v4 >> 16) & 0xffff);
      words[count++] = <u32>(v4 & 0xffff);
      i = end;
      break;
    }
    if (len == 0) return null;
    words[count++] = n;
    i = j;
    if (i == end) break;
    if (s.charCodeAt(i) != 58) return null;
    i++;
    if (i < end && s.charCodeAt(i) == 58) {
      if (gap >= 0) return null; // a second "::"
      gap = count;
      i++;
      if (i == end) break;
    } else if (i == end) {
      return null; // a trailing single ':'
    }
  }
  return finishV6(words, count, gap);
}

function finishV6(words: StaticArray<u32>, count: i32, gap: i32): IpAddress | null {
  if (gap < 0 && count != 8) return null;
  if (gap >= 0 && count > 7) return null;
  const full = new StaticArray<u32>(8);
  if (gap < 0) {
    for (let k = 0; k < 8; k++) full[k] = words[k];
  } else {
    const tail = count - gap;
    for (let k = 0; k < gap; k++) full[k] = words[k];
    for (let k = 0; k < tail; k++) full[8 - tail + k] = words[gap + k];
  }
  const ip = new IpAddress();
  let hi: u64 = 0, lo: u64 = 0;
  for (let k = 0; k < 4; k++) hi = (hi << 16) | <u64>full[k];
  for (let k = 4; k < 8; k++) lo = (lo << 16) | <u64>full[k];
  if (hi == 0 && (lo >> 32) == 0xffff) {
    ip.family = 4;
    ip.lo = lo & 0xffffffff;
    return ip;
  }
  ip.family = 6;
  ip.hi = hi;
  ip.lo = lo;
  return ip;
}

/** Parses an IPv4 or IPv6 address (no port, no brackets, no zone); null when malformed. */
export function parseIp(text: string): IpAddress | null {
  const n = text.length;
  if (n == 0 || n > 64) return null;
  if (text.indexOf(":") >= 0) return parseV6(text, 0, n);
  const v = parseV4(text, 0, n);
  if (v < 0) return null;
  const ip = new IpAddress();
  ip.family = 4;
  ip.lo = <u64>v;
  return ip;
}

/**
 * Parses `addr` or `addr/prefix`. A bare address is a single host (/32 or /128). For an
 * IPv4-mapped IPv6 network the prefix is moved into IPv4 terms (`::ffff:10.0.0.0/104` = `10.0.0.0/8`).
 * Host bits set below the prefix are ignored, as Go's ParseCIDR does.
 */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf("/");
  if (slash < 0) {
    const ip = parseIp(text);
    if (ip === null) return null;
    return new Cidr(ip, ip.isV4 ? 32 : 128);
  }
  const addrText = text.substring(0, slash);
  const ip = parseIp(addrText);
  if (ip === null) return null;
  const p = text.substring(slash + 1);
  if (p.length == 0 || p.length > 3) return null;
  let prefix = 0;
  for (let i = 0; i < p.length; i++) {
    const d = digit(p.charCodeAt(i));
    if (d < 0) return null;
    prefix = prefix * 10 + d;
  }
  if (p.length > 1 && p.charCodeAt(0) == 48) return null;
  const writtenAsV6 = addrText.indexOf(":") >= 0;
  if (writtenAsV6) {
    if (prefix > 128) return null;
    if (ip.isV4) {
      // IPv4-mapped range: only meaningful from /96 down.
      if (prefix < 96) return null;
      prefix -= 96;
    }
  } else if (prefix > 32) {
    return null;
  }
  return new Cidr(ip, prefix);
}

/** A list of CIDR ranges; `contains` is true when any range holds the address. */
export class CidrSet {
  ranges: Array<Cidr> = [];

  get size(): i32 { return this.ranges.length; }

  add(c: Cidr): void { this.ranges.push(c); }

  contains(ip: IpAddress): bool {
    for (let i = 0; i < this.ranges.length; i++) {
      if (this.ranges[i].contains(ip)) return true;
    }
    return false;
  }
}

/**
 * The address part of a peer address or a header value: drops the port from `1.2.3.4:80`
 * and the brackets and port from `[::1]:80`. Anything else is returned unchanged.
 */
export function stripAddressPort(s: string): string {
  if (s.startsWith("[")) {
    const end = s.indexOf("]");
    return end < 0 ? s : s.substring(1, end);
  }
  const colon = s.indexOf(":");
  if (colon >= 0 && s.lastIndexOf(":") == colon && s.indexOf(".") >= 0) return s.substring(0, colon);
  return s;
}
