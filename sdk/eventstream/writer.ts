// Encodes AWS event-stream messages (for mocks and tests, and for plugins that re-frame a stream).
import { ByteBuffer } from "../json/bytebuf";
import { crc32UpdateRaw } from "../crypto/crc32";
import { EventStreamHeader, HeaderType } from "./message";

/** One message as bytes; null when a header cannot be encoded (name > 255 bytes, value > 64 KiB). */
export function encodeEventStreamMessage(headers: Array<EventStreamHeader>, payload: ArrayBuffer): ArrayBuffer | null {
  const hb = new ByteBuffer(128);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    const name = String.UTF8.encode(h.name);
    if (name.byteLength == 0 || name.byteLength > 255) return null;
    hb.pushByte(<u8>name.byteLength);
    hb.pushBuffer(name);
    hb.pushByte(<u8>h.type);
    const t = h.type;
    if (t == HeaderType.BoolTrue || t == HeaderType.BoolFalse) continue;
    if (t == HeaderType.Byte) hb.pushByte(<u8>h.intValue);
    else if (t == HeaderType.Short) { hb.pushByte(<u8>(h.intValue >> 8)); hb.pushByte(<u8>h.intValue); }
    else if (t == HeaderType.Integer) hb.pushU32BE(<u32>h.intValue);
    else if (t == HeaderType.Long || t == HeaderType.Timestamp) { hb.pushU32BE(<u32>(h.intValue >> 32)); hb.pushU32BE(<u32>h.intValue); }
    else if (t == HeaderType.Uuid) { if (h.bytes.byteLength != 16) return null; hb.pushBuffer(h.bytes); }
    else if (t == HeaderType.ByteArray || t == HeaderType.String) {
      const n = h.bytes.byteLength;
      if (n > 0xffff) return null;
      hb.pushByte(<u8>(n >> 8)); hb.pushByte(<u8>n);
      hb.pushBuffer(h.bytes);
    } else return null;
  }
  const total = 16 + hb.length + payload.byteLength;
  const out = new ByteBuffer(total);
  out.pushU32BE(<u32>total);
  out.pushU32BE(<u32>hb.length);
  out.pushU32BE(crc32UpdateRaw(0, out.ptr, 8));
  out.pushBytes(hb.ptr, hb.length);
  out.pushBuffer(payload);
  out.pushU32BE(crc32UpdateRaw(0, out.ptr, out.length));
  return out.toArrayBuffer();
}
