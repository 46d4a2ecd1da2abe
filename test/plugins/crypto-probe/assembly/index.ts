// crypto-probe: a plugin used only by tests, to show what the SDK's crypto does inside a real
// host. Every request is a POST with a JSON body; the answer is a JSON local response.
//   /raw     call the host's verify_signature with exactly the given fields
//            {hash, key_der (base64), key_pem, sig (base64), text (base64)}
//            → {status, result, error}
//   /verify  the SDK's verifySignature {alg, jwk | pem, input (base64url), sig (base64url),
//            native: bool} → {result, impl ("native" | "as"), key_error}
//   /hash    {data (base64), key (base64)} → sha256/sha512/hmac-sha256 hex, crc32 of data
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, registerPlugin, quoteJsonString, HeaderPair } from "@sluice/sdk";
import { sha256, sha512, hmacSha256, crc32, parseJwk, parsePem, PublicKeyResult, verifySignature, verifyResultName, setNativeVerify, NativeMode, lastVerifyImpl, nativeVerifyRaw } from "@sluice/sdk/crypto";
import { base64Decode, base64UrlDecode, hexEncode } from "@sluice/sdk/encoding";
import { parseJsonBytes } from "@sluice/sdk/json";
export * from "@sluice/sdk/exports";

class ProbeConfig {}

class CryptoProbe extends Plugin<ProbeConfig> {
  parseConfig(json: JsonObject, global: ProbeConfig | null, err: ConfigError): ProbeConfig | null { return new ProbeConfig(); }
  newFilter(): HttpFilter<ProbeConfig> { return new ProbeFilter(); }
}

function bytesField(o: JsonObject, name: string, url: bool): Uint8Array {
  const s = o.getString(name);
  if (s === null) return new Uint8Array(0);
  const b = url ? base64UrlDecode(s) : base64Decode(s);
  return b === null ? new Uint8Array(0) : Uint8Array.wrap(b);
}

function str(o: JsonObject, name: string): string {
  const s = o.getString(name);
  return s === null ? "" : s;
}

const JSON_HEADERS: Array<HeaderPair> = [new HeaderPair("content-type", "application/json")];

class ProbeFilter extends HttpFilter<ProbeConfig> {
  path: string = "";

  onRequestHeaders(endOfStream: bool): Action {
    const p = this.requestHeaders.get(":path");
    this.path = p === null ? "" : p;
    if (endOfStream) return this.respond(400, "{\"error\":\"POST a JSON body\"}", JSON_HEADERS);
    this.requestBodyMode = BodyMode.Buffer;
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const parsed = parseJsonBytes(body);
    let obj: JsonObject | null = null;
    const v = parsed.value;
    if (parsed.ok && v !== null) obj = v.asObject();
    if (obj === null) return this.respond(400, "{\"error\":\"body is not a JSON object\"}", JSON_HEADERS);
    const o = obj!;
    if (this.path == "/raw") return this.respond(200, raw(o), JSON_HEADERS);
    if (this.path == "/verify") return this.respond(200, verify(o), JSON_HEADERS);
    if (this.path == "/hash") return this.respond(200, hashes(o), JSON_HEADERS);
    return this.respond(404, "{\"error\":\"unknown probe\"}", JSON_HEADERS);
  }
}

function raw(o: JsonObject): string {
  const r = nativeVerifyRaw(str(o, "hash"), bytesField(o, "key_der", false), str(o, "key_pem"), bytesField(o, "sig", false), bytesField(o, "text", false));
  return "{\"status\":" + r.status.toString() + ",\"result\":" + (r.result ? "true" : "false") + ",\"error\":" + quoteJsonString(r.error) + "}";
}

function verify(o: JsonObject): string {
  let key: PublicKeyResult;
  const jwkVal = o.get("jwk");
  let jwk: JsonObject | null = null;
  if (jwkVal !== null) jwk = jwkVal.asObject();
  if (jwk !== null) key = parseJwk(jwk!);
  else key = parsePem(str(o, "pem"));
  const nativeVal = o.get("native");
  const native = nativeVal === null ? true : nativeVal.asBool(true);
  setNativeVerify(native ? NativeMode.Auto : NativeMode.Off);
  const r = verifySignature(str(o, "alg"), key.key, bytesField(o, "input", true), bytesField(o, "sig", true));
  return "{\"result\":" + quoteJsonString(verifyResultName(r)) + ",\"impl\":" + quoteJsonString(lastVerifyImpl()) + ",\"key_error\":" + quoteJsonString(key.error) + "}";
}

function hashes(o: JsonObject): string {
  const data = bytesField(o, "data", false);
  const key = bytesField(o, "key", false);
  return "{\"sha256\":" + quoteJsonString(hexEncode(sha256(data))) + ",\"sha512\":" + quoteJsonString(hexEncode(sha512(data)))
    + ",\"hmac_sha256\":" + quoteJsonString(hexEncode(hmacSha256(key, data))) + ",\"crc32\":" + crc32(data).toString() + "}";
}

registerPlugin("crypto-probe", () => new CryptoProbe());
