// Header names as the host takes them: lower-case UTF-8 bytes. A plugin asks for the same few
// names on every request ("x-request-id", ":path", its configured keys), so the bytes are cached
// by the name string's identity: a small direct-mapped table that holds the string it was made
// from, so the address cannot be reused by another string while the entry lives. A miss costs
// what every call cost before (lower-case, encode); a hit costs a load and a compare.

const SLOTS: i32 = 256;
const names = new StaticArray<string | null>(SLOTS);
const keys = new StaticArray<ArrayBuffer | null>(SLOTS);

/** `name` lower-cased and UTF-8 encoded; the returned bytes are shared: never write to them. */
export function headerKey(name: string): ArrayBuffer {
  const p = changetype<usize>(name);
  // Fibonacci hashing of the address: neighbouring strings (a plugin's literals lie side by side
  // in its data segment) land in different slots.
  const i = <i32>((<u32>(p >> 2) * 0x9e3779b1) >> 24) & (SLOTS - 1);
  const cached = unchecked(names[i]);
  if (cached !== null && changetype<usize>(cached) == p) {
    const k = unchecked(keys[i]);
    if (k !== null) return k;
  }
  const k = String.UTF8.encode(name.toLowerCase());
  unchecked(names[i] = name);
  unchecked(keys[i] = k);
  return k;
}
