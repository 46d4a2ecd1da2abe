// An incremental server-sent-events reader (WHATWG HTML §9.2 parsing rules) for streaming body
// hooks: a chunk may end anywhere — inside a `data:` line, between `\r` and `\n`, inside a
// multi-byte UTF-8 character — and the reader yields exactly the events a whole-stream parse
// would. Lines are split on bytes (CR and LF never occur inside UTF-8 sequences) and text is
// decoded only once a line or event is complete. Memory is bounded: a line or event bigger than
// the limits puts the reader in an error state instead of buffering without end.
import { ByteBuffer } from "../json/bytebuf";
import { decodeUtf8Lossy } from "../json/utf8";
import { SseEvent } from "./event";
import { findLineBreak } from "../encoding/bytes";
import { JsonKeyProbe } from "../json/probe";

export const SSE_DEFAULT_MAX_LINE: i32 = 1 << 20;
export const SSE_DEFAULT_MAX_EVENT: i32 = 4 << 20;

export class SseReader {
  /** Non-empty once a limit was exceeded; the reader then yields nothing more. */
  error: string = "";
  /** The last `retry:` value seen on the stream, or -1. */
  retry: i32 = -1;
  /** The last event id seen on the stream. */
  lastEventId: string = "";

  private line: ByteBuffer = new ByteBuffer(256);
  private data: ByteBuffer = new ByteBuffer(256);
  private dataLines: i32 = 0;
  private eventType: string = "";
  private eventRetry: i32 = -1;
  private pendingCR: bool = false;
  private started: bool = false;
  private out: Array<SseEvent> = new Array<SseEvent>();

  /** Events carry their data as bytes (`raw`) and `data` stays "": for readers that scan JSON on bytes. */
  keepBytes: bool = false;
  /**
   * With keepBytes: an event whose data is a JSON object (`{` first) that this probe proves has
   * none of its names is not handed over (nothing is copied or allocated for it), only counted in
   * `skipped`. For readers that only look for a few fields in a long stream of deltas.
   */
  skipUnless: JsonKeyProbe | null = null;
  /** Events left out by skipUnless. */
  skipped: i32 = 0;

  constructor(public maxLineBytes: i32 = SSE_DEFAULT_MAX_LINE, public maxEventBytes: i32 = SSE_DEFAULT_MAX_EVENT) {}

  get ok(): bool { return this.error.length == 0; }

  /** Feeds one chunk; returns the events it completed (often none, sometimes several). */
  push(chunk: ArrayBuffer): Array<SseEvent> {
    return this.pushBytes(changetype<usize>(chunk), chunk.byteLength);
  }

  pushBytes(ptr: usize, len: i32): Array<SseEvent> {
    this.out = new Array<SseEvent>();
    if (!this.ok || len <= 0) return this.out;
    const end = ptr + <usize>len;
    let p = ptr;
    // A CR that ended the previous chunk may be the first half of a CRLF.
    if (this.pendingCR) {
      this.pendingCR = false;
      if (load<u8>(p) == 0x0a) p++;
    }
    let lineStart = p;
    while (p < end) {
      p = ptr + <usize>findLineBreak(ptr, len, <i32>(p - ptr));
      if (p >= end) break;
      const c = load<u8>(p);
      if (this.line.length > 0) {
        if (!this.appendLine(lineStart, <i32>(p - lineStart))) return this.out;
        this.processLine(this.line.ptr, this.line.length);
        this.line.clear();
      } else {
        this.processLine(lineStart, <i32>(p - lineStart));
      }
      if (!this.ok) return this.out;
      p++;
      if (c == 0x0d) {
        if (p < end) { if (load<u8>(p) == 0x0a) p++; }
        else this.pendingCR = true;
      }
      lineStart = p;
    }
    if (lineStart < end) this.appendLine(lineStart, <i32>(end - lineStart));
    return this.out;
  }

