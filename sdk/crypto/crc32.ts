// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib and AWS event-stream use it.
import { toBytes } from "../encoding/bytes";

const TABLE: StaticArray<u32> = buildTable();

function buildTable(): StaticArray<u32> {
  const t = new StaticArray<u32>(256);
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    unchecked(t[n] = c);
  }
  return t;
}

/** Continues a CRC over more bytes: crc32Update(crc32Update(0, a), b) == crc32(a ++ b). */
export function crc32UpdateRaw(crc: u32, ptr: usize, len: i32): u32 {
  let c = ~crc;
  const t = changetype<usize>(TABLE);
  for (let i: usize = 0; i < <usize>len; i++) {
    c = load<u32>(t + (<usize>((c ^ <u32>load<u8>(ptr + i)) & 0xff) << 2)) ^ (c >>> 8);
  }
  return ~c;
}

export function crc32Update<T>(crc: u32, data: T): u32 {
  const b = toBytes(data);
  return crc32UpdateRaw(crc, b.dataStart, b.byteLength);
}

export function crc32<T>(data: T): u32 {
  return crc32Update<T>(0, data);
}
