// An incremental AWS event-stream reader. Wire format of one message (all integers big-endian):
//   total length u32 | headers length u32 | prelude CRC32 (of the 8 bytes before) |
//   headers | payload | message CRC32 (of everything before it)
// Chunks may split a message anywhere. The prelude CRC is checked as soon as 12 bytes are in, so
// a bogus length is rejected before anything is buffered for it; lengths are bounded; any CRC or
// framing error puts the reader in an error state (it never traps, never buffers without end).
import { ByteBuffer } from "../json/bytebuf";
import { decodeUtf8Lossy } from "../json/utf8";
import { crc32UpdateRaw } from "../crypto/crc32";
import { EventStreamHeader, EventStreamMessage, HeaderType } from "./message";

export const PRELUDE_BYTES: i32 = 12;
/** Prelude + message CRC: the size of a message with no headers and no payload. */
export const MIN_MESSAGE_BYTES: i32 = 16;
/** AWS's own limits: 16 MiB per message, 128 KiB of headers. */
export const DEFAULT_MAX_MESSAGE_BYTES: i32 = 16 << 20;
export const MAX_HEADERS_BYTES: i32 = 128 << 10;

@inline function u32be(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

export class EventStreamReader {
  /** Non-empty once the stream is known to be corrupt; nothing more is yielded then. */
  error: string = "";
  private buf: ByteBuffer = new ByteBuffer(1024);

  constructor(public maxMessageBytes: i32 = DEFAULT_MAX_MESSAGE_BYTES) {}

  get ok(): bool { return this.error.length == 0; }
  /** Bytes of an incomplete message waiting for more input. */
  get buffered(): i32 { return this.buf.length; }

  push(chunk: ArrayBuffer): Array<EventStreamMessage> {
    return this.pushBytes(changetype<usize>(chunk), chunk.byteLength);
  }

  pushBytes(ptr: usize, len: i32): Array<EventStreamMessage> {
    const out = new Array<EventStreamMessage>();
    if (!this.ok || len <= 0) return out;
    this.buf.pushBytes(ptr, len);
    let off = 0;
    while (this.ok) {
      const used = this.readOne(off, out);
      if (used == 0) break;
      off += used;
    }
    if (this.ok) this.buf.discard(off);
    return out;
  }

  /** Ends the stream; a partial message left over is an error. Returns ok. */
  finish(): bool {
    if (this.ok && this.buf.length > 0) this.fail("stream ended inside a message (" + this.buf.length.toString() + " bytes)");
    return this.ok;
  }

  private fail(msg: string): void {
    this.error = msg;
    this.buf.clear();
  }

  /** Reads the message at `off` if complete; returns its length, or 0 (need more, or failed). */
  private readOne(off: i32, out: Array<EventStreamMessage>): i32 {
    const avail = this.buf.length - off;
    if (avail < PRELUDE_BYTES) return 0;
    const p = this.buf.ptr + <usize>off;
    const total = u32be(p);
    const headersLen = u32be(p + 4);
    if (crc32UpdateRaw(0, p, 8) != u32be(p + 8)) { this.fail("prelude CRC mismatch"); return 0; }
    if (total < <u32>MIN_MESSAGE_BYTES) { this.fail("message length " + total.toString() + " is below the minimum"); return 0; }
    if (total > <u32>this.maxMessageBytes) { this.fail("message length " + total.toString() + " exceeds the limit"); return 0; }
    if (headersLen > <u32>MAX_HEADERS_BYTES || headersLen > total - <u32>MIN_MESSAGE_BYTES) { this.fail("bad headers length " + headersLen.toString()); return 0; }
    const n = <i32>total;
    if (avail < n) return 0;
    if (crc32UpdateRaw(0, p, n - 4) != u32be(p + <usize>(n - 4))) { this.fail("message CRC mismatch"); return 0; }
    const msg = new EventStreamMessage();
    if (!this.readHeaders(p + <usize>PRELUDE_BYTES, <i32>headersLen, msg)) return 0;
    const payloadStart = PRELUDE_BYTES + <i32>headersLen;
    const payloadLen = n - payloadStart - 4;
    const payload = new ArrayBuffer(payloadLen);
    memory.copy(changetype<usize>(payload), p + <usize>payloadStart, <usize>payloadLen);
    msg.payload = payload;
    out.push(msg);
    return n;
  }

  private readHeaders(p: usize, len: i32, msg: EventStreamMessage): bool {
    const end = p + <usize>len;
    while (p < end) {
      const nameLen = <i32>load<u8>(p);
      p++;
      if (nameLen == 0 || p + <usize>nameLen + 1 > end) { this.fail("bad header name"); return false; }
      const name = decodeUtf8Lossy(p, nameLen);
      p += <usize>nameLen;
      const type = <i32>load<u8>(p);
      p++;
      const h = new EventStreamHeader(name, <HeaderType>type);
      let need = 0;
      if (type == HeaderType.BoolTrue) h.intValue = 1;
      else if (type == HeaderType.BoolFalse) h.intValue = 0;
      else if (type == HeaderType.Byte) need = 1;
      else if (type == HeaderType.Short) need = 2;
      else if (type == HeaderType.Integer) need = 4;
      else if (type == HeaderType.Long || type == HeaderType.Timestamp) need = 8;
      else if (type == HeaderType.Uuid) need = 16;
      else if (type == HeaderType.ByteArray || type == HeaderType.String) {
        if (p + 2 > end) { this.fail("truncated header value"); return false; }
        need = <i32>bswap<u16>(load<u16>(p));
        p += 2;
      } else { this.fail("unknown header type " + type.toString()); return false; }
      if (p + <usize>need > end) { this.fail("truncated header value"); return false; }
      if (type == HeaderType.Byte) h.intValue = <i64>load<i8>(p);
      else if (type == HeaderType.Short) h.intValue = <i64>bswap<i16>(load<i16>(p));
      else if (type == HeaderType.Integer) h.intValue = <i64>bswap<i32>(load<i32>(p));
      else if (type == HeaderType.Long || type == HeaderType.Timestamp) h.intValue = bswap<i64>(load<i64>(p));
      else if (need > 0 || type == HeaderType.ByteArray || type == HeaderType.String) {
        const b = new ArrayBuffer(need);
        memory.copy(changetype<usize>(b), p, <usize>need);
        h.bytes = b;
      }
      p += <usize>need;
      msg.headers.push(h);
    }
    return true;
  }
}