  /** Ends the stream: a last line without newline, and a last event without blank line, count. */
  finish(): Array<SseEvent> {
    this.out = new Array<SseEvent>();
    if (!this.ok) return this.out;
    if (this.line.length > 0) {
      this.processLine(this.line.ptr, this.line.length);
      this.line.clear();
    }
    if (this.ok) this.dispatch();
    this.pendingCR = false;
    return this.out;
  }

  private appendLine(ptr: usize, len: i32): bool {
    if (this.line.length + len > this.maxLineBytes) {
      this.fail("SSE line longer than " + this.maxLineBytes.toString() + " bytes");
      return false;
    }
    this.line.pushBytes(ptr, len);
    return true;
  }

  private fail(msg: string): void {
    this.error = msg;
    this.line.clear();
    this.data.clear();
  }

  private processLine(ptr: usize, len: i32): void {
    if (len > this.maxLineBytes) { this.fail("SSE line longer than " + this.maxLineBytes.toString() + " bytes"); return; }
    if (!this.started) {
      this.started = true;
      if (len >= 3 && load<u8>(ptr) == 0xEF && load<u8>(ptr, 1) == 0xBB && load<u8>(ptr, 2) == 0xBF) { ptr += 3; len -= 3; }
    }
    if (len == 0) { this.dispatch(); return; }
    if (load<u8>(ptr) == 0x3a) return; // a comment
    let colon = 0;
    while (colon < len && load<u8>(ptr + <usize>colon) != 0x3a) colon++;
    let v = colon + 1;
    if (v < len && load<u8>(ptr + <usize>v) == 0x20) v++;
    if (v > len) v = len;
    const value = ptr + <usize>v;
    const valueLen = len - v;
    if (colon == 4 && load<u32>(ptr) == 0x61746164) { // "data"
      if (this.data.length + valueLen + 1 > this.maxEventBytes) { this.fail("SSE event larger than " + this.maxEventBytes.toString() + " bytes"); return; }
      if (this.dataLines > 0) this.data.pushByte(0x0a);
      this.data.pushBytes(value, valueLen);
      this.dataLines++;
    } else if (colon == 5 && load<u32>(ptr) == 0x6e657665 && load<u8>(ptr, 4) == 0x74) { // "event"
      this.eventType = decodeUtf8Lossy(value, valueLen);
    } else if (colon == 2 && load<u8>(ptr) == 0x69 && load<u8>(ptr, 1) == 0x64) { // "id"
      let hasNul = false;
      for (let i = 0; i < valueLen; i++) if (load<u8>(value + <usize>i) == 0) { hasNul = true; break; }
      if (!hasNul) this.lastEventId = decodeUtf8Lossy(value, valueLen);
    } else if (colon == 5 && load<u32>(ptr) == 0x72746572 && load<u8>(ptr, 4) == 0x79) { // "retry"
      if (valueLen == 0) return;
      let n: i64 = 0;
      for (let i = 0; i < valueLen; i++) {
        const d = <i32>load<u8>(value + <usize>i) - 0x30;
        if (d < 0 || d > 9) return;
        if (n < 0x7fffffff) n = n * 10 + d;
      }
      const r = n > 0x7fffffff ? 0x7fffffff : <i32>n;
      this.retry = r;
      this.eventRetry = r;
    }
  }

  private dispatch(): void {
    if (this.dataLines == 0) {
      this.eventType = "";
      this.eventRetry = -1;
      return;
    }
    const probe = this.skipUnless;
    const d = this.data;
    if (probe !== null && this.keepBytes && d.length > 0 && load<u8>(d.ptr) == 0x7b && !probe.mayHave(d.ptr, d.length)) {
      this.skipped++;
      d.clear();
      this.dataLines = 0;
      this.eventType = "";
      this.eventRetry = -1;
      return;
    }
    const e = new SseEvent();
    e.event = this.eventType;
    if (this.keepBytes) e.raw = this.data.slice(0, this.data.length);
    else e.data = decodeUtf8Lossy(this.data.ptr, this.data.length);
    e.id = this.lastEventId;
    e.retry = this.eventRetry;
    this.out.push(e);
    this.data.clear();
    this.dataLines = 0;
    this.eventType = "";
    this.eventRetry = -1;
  }
}
