// The crypto-probe's higress.wasm in the emulator (Higress ABI 0.2.100, no verify_signature
// foreign function): every JWS algorithm is verified by the AssemblyScript code.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { generateKeyPairSync, sign, constants, KeyObject } from "node:crypto";
import { testPluginWasm } from "../../harness/src/tools.js";
import { Emulator } from "../../harness/src/emulator/index.js";

let host: Emulator;
beforeAll(async () => {
  host = await Emulator.load(testPluginWasm("crypto-probe", "higress"), { config: {}, pluginName: "crypto-probe" });
  expect(host.target).toBe("higress");
});
afterAll(() => host?.close());

async function post(path: string, body: object): Promise<Record<string, unknown>> {
  const r = await host.request({ method: "POST", path, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(r.status, r.body).toBe(200);
  return JSON.parse(r.body);
}

describe("signatures on the higress target", () => {
  const input = Buffer.from("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJoaWdyZXNzIn0");
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pss = (h: string, s: number) => (k: KeyObject) => sign(h, input, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: s });
  const algs: [string, { publicKey: KeyObject; privateKey: KeyObject }, (k: KeyObject) => Buffer][] = [
    ["RS256", rsa, (k) => sign("sha256", input, k)],
    ["RS512", rsa, (k) => sign("sha512", input, k)],
    ["PS384", rsa, pss("sha384", 48)],
    ["ES256", generateKeyPairSync("ec", { namedCurve: "P-256" }), (k) => sign("sha256", input, { key: k, dsaEncoding: "ieee-p1363" })],
    ["ES384", generateKeyPairSync("ec", { namedCurve: "P-384" }), (k) => sign("sha384", input, { key: k, dsaEncoding: "ieee-p1363" })],
    ["EdDSA", generateKeyPairSync("ed25519"), (k) => sign(null, input, k)],
  ];

  it("the host has no verify_signature (NotFound)", async () => {
    expect(await post("/raw", { hash: "sha256", key_der: "AAAA", sig: "AAAA", text: "AAAA" })).toMatchObject({ status: 1 });
  });

  for (const [alg, keys, signer] of algs) {
    it(`${alg}: verified in AssemblyScript; a tampered signature fails`, async () => {
      const sig = signer(keys.privateKey);
      const bad = Buffer.from(sig); bad[3] ^= 1;
      const jwk = keys.publicKey.export({ format: "jwk" });
      expect(await post("/verify", { alg, jwk, input: input.toString("base64url"), sig: sig.toString("base64url") })).toEqual({ result: "ok", impl: "as", key_error: "" });
      expect(await post("/verify", { alg, jwk, input: input.toString("base64url"), sig: bad.toString("base64url") })).toEqual({ result: "bad_signature", impl: "as", key_error: "" });
    });
  }
});
