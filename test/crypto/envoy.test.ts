// The SDK's crypto inside a real Envoy (crypto-probe plugin):
// 1. what Envoy's `verify_signature` foreign function accepts (argument encoding, key formats,
//    hash names, signature encodings), called with raw arguments;
// 2. verifySignature for every JWS algorithm, both with the native path allowed (RS*/ES* go to
//    Envoy) and forced off (the AssemblyScript fallback, as on Higress);
// 3. hashes/HMAC/CRC32 computed in Envoy agree with Node.
import { describe, it, expect } from "vitest";
import { generateKeyPairSync, sign, constants, KeyObject, createHash, createHmac, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { http } from "../../harness/src/index.js";
import { testPluginWasm } from "../../harness/src/tools.js";
import { useEnvoy } from "../../harness/src/vitest.js";

const gw = useEnvoy(() => ({
  plugins: [{ name: "crypto-probe", wasm: testPluginWasm("crypto-probe"), config: {} }],
  routes: [{ name: "main", prefix: "/", cluster: "up" }],
  clusters: [{ name: "up", port: 1 }], // never reached: the probe always answers itself
}));

async function post(path: string, body: object): Promise<Record<string, unknown>> {
  const r = await http(gw.url + path, { method: "POST", headers: [["content-type", "application/json"]], body: JSON.stringify(body) });
  expect(r.status, r.body).toBe(200);
  return JSON.parse(r.body);
}

const der = (k: KeyObject) => k.export({ format: "der", type: "spki" }).toString("base64");
const pem = (k: KeyObject) => k.export({ format: "pem", type: "spki" }) as string;
const text = randomBytes(100);
const t64 = text.toString("base64");
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
const ed = generateKeyPairSync("ed25519");
const VERIFIED = { status: 0, result: true, error: "" };
const MISMATCH = { status: 0, result: false, error: "Failed to verify digest. Error code: 0" };
const CANNOT = { status: 0, result: false, error: "Failed to initialize digest verify." };

describe("Envoy's verify_signature (raw arguments)", () => {
  const cases: [string, object, object][] = [
    ["RSA PKCS#1 v1.5, SHA-256, SPKI DER key", { hash: "sha256", key_der: der(rsa.publicKey), sig: sign("sha256", text, rsa.privateKey).toString("base64"), text: t64 }, VERIFIED],
    ["… a signature over other data", { hash: "sha256", key_der: der(rsa.publicKey), sig: sign("sha256", Buffer.from("x"), rsa.privateKey).toString("base64"), text: t64 }, MISMATCH],
    ["… hash names sha1, sha384, sha512 work", { hash: "SHA384", key_der: der(rsa.publicKey), sig: sign("sha384", text, rsa.privateKey).toString("base64"), text: t64 }, VERIFIED],
    ["… sha1", { hash: "sha1", key_der: der(rsa.publicKey), sig: sign("sha1", text, rsa.privateKey).toString("base64"), text: t64 }, VERIFIED],
    ["… md5 is refused", { hash: "md5", key_der: der(rsa.publicKey), sig: sign("md5", text, rsa.privateKey).toString("base64"), text: t64 }, { status: 0, result: false, error: "md5 is not supported." }],
    ["… PEM key in public_key_pem (field 5)", { hash: "sha512", key_pem: pem(rsa.publicKey), sig: sign("sha512", text, rsa.privateKey).toString("base64"), text: t64 }, VERIFIED],
    ["… PKCS#1 RSAPublicKey DER (not SPKI) cannot be imported", { hash: "sha256", key_der: rsa.publicKey.export({ format: "der", type: "pkcs1" }).toString("base64"), sig: sign("sha256", text, rsa.privateKey).toString("base64"), text: t64 }, CANNOT],
    ["RSA-PSS: no way to ask for PSS padding → a valid PSS signature fails", { hash: "sha256", key_der: der(rsa.publicKey), sig: sign("sha256", text, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString("base64"), text: t64 }, MISMATCH],
    ["ECDSA P-256 with a DER signature", { hash: "sha256", key_der: der(p256.publicKey), sig: sign("sha256", text, p256.privateKey).toString("base64"), text: t64 }, VERIFIED],
    ["ECDSA P-256 with a JWS raw r||s signature fails (needs DER)", { hash: "sha256", key_der: der(p256.publicKey), sig: sign("sha256", text, { key: p256.privateKey, dsaEncoding: "ieee-p1363" }).toString("base64"), text: t64 }, MISMATCH],
    ["ECDSA P-384 with a DER signature", { hash: "sha384", key_der: der(p384.publicKey), sig: sign("sha384", text, p384.privateKey).toString("base64"), text: t64 }, VERIFIED],
    ["Ed25519 with a hash name: cannot", { hash: "sha512", key_der: der(ed.publicKey), sig: sign(null, text, ed.privateKey).toString("base64"), text: t64 }, CANNOT],
    ["Ed25519 without a hash name: refused", { hash: "", key_der: der(ed.publicKey), sig: sign(null, text, ed.privateKey).toString("base64"), text: t64 }, { status: 0, result: false, error: " is not supported." }],
    ["garbage DER key", { hash: "sha256", key_der: "AAAA", sig: "AAAA", text: t64 }, CANNOT],
    ["both DER and PEM keys → BadArgument", { hash: "sha256", key_der: der(rsa.publicKey), key_pem: pem(rsa.publicKey), sig: "AAAA", text: t64 }, { status: 2, result: false, error: "" }],
  ];
  for (const [name, body, want] of cases) {
    it(name, async () => expect(await post("/raw", body)).toEqual(want));
  }
});

describe("verifySignature in Envoy: native where it works, AssemblyScript elsewhere", () => {
  const b64u = (b: Buffer) => b.toString("base64url");
  const input = Buffer.from("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzbHVpY2UifQ");
  const pss = (h: string, salt: number) => (k: KeyObject) => sign(h, input, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt });
  const algs: [string, { publicKey: KeyObject; privateKey: KeyObject }, (k: KeyObject) => Buffer, string][] = [
    ["RS256", rsa, (k) => sign("sha256", input, k), "native"],
    ["RS384", rsa, (k) => sign("sha384", input, k), "native"],
    ["RS512", rsa, (k) => sign("sha512", input, k), "native"],
    ["PS256", rsa, pss("sha256", 32), "as"],
    ["PS384", rsa, pss("sha384", 48), "as"],
    ["PS512", rsa, pss("sha512", 64), "as"],
    ["ES256", p256, (k) => sign("sha256", input, { key: k, dsaEncoding: "ieee-p1363" }), "native"],
    ["ES384", p384, (k) => sign("sha384", input, { key: k, dsaEncoding: "ieee-p1363" }), "native"],
    ["EdDSA", ed, (k) => sign(null, input, k), "as"],
  ];
  for (const [alg, keys, signer, impl] of algs) {
    it(`${alg}: valid → ok, tampered → bad_signature, with native ${impl === "native" ? "used" : "unavailable"} and with native off`, async () => {
      const sig = signer(keys.privateKey);
      const jwk = keys.publicKey.export({ format: "jwk" });
      const bad = Buffer.from(sig); bad[bad.length >> 1] ^= 0x10;
      for (const native of [true, false]) {
        const want = native ? impl : "as";
        expect(await post("/verify", { alg, jwk, input: b64u(input), sig: b64u(sig), native })).toEqual({ result: "ok", impl: want, key_error: "" });
        expect(await post("/verify", { alg, pem: pem(keys.publicKey), input: b64u(input), sig: b64u(bad), native })).toEqual({ result: "bad_signature", impl: want, key_error: "" });
        expect(await post("/verify", { alg, jwk, input: b64u(Buffer.concat([input, Buffer.from("x")])), sig: b64u(sig), native })).toMatchObject({ result: "bad_signature" });
      }
    });
  }
  it("malformed keys and signatures give errors, and the VM keeps serving", async () => {
    expect(await post("/verify", { alg: "RS256", pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", input: "eA", sig: "eA" })).toMatchObject({ result: "malformed_key" });
    expect(await post("/verify", { alg: "ES256", jwk: { kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" }, input: "eA", sig: "eA" })).toMatchObject({ result: "malformed_key" });
    expect(await post("/verify", { alg: "ES256", jwk: p256.publicKey.export({ format: "jwk" }), input: "eA", sig: "eA" })).toMatchObject({ result: "bad_signature" });
    expect(await post("/verify", { alg: "RS256", jwk: rsa.publicKey.export({ format: "jwk" }), input: "eA", sig: "" })).toMatchObject({ result: "bad_signature" });
    expect(await post("/verify", { alg: "HS256", jwk: rsa.publicKey.export({ format: "jwk" }), input: "eA", sig: "eA" })).toMatchObject({ result: "unsupported" });
    const sig = sign("sha256", Buffer.from("x"), rsa.privateKey);
    expect(await post("/verify", { alg: "RS256", jwk: rsa.publicKey.export({ format: "jwk" }), input: "eA", sig: sig.toString("base64url") })).toEqual({ result: "ok", impl: "native", key_error: "" });
  });
});

describe("hashes in Envoy", () => {
  it("sha256, sha512, hmac-sha256 and crc32 agree with Node", async () => {
    for (const n of [0, 1, 63, 64, 65, 1000, 100000]) {
      const data = randomBytes(n), key = randomBytes(n % 97);
      expect(await post("/hash", { data: data.toString("base64"), key: key.toString("base64") })).toEqual({
        sha256: createHash("sha256").update(data).digest("hex"),
        sha512: createHash("sha512").update(data).digest("hex"),
        hmac_sha256: createHmac("sha256", key).update(data).digest("hex"),
        crc32: crc32(data),
      });
    }
  });
});
