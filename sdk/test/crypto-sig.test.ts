// JWS signature verification (RS*, PS*, ES256/384, EdDSA) against signatures made by
// node:crypto with freshly generated keys; key parsing from JWK, PEM and DER; malformed input.
import { describe, it, expect, beforeAll } from "vitest";
import fc from "fast-check";
import { generateKeyPairSync, sign, constants, randomBytes, KeyObject, createPublicKey, createPrivateKey, X509Certificate } from "node:crypto";
import { loadAsModule } from "../../harness/src/ascunit.js";

const m = await loadAsModule("sdk/test/crypto-sig.entry.ts");
const ex = m.exports as unknown as Record<string, (...a: number[]) => number>;
const OK = 0, BAD = 1, UNSUPPORTED = 2, WRONG_KEY = 4, KEY_ERR = 100;

function call(name: string, args: (number | Uint8Array | string)[]): number {
  const ptrs: number[] = [];
  const a = args.map((x) => {
    if (typeof x === "number") return x;
    const p = typeof x === "string" ? m.newString(x) : m.newBuffer(x);
    ptrs.push(p);
    return p;
  });
  const r = ex[name](...a);
  for (const p of ptrs) m.unpin(p);
  return r;
}
type Key = { kind: 0 | 1 | 2; text: string; der: Uint8Array };
const jwkKey = (k: KeyObject | object): Key => ({ kind: 0, text: JSON.stringify(k instanceof KeyObject ? k.export({ format: "jwk" }) : k), der: new Uint8Array(0) });
const pemKey = (k: KeyObject): Key => ({ kind: 1, text: k.export({ format: "pem", type: "spki" }) as string, der: new Uint8Array(0) });
const derKey = (k: KeyObject | Uint8Array): Key => ({ kind: 2, text: "", der: k instanceof KeyObject ? new Uint8Array(k.export({ format: "der", type: "spki" })) : k });
const verify = (alg: string, key: Key, input: Uint8Array, sig: Uint8Array) => call("verify", [key.kind, alg, key.text, key.der, input, sig]);
const keyError = (key: Key) => m.getString(call("keyError", [key.kind, key.text, key.der]) >>> 0);
const spkiOf = (key: Key) => Buffer.from(m.getBuffer(call("spki", [key.kind, key.text, key.der]) >>> 0));

interface AlgCase { alg: string; gen: () => { publicKey: KeyObject; privateKey: KeyObject }; sign: (data: Uint8Array, priv: KeyObject) => Buffer }
const rsa = (bits: number) => () => generateKeyPairSync("rsa", { modulusLength: bits });
const pss = (hash: string, salt: number) => (d: Uint8Array, k: KeyObject) => sign(hash, d, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt });
const CASES: AlgCase[] = [
  { alg: "RS256", gen: rsa(2048), sign: (d, k) => sign("sha256", d, k) },
  { alg: "RS384", gen: rsa(2048), sign: (d, k) => sign("sha384", d, k) },
  { alg: "RS512", gen: rsa(3072), sign: (d, k) => sign("sha512", d, k) },
  { alg: "PS256", gen: rsa(2048), sign: pss("sha256", 32) },
  { alg: "PS384", gen: rsa(2049), sign: pss("sha384", 48) }, // odd size: emLen < k path
  { alg: "PS512", gen: rsa(2048), sign: pss("sha512", 64) },
  { alg: "ES256", gen: () => generateKeyPairSync("ec", { namedCurve: "P-256" }), sign: (d, k) => sign("sha256", d, { key: k, dsaEncoding: "ieee-p1363" }) },
  { alg: "ES384", gen: () => generateKeyPairSync("ec", { namedCurve: "P-384" }), sign: (d, k) => sign("sha384", d, { key: k, dsaEncoding: "ieee-p1363" }) },
  { alg: "EdDSA", gen: () => generateKeyPairSync("ed25519"), sign: (d, k) => sign(null, d, k) },
];

const flip = (b: Uint8Array, bit: number) => { const c = Uint8Array.from(b); c[(bit >> 3) % c.length] ^= 1 << (bit & 7); return c; };

