// bcrypt ($2b$) in plain TypeScript, for the test registry's htpasswd file: distribution accepts
// only bcrypt, Python's `crypt` module is gone in 3.13, and the test must not depend on which
// hashes the system's libcrypt happens to support. Slow on purpose (it is bcrypt); tests use a
// low cost.
import { randomBytes } from "node:crypto";

const WORDS = 18 + 4 * 256;

/** Blowfish's initial P-array and S-boxes: the fractional hex digits of pi (Machin's formula). */
function piWords(): Uint32Array {
  const digits = WORDS * 8 + 8; // hex digits, plus guard digits against rounding in the last word
  const one = 1n << BigInt(4 * digits);
  const atanInv = (x: bigint): bigint => {
    let sum = 0n;
    let term = one / x;
    const x2 = x * x;
    for (let k = 1n; term !== 0n; k += 2n) {
      sum += ((k >> 1n) & 1n ? -term : term) / k;
      term /= x2;
    }
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
  const hex = (pi - 3n * one).toString(16).padStart(digits, "0");
  const out = new Uint32Array(WORDS);
  for (let i = 0; i < WORDS; i++) out[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  return out;
}

let initial: Uint32Array | undefined;

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
  constructor() {
    initial ??= piWords();
    this.p = initial.slice(0, 18);
    this.s = initial.slice(18);
  }
  private f(x: number): number {
    const s = this.s;
    return (((s[x >>> 24] + s[256 | ((x >>> 16) & 0xff)]) ^ s[512 | ((x >>> 8) & 0xff)]) + s[768 | (x & 0xff)]) >>> 0;
  }
  encipher(lr: Uint32Array, off: number): void {
    const p = this.p;
    let l = lr[off] ^ p[0];
    let r = lr[off + 1];
    for (let i = 0; i < 16; i += 2) {
      r = (r ^ this.f(l) ^ p[i + 1]) >>> 0;
      l = (l ^ this.f(r) ^ p[i + 2]) >>> 0;
    }
    lr[off] = (r ^ p[17]) >>> 0;
    lr[off + 1] = l >>> 0;
  }
  /** Blowfish's key schedule, salted as bcrypt's EksBlowfish does (no salt: plain expansion). */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    const word = (data: Uint8Array, pos: { i: number }) => {
      let w = 0;
      for (let k = 0; k < 4; k++) w = ((w << 8) | data[pos.i++ % data.length]) >>> 0;
      return w;
    };
    const kp = { i: 0 };
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i] ^ word(key, kp)) >>> 0;
    const sp = { i: 0 };
    const lr = new Uint32Array(2);
    const fill = (arr: Uint32Array) => {
      for (let i = 0; i < arr.length; i += 2) {
        if (salt) {
          lr[0] ^= word(salt, sp);
          lr[1] ^= word(salt, sp);
        }
        this.encipher(lr, 0);
        arr[i] = lr[0];
        arr[i + 1] = lr[1];
      }
    };
    fill(this.p);
    fill(this.s);
  }
}

const ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function encode(d: Uint8Array, len: number): string {
  let out = "";
  let off = 0;
  while (off < len) {
    let c1 = d[off++];
    out += ALPHABET[(c1 >> 2) & 0x3f];
    c1 = (c1 & 0x03) << 4;
    if (off >= len) { out += ALPHABET[c1]; break; }
    let c2 = d[off++];
    c1 |= (c2 >> 4) & 0x0f;
    out += ALPHABET[c1];
    c1 = (c2 & 0x0f) << 2;
    if (off >= len) { out += ALPHABET[c1]; break; }
    c2 = d[off++];
    c1 |= (c2 >> 6) & 0x03;
    out += ALPHABET[c1];
    out += ALPHABET[c2 & 0x3f];
  }
  return out;
}

function decode(s: string, len: number): Uint8Array {
  const v = [...s].map((c) => ALPHABET.indexOf(c));
  if (v.some((x) => x < 0)) throw new Error(`bad bcrypt base64: ${s}`);
  const out: number[] = [];
  for (let i = 0; i < v.length && out.length < len; i += 4) {
    out.push(((v[i] << 2) | (v[i + 1] >> 4)) & 0xff);
    if (out.length < len && i + 2 < v.length) out.push(((v[i + 1] << 4) | (v[i + 2] >> 2)) & 0xff);
    if (out.length < len && i + 3 < v.length) out.push(((v[i + 2] << 6) | v[i + 3]) & 0xff);
  }
  return Uint8Array.from(out);
}

/** bcrypt(password) with the given cost and 16-byte salt (random when omitted): "$2b$…". */
export function bcrypt(password: string, cost = 10, salt: Uint8Array = randomBytes(16)): string {
  if (cost < 4 || cost > 31) throw new Error("bcrypt cost must be 4..31");
  const pw = Buffer.from(password + "\0", "utf8").subarray(0, 72);
  const bf = new Blowfish();
  bf.expand(pw, salt);
  for (let i = 0; i < 2 ** cost; i++) {
    bf.expand(pw);
    bf.expand(salt);
  }
  const text = Buffer.from("OrpheanBeholderScryDoubt");
  const c = new Uint32Array(6);
  for (let i = 0; i < 6; i++) c[i] = text.readUInt32BE(i * 4);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 6; j += 2) bf.encipher(c, j);
  const raw = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) raw.writeUInt32BE(c[i], i * 4);
  return `$2b$${String(cost).padStart(2, "0")}$${encode(salt, 16)}${encode(raw, 23)}`;
}

/** The salt of an existing hash ("$2b$05$<22 chars>…"), to recompute it. */
export function bcryptSalt(hash: string): Uint8Array {
  return decode(hash.slice(7, 29), 16);
}
