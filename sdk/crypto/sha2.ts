// The SHA-2 compression function (FIPS 180-4 §6.2.2, §6.4.2): SHA-256 and SHA-512 run the same
// message schedule and rounds, differing only in word type (u32/u64), round count and the
// rotation/shift amounts. One generic body serves both; `T` is resolved at compile time.

/**
 * Compresses the block at `p` into state `H` (8 words). `w` has room for `rounds` words, `k` holds
 * the round constants; `r` the 12 amounts: σ0 (rotr, rotr, shr), σ1 (rotr, rotr, shr),
 * Σ0 (rotr ×3), Σ1 (rotr ×3).
 */
// @ts-ignore: decorator
@inline
export function sha2Compress<T>(H: StaticArray<T>, wa: StaticArray<T>, ka: StaticArray<T>, p: usize, rounds: usize, r: StaticArray<T>): void {
  const SH = alignof<T>();
  const w = changetype<usize>(wa);
  const k = changetype<usize>(ka);
  const r0 = unchecked(r[0]), r1 = unchecked(r[1]), r2 = unchecked(r[2]);
  const r3 = unchecked(r[3]), r4 = unchecked(r[4]), r5 = unchecked(r[5]);
  const r6 = unchecked(r[6]), r7 = unchecked(r[7]), r8 = unchecked(r[8]);
  const r9 = unchecked(r[9]), r10 = unchecked(r[10]), r11 = unchecked(r[11]);
  for (let i: usize = 0; i < 16; i++) store<T>(w + (i << SH), bswap<T>(load<T>(p + (i << SH))));
  for (let i: usize = 16; i < rounds; i++) {
    const w15 = load<T>(w + ((i - 15) << SH));
    const w2 = load<T>(w + ((i - 2) << SH));
    const s0 = rotr<T>(w15, r0) ^ rotr<T>(w15, r1) ^ (w15 >>> r2);
    const s1 = rotr<T>(w2, r3) ^ rotr<T>(w2, r4) ^ (w2 >>> r5);
    store<T>(w + (i << SH), load<T>(w + ((i - 16) << SH)) + s0 + load<T>(w + ((i - 7) << SH)) + s1);
  }
  let a = unchecked(H[0]), b = unchecked(H[1]), c = unchecked(H[2]), d = unchecked(H[3]);
  let e = unchecked(H[4]), f = unchecked(H[5]), g = unchecked(H[6]), h = unchecked(H[7]);
  for (let i: usize = 0; i < rounds; i++) {
    const S1 = rotr<T>(e, r9) ^ rotr<T>(e, r10) ^ rotr<T>(e, r11);
    const ch = (e & f) ^ (~e & g);
    const t1 = h + S1 + ch + load<T>(k + (i << SH)) + load<T>(w + (i << SH));
    const S0 = rotr<T>(a, r6) ^ rotr<T>(a, r7) ^ rotr<T>(a, r8);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = S0 + maj;
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  unchecked(H[0] += a); unchecked(H[1] += b); unchecked(H[2] += c); unchecked(H[3] += d);
  unchecked(H[4] += e); unchecked(H[5] += f); unchecked(H[6] += g); unchecked(H[7] += h);
}

/** Writes the first `words` state words big-endian at `out`. */
// @ts-ignore: decorator
@inline
export function sha2Digest<T>(H: StaticArray<T>, words: i32, out: usize): void {
  for (let i = 0; i < words; i++) store<T>(out + (<usize>i << alignof<T>()), bswap<T>(unchecked(H[i])));
}