describe("verifySignature against node:crypto signatures", () => {
  for (const c of CASES) {
    describe(c.alg, () => {
      let keys: { publicKey: KeyObject; privateKey: KeyObject }, other: { publicKey: KeyObject; privateKey: KeyObject };
      beforeAll(() => { keys = c.gen(); other = c.gen(); });

      it("valid signatures verify from JWK, PEM and DER keys; any flipped bit fails", () => {
        for (let i = 0; i < 6; i++) {
          const msg = randomBytes([0, 1, 64, 100, 1000, 5000][i]);
          const sig = c.sign(msg, keys.privateKey);
          for (const key of [jwkKey(keys.publicKey), pemKey(keys.publicKey), derKey(keys.publicKey)]) {
            expect(verify(c.alg, key, msg, sig)).toBe(OK);
          }
          const key = jwkKey(keys.publicKey);
          expect(verify(c.alg, key, flip(sig, (i * 977) % (sig.length * 8)), sig.length ? msg : msg)).not.toBe(OK);
          expect(verify(c.alg, key, msg, flip(sig, (i * 977 + 13) % (sig.length * 8)))).toBe(BAD);
          if (msg.length) expect(verify(c.alg, key, flip(msg, i * 31), sig)).toBe(BAD);
          expect(verify(c.alg, jwkKey(other.publicKey), msg, sig)).toBe(BAD);
        }
      });

      it("random messages and random single-bit flips (fast-check)", () => {
        const key = derKey(keys.publicKey);
        fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), (msg, bit) => {
          const sig = c.sign(msg, keys.privateKey);
          return verify(c.alg, key, msg, sig) === OK
            && verify(c.alg, key, msg, flip(sig, bit % (sig.length * 8))) === BAD
            && (msg.length === 0 || verify(c.alg, key, flip(msg, bit % (msg.length * 8)), sig) === BAD);
        }), { numRuns: c.alg.startsWith("RS") || c.alg.startsWith("PS") ? 15 : 25 });
      });

      it("a flipped bit in the key is refused or fails", () => {
        const der = new Uint8Array(keys.publicKey.export({ format: "der", type: "spki" }));
        const msg = randomBytes(50);
        const sig = c.sign(msg, keys.privateKey);
        // Flip bits in the key material (the last part of the SPKI).
        for (let i = 0; i < 24; i++) {
          const bit = (der.length - 1 - ((i * 7) % 32)) * 8 + (i % 8);
          const r = verify(c.alg, derKey(flip(der, bit)), msg, sig);
          expect([BAD, KEY_ERR]).toContain(r);
        }
        const jwk = keys.publicKey.export({ format: "jwk" }) as Record<string, string>;
        const field = jwk.n ? "n" : "x";
        const raw = Buffer.from(jwk[field], "base64url");
        raw[raw.length >> 1] ^= 4;
        expect([BAD, KEY_ERR]).toContain(verify(c.alg, jwkKey({ ...jwk, [field]: raw.toString("base64url") }), msg, sig));
      });

      it("short, long and empty signatures fail without trapping", () => {
        const msg = randomBytes(10);
        const sig = c.sign(msg, keys.privateKey);
        for (const s of [new Uint8Array(0), sig.subarray(0, sig.length - 1), Buffer.concat([sig, Buffer.from([0])]), Buffer.concat([Buffer.from([0]), sig]), new Uint8Array(sig.length).fill(0xff), new Uint8Array(sig.length)]) {
          expect(verify(c.alg, jwkKey(keys.publicKey), msg, s)).toBe(BAD);
        }
      });

      it("our SubjectPublicKeyInfo equals Node's export", () => {
        expect(spkiOf(jwkKey(keys.publicKey)).equals(keys.publicKey.export({ format: "der", type: "spki" }))).toBe(true);
      });
    });
  }

  it("PS* requires salt length = hash length (RFC 7518); RSA with other salt lengths is refused", () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const msg = randomBytes(20);
    expect(verify("PS256", jwkKey(publicKey), msg, pss("sha256", 20)(msg, privateKey))).toBe(BAD);
    expect(verify("PS256", jwkKey(publicKey), msg, pss("sha256", 32)(msg, privateKey))).toBe(OK);
    // PKCS#1 signature under PS256 and vice versa
    expect(verify("PS256", jwkKey(publicKey), msg, sign("sha256", msg, privateKey))).toBe(BAD);
    expect(verify("RS256", jwkKey(publicKey), msg, pss("sha256", 32)(msg, privateKey))).toBe(BAD);
  });

  it("RSA-4096 and exponent 3 work", () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 4096, publicExponent: 3 });
    const msg = randomBytes(33);
    expect(verify("RS256", pemKey(publicKey), msg, sign("sha256", msg, privateKey))).toBe(OK);
    expect(verify("PS512", pemKey(publicKey), msg, pss("sha512", 64)(msg, privateKey))).toBe(OK);
  });

  it("ECDSA signatures with high-s and DER encoding are handled like Node (raw r||s only)", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const msg = randomBytes(20);
    const der = sign("sha256", msg, privateKey); // DER, not JWS form
    expect(verify("ES256", jwkKey(publicKey), msg, der)).toBe(BAD);
    // (n - s) is also valid ECDSA (no low-s rule in JWS)
    const raw = sign("sha256", msg, { key: privateKey, dsaEncoding: "ieee-p1363" });
    const n = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    const s = BigInt("0x" + raw.subarray(32).toString("hex"));
    const hi = Buffer.concat([raw.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, "0"), "hex")]);
    expect(verify("ES256", jwkKey(publicKey), msg, hi)).toBe(OK);
  });
});

