// Test entry: public-key parsing and JWS signature verification, exposed to Node.
import { parseJwk, parsePem, parseSpki, PublicKeyResult } from "../crypto/keys";
import { verifySignature, VerifyResult, setNativeVerify, NativeMode, lastVerifyPath } from "../crypto/verify";
import { parseJsonObject } from "../json/parse";

function keyFrom(kind: i32, text: string, der: ArrayBuffer): PublicKeyResult {
  if (kind == 0) {
    const o = parseJsonObject(text);
    if (!o.ok) return PublicKeyResult.err("not a JSON object");
    return parseJwk(o.value!);
  }
  if (kind == 1) return parsePem(text);
  return parseSpki(Uint8Array.wrap(der));
}

/** kind: 0 JWK text, 1 PEM text, 2 SPKI DER. Returns a VerifyResult, or 100 if the key did not parse. */
export function verify(kind: i32, alg: string, keyText: string, keyDer: ArrayBuffer, input: ArrayBuffer, sig: ArrayBuffer): i32 {
  const k = keyFrom(kind, keyText, keyDer);
  if (!k.ok) return 100;
  return <i32>verifySignature(alg, k.key, input, sig);
}

/** "" if the key parses, else the error. */
export function keyError(kind: i32, keyText: string, keyDer: ArrayBuffer): string {
  return keyFrom(kind, keyText, keyDer).error;
}

/** The DER SubjectPublicKeyInfo we build for a key (empty if it does not parse). */
export function spki(kind: i32, keyText: string, keyDer: ArrayBuffer): ArrayBuffer {
  const k = keyFrom(kind, keyText, keyDer);
  if (!k.ok) return new ArrayBuffer(0);
  return k.key!.spki().slice().buffer;
}

export function path(): string { return lastVerifyPath; }
export function nativeOff(): void { setNativeVerify(NativeMode.Off); }

/** Verifies `n` times with a key parsed once (for the cost script). Returns the count of Ok. */
export function bench(kind: i32, alg: string, keyText: string, input: ArrayBuffer, sig: ArrayBuffer, n: i32): i32 {
  const k = keyFrom(kind, keyText, new ArrayBuffer(0));
  let ok = 0;
  for (let i = 0; i < n; i++) if (verifySignature(alg, k.key, input, sig) == VerifyResult.Ok) ok++;
  return ok;
}
