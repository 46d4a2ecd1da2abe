// The plugin's linear memory as host calls see it: every access is bounds-checked so a bad
// pointer from the module becomes InvalidMemoryAccess, never a host exception.
import { Status } from "./abi.js";

export class GuestMemory {
  /** `alloc` runs the module's allocator (the host restricts which calls it may make meanwhile). */
  constructor(private readonly memory: WebAssembly.Memory, private readonly alloc: (n: number) => number) {}

  /** The current buffer (a new one after every memory.grow). */
  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  view(): DataView {
    return new DataView(this.memory.buffer);
  }

  read(ptr: number, len: number): Buffer | null {
    ptr >>>= 0;
    len >>>= 0;
    if (ptr + len > this.memory.buffer.byteLength) return null;
    return Buffer.from(new Uint8Array(this.memory.buffer, ptr, len));
  }

  readStr(ptr: number, len: number): string | null {
    const b = this.read(ptr, len);
    return b === null ? null : b.toString("utf8");
  }

  writeU32(ptr: number, v: number): boolean {
    ptr >>>= 0;
    if (ptr + 4 > this.memory.buffer.byteLength) return false;
    this.view().setUint32(ptr, v >>> 0, true);
    return true;
  }

  writeU64(ptr: number, v: bigint): boolean {
    ptr >>>= 0;
    if (ptr + 8 > this.memory.buffer.byteLength) return false;
    this.view().setBigUint64(ptr, BigInt.asUintN(64, v), true);
    return true;
  }

  /** Hands bytes to the module: allocate with its allocator, copy, write ptr/size. */
  copyOut(data: Uint8Array, ptrPtr: number, sizePtr: number): Status {
    if (data.length === 0) return this.writeU32(ptrPtr, 0) && this.writeU32(sizePtr, 0) ? Status.Ok : Status.InvalidMemoryAccess;
    const p = this.alloc(data.length) >>> 0;
    if (p === 0 || p + data.length > this.memory.buffer.byteLength) return Status.InvalidMemoryAccess;
    new Uint8Array(this.memory.buffer, p, data.length).set(data);
    return this.writeU32(ptrPtr, p) && this.writeU32(sizePtr, data.length) ? Status.Ok : Status.InvalidMemoryAccess;
  }
}