describe("algorithm / key mismatches and unsupported algorithms", () => {
  it("reports wrong key types and unknown algorithms", () => {
    const rsaK = jwkKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey);
    const p256 = jwkKey(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey);
    const p384 = jwkKey(generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey);
    const ed = jwkKey(generateKeyPairSync("ed25519").publicKey);
    const z = new Uint8Array(64);
    expect(verify("RS256", p256, z, z)).toBe(WRONG_KEY);
    expect(verify("ES256", p384, z, z)).toBe(WRONG_KEY);
    expect(verify("ES384", p256, z, z)).toBe(WRONG_KEY);
    expect(verify("EdDSA", rsaK, z, z)).toBe(WRONG_KEY);
    expect(verify("ES256", ed, z, z)).toBe(WRONG_KEY);
    for (const alg of ["none", "HS256", "ES512", "rs256", ""]) expect(verify(alg, rsaK, z, z)).toBe(UNSUPPORTED);
  });
});

describe("key parsing never traps", () => {
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
  const ecJwk = ec.export({ format: "jwk" }) as Record<string, string>;
  const rsaPub = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
  const rsaJwk = rsaPub.export({ format: "jwk" }) as Record<string, string>;

  it("rejects bad JWKs with an error", () => {
    const bad: object[] = [
      {}, { kty: "RSA" }, { kty: "RSA", n: "!!", e: "AQAB" }, { ...rsaJwk, e: "AA" }, { ...rsaJwk, e: "Ag" },
      { ...rsaJwk, n: Buffer.from(rsaJwk.n, "base64url").subarray(0, 64).toString("base64url") }, // 512-bit modulus
      { ...rsaJwk, n: Buffer.concat([Buffer.from(rsaJwk.n, "base64url"), Buffer.from([2])]).toString("base64url") }, // even
      { kty: "EC", crv: "P-521", x: ecJwk.x, y: ecJwk.y }, { ...ecJwk, x: ecJwk.x.slice(0, -2) },
      { ...ecJwk, y: Buffer.alloc(32, 0xff).toString("base64url") }, { ...ecJwk, y: ecJwk.x }, // off curve
      { kty: "OKP", crv: "Ed448", x: "AA" }, { kty: "OKP", crv: "Ed25519", x: Buffer.alloc(31).toString("base64url") },
      { kty: "oct", k: "AAAA" }, { kty: 5 }, { kty: "EC" }, { kty: "OKP" }, { kty: "EC", crv: null, x: ecJwk.x, y: ecJwk.y },
      { kty: "RSA", n: rsaJwk.n, e: "AQAB==" }, { kty: "RSA", n: rsaJwk.n, e: Buffer.alloc(9, 1).toString("base64url") },
    ];
    for (const b of bad) expect(keyError(jwkKey(b)), JSON.stringify(b)).not.toBe("");
    // Random JWK-shaped objects: an error or a key, never a trap.
    const b64 = fc.oneof(fc.string({ maxLength: 60 }), fc.uint8Array({ maxLength: 70 }).map((b) => Buffer.from(b).toString("base64url")), fc.constant(ecJwk.x), fc.constant(rsaJwk.n));
    fc.assert(fc.property(fc.record({ kty: fc.constantFrom("RSA", "EC", "OKP", "x"), crv: fc.constantFrom("P-256", "P-384", "Ed25519", "X25519"), n: b64, e: b64, x: b64, y: b64 }, { requiredKeys: ["kty"] }), (o) => {
      keyError(jwkKey(o));
      return true;
    }), { numRuns: 2000 });
    expect(keyError({ kind: 0, text: "[1,2", der: new Uint8Array(0) })).not.toBe("");
  });

  it("rejects garbage PEM and DER, and random mutations of real keys", () => {
    for (const t of ["", "hello", "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----\nMIIB\n", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"]) {
      expect(keyError({ kind: 1, text: t, der: new Uint8Array(0) })).not.toBe("");
    }
    const ders = [ec, rsaPub, generateKeyPairSync("ed25519").publicKey, generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey]
      .map((k) => new Uint8Array(k.export({ format: "der", type: "spki" })));
    fc.assert(fc.property(fc.constantFrom(...ders), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), fc.nat(), (der, edits, cut) => {
      const d = Uint8Array.from(der);
      for (const [pos, val] of edits) d[pos % d.length] = val;
      const truncated = d.subarray(0, cut % (d.length + 1));
      // Must return (either an error or a key Node also accepts); a trap would throw here.
      for (const x of [d, truncated]) {
        const err = keyError(derKey(x));
        if (err === "") { expect(() => createPublicKey({ key: Buffer.from(x), format: "der", type: "spki" })).not.toThrow(); }
      }
      return true;
    }), { numRuns: 1500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => { keyError(derKey(b)); return true; }), { numRuns: 1000 });
  });

  it("reads compressed EC points (SEC1 02/03) in SubjectPublicKeyInfo", () => {
    for (const [crv, alg, hash, prefix] of [
      ["P-256", "ES256", "sha256", "3039301306072a8648ce3d020106082a8648ce3d030107032200"],
      ["P-384", "ES384", "sha384", "3046301006072a8648ce3d020106052b81040022033200"],
    ] as const) {
      for (let i = 0; i < 4; i++) {
        const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: crv });
        const jwk = publicKey.export({ format: "jwk" }) as Record<string, string>;
        const x = Buffer.from(jwk.x, "base64url"), y = Buffer.from(jwk.y, "base64url");
        const spki = Buffer.concat([Buffer.from(prefix, "hex"), Buffer.from([2 + (y[y.length - 1] & 1)]), x]);
        const msg = randomBytes(12);
        const sig = sign(hash, msg, { key: privateKey, dsaEncoding: "ieee-p1363" });
        expect(verify(alg, derKey(spki), msg, sig)).toBe(OK);
        expect(spkiOf(derKey(spki)).equals(publicKey.export({ format: "der", type: "spki" }))).toBe(true);
        const wrongSign = Buffer.from(spki); wrongSign[prefix.length / 2] ^= 1; // the other y
        expect(verify(alg, derKey(wrongSign), msg, sig)).toBe(BAD);
      }
    }
  });

  it("reads RSA PUBLIC KEY (PKCS#1) and certificate PEM", () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pkcs1 = publicKey.export({ format: "pem", type: "pkcs1" }) as string;
    const msg = randomBytes(9);
    expect(verify("RS256", { kind: 1, text: pkcs1, der: new Uint8Array(0) }, msg, sign("sha256", msg, privateKey))).toBe(OK);
    // An X.509 certificate made by openssl for an EC key (fixed below, so the test starts no
    // process): we verify with the key inside it.
    const ecKey = createPrivateKey(EC_CERT_KEY);
    expect(new X509Certificate(EC_CERT).checkPrivateKey(ecKey)).toBe(true);
    const sig = sign("sha256", msg, { key: ecKey, dsaEncoding: "ieee-p1363" });
    expect(verify("ES256", { kind: 1, text: "junk before\n" + EC_CERT, der: new Uint8Array(0) }, msg, sig)).toBe(OK);
    expect(verify("ES256", { kind: 1, text: EC_CERT, der: new Uint8Array(0) }, msg, flip(sig, 3))).toBe(BAD);
  });
});

