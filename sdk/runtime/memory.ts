// Memory the host fills for us. The host calls proxy_on_memory_allocate, copies its data in,
// and hands ownership to the module; `adoptBuffer` turns that allocation into a managed
// ArrayBuffer without a copy.

/** Scratch space for the out-parameters of host calls (two pointer-sized slots + one u64). */
export const RET_PTR: usize = memory.data(8);
export const RET_SIZE: usize = memory.data(8);
export const RET_U64: usize = memory.data(8);

export function proxy_on_memory_allocate(size: usize): usize {
  // A GC object pinned until the SDK adopts it; no host calls happen here (restricted mode).
  return __pin(__new(size, idof<ArrayBuffer>()));
}

/** Takes ownership of the buffer the host wrote to RET_PTR/RET_SIZE. (0, 0) means empty. */
export function adoptBuffer(): ArrayBuffer {
  const ptr = load<usize>(RET_PTR);
  const size = load<usize>(RET_SIZE);
  store<usize>(RET_PTR, 0);
  store<usize>(RET_SIZE, 0);
  if (ptr == 0) return new ArrayBuffer(0);
  __unpin(ptr);
  const buf = changetype<ArrayBuffer>(ptr);
  // The allocation is exactly `size` bytes unless the host over-reported; never trust it blindly.
  if (<usize>buf.byteLength == size) return buf;
  const n = min<usize>(size, <usize>buf.byteLength);
  return buf.slice(0, <i32>n);
}

/** Releases a host allocation we will not read (a call that failed after allocating). */
export function dropHostBuffer(): void {
  const ptr = load<usize>(RET_PTR);
  if (ptr != 0) __unpin(ptr);
  store<usize>(RET_PTR, 0);
  store<usize>(RET_SIZE, 0);
}
