// Code page 20127 (US-ASCII) "best fit": the Unicode code points urlDecodeUni turns into one ASCII
// character when ModSecurity runs with `SecUnicodeMapFile unicode.mapping 20127` (its recommended
// configuration, and the oracle's). The table is data: the 20127 section of ModSecurity's
// unicode.mapping, vendored unmodified in third_party/modsecurity and turned into
// generated/unicode-map.ts by scripts/prebuild-waf.mjs at build time; the lookup below is the
// plugin's own. Measured on the oracle: %u2019 → ', %u201c → ", %u00e9 → e, %u00a0 → space; a code
// point without an entry keeps ModSecurity's documented reading (full-width ASCII U+FF01–U+FF5E →
// ASCII, anything else → its low byte), in transforms.ts.
import { UNICODE_MAP_POINTS, UNICODE_MAP_BYTES } from "../generated/unicode-map";

/** The ASCII byte code page 20127 maps `cp` to, or -1 when it has no entry (the points are sorted). */
export function map20127(cp: i32): i32 {
  const c = UNICODE_MAP_POINTS;
  let lo = 0, hi = c.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = <i32>c[mid];
    if (v == cp) return <i32>UNICODE_MAP_BYTES[mid];
    if (v < cp) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}