// `openssl ecparam -name prime256v1 -genkey | openssl pkcs8 -topk8 -nocrypt` and
// `openssl req -x509 -new -key k.pem -days 36500 -subj /CN=sluice-test`.
const EC_CERT_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+CE4jWDHk2mxWScI
Og6R8sVtYzOD+llI9Prmt2HSZHuhRANCAAT2O0Afm2qNNljQI+y4h20ZfSV1eYv3
jTF0e/ICq/T3HJGepipWvXAUFh4tjbP6qV87olsOas5VSnVuX63wPeE4
-----END PRIVATE KEY-----
`;
const EC_CERT = `-----BEGIN CERTIFICATE-----
MIIBgzCCASigAwIBAgITdtAnJ86u7uk0LoKjxT++LVSvpzAKBggqhkjOPQQDAjAW
MRQwEgYDVQQDDAtzbHVpY2UtdGVzdDAgFw0yNjEyMDIxOTA1NTFaGA8yMTI2MTEw
ODE5MDU1MVowFjEUMBIGA1UEAwwLc2x1aWNlLXRlc3QwWTATBgcqhkjOPQIBBggq
hkjOPQMBBwNCAAT2O0Afm2qNNljQI+y4h20ZfSV1eYv3jTF0e/ICq/T3HJGepipW
vXAUFh4tjbP6qV87olsOas5VSnVuX63wPeE4o1MwUTAdBgNVHQ4EFgQUvCoI4NAr
Vif4+FzAN47yzZHyLbQwHwYDVR0jBBgwFoAUvCoI4NArVif4+FzAN47yzZHyLbQw
DwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA4IxGyrcwYo34bUBP
vpGWokNNX5WPki8cP0HCEfffiE4CIQCitJkEgshHZeY0907rGeWtXWA+KE5MCRvl
k6V5Fp+5Ww==
-----END CERTIFICATE-----
`;
