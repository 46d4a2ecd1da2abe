// A header value taken from a request body (a model name, a form field) must not carry CR, LF or
// NUL: the host would write it as it is, and a CRLF would start a header of the client's choosing.

/** True when the bytes can be a header value (no CR, LF or NUL). */
export function isSafeHeaderValue(value: ArrayBuffer): bool {
  const base = changetype<usize>(value);
  for (let i = 0; i < value.byteLength; i++) {
    const c = load<u8>(base + <usize>i);
    if (c == 0x0d || c == 0x0a || c == 0) return false;
  }
  return true;
}
