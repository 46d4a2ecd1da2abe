// Google Vertex AI and Google's OAuth2 token endpoint, as strict as the real ones for what
// ai-proxy's vertex provider sends:
//   oauth2.googleapis.com POST /token (form): grant_type jwt-bearer, an RS256 JWT assertion whose
//     signature verifies with a known service account's public key, kid = that key's id, claims
//     iss (the account), scope, aud (token_uri), iat within 5 minutes of now, exp = iat + ≤ 1 h →
//     {access_token, expires_in, token_type}; else Google's {error, error_description} with 400.
//   {region-}aiplatform.googleapis.com:
//     express  /v1/publishers/google/models/{m}:{generateContent|streamGenerateContent|predict}?key=…
//     standard /v1/projects/{p}/locations/{r}/publishers/google/models/{m}:{…} with a Bearer token
//              this mock issued (and the host of that region)
//     OpenAI   /v1beta1/projects/{p}/locations/{r}/endpoints/openapi/chat/completions (Bearer)
//   Chat bodies are checked and answered as the Gemini mock does (Vertex's generateContent is
//   Gemini's); `:predict` takes {instances: [{content}]} and answers text-embedding predictions.
import { generateKeyPairSync, createPublicKey, verify as verifySig, randomBytes, type KeyObject } from "node:crypto";
import { type Answer, type Family, type MockRequest, bad, need, header, validKey, countTokens } from "./common.js";
import { geminiFamily } from "./gemini.js";
import { openaiChat, validateChat, embeddingOf } from "./openai.js";

export const VERTEX_PROJECT = "sluice-test-project";
export const VERTEX_REGION = "us-central1";
export const VERTEX_TOKEN_URI = "https://oauth2.googleapis.com/token";
const SCOPE = "https://www.googleapis.com/auth/cloud-platform";

function serviceAccount(email: string, keyId: string, privateKey: KeyObject) {
  return {
    type: "service_account",
    project_id: VERTEX_PROJECT,
    private_key_id: keyId,
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    client_email: email,
    client_id: "100000000000000000001",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: VERTEX_TOKEN_URI,
  };
}

const good = generateKeyPairSync("rsa", { modulusLength: 2048 });
const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
/** A service account the token endpoint knows (its public key registered under its key id). */
export const VERTEX_SA = serviceAccount("gateway@sluice-test-project.iam.gserviceaccount.com", "b1e1a2c3d4e5f60718293a4b5c6d7e8f90a1b2c3", good.privateKey);
/** The same account's email with a key Google never saw: its assertions fail the signature check. */
export const VERTEX_SA_WRONG_KEY = serviceAccount(VERTEX_SA.client_email, VERTEX_SA.private_key_id, other.privateKey);
const KNOWN = new Map<string, { keyId: string; publicKey: KeyObject }>([[VERTEX_SA.client_email, { keyId: VERTEX_SA.private_key_id, publicKey: createPublicKey(good.privateKey) }]]);

/** Test switch: the lifetime of the tokens the endpoint issues (Google's: 3599 s). */
export const vertexMockOptions = { expiresIn: 3599 };

/** Every token request the endpoint answered (tests count them), and the tokens it issued. */
export const VERTEX_TOKEN_REQUESTS: { ok: boolean; error?: string; claims?: Record<string, unknown> }[] = [];
const issued = new Set<string>();

const b64url = (s: string) => Buffer.from(s, "base64url");

function tokenError(error: string, description: string): Answer {
  VERTEX_TOKEN_REQUESTS.push({ ok: false, error: description });
  return { kind: "json", status: 400, body: { error, error_description: description } };
}

function token(req: MockRequest): Answer {
  if (req.method !== "POST" || req.path !== "/token") bad(`no route ${req.method} ${req.path}`, 404);
  if (!(header(req, "content-type") ?? "").startsWith("application/x-www-form-urlencoded")) return tokenError("invalid_request", "Bad Request");
  const form = new URLSearchParams(req.raw);
  if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") return tokenError("unsupported_grant_type", "Invalid grant_type: " + form.get("grant_type"));
  const parts = (form.get("assertion") ?? "").split(".");
  if (parts.length !== 3) return tokenError("invalid_request", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.");
  let head: any, claims: any;
  try { head = JSON.parse(b64url(parts[0]).toString("utf8")); claims = JSON.parse(b64url(parts[1]).toString("utf8")); } catch { return tokenError("invalid_grant", "Invalid JWT: malformed segments"); }
  if (head.alg !== "RS256") return tokenError("invalid_grant", `Invalid JWT: alg ${head.alg}`);
  const acct = KNOWN.get(claims.iss);
  if (!acct) return tokenError("invalid_grant", "Invalid grant: account not found");
  if (head.kid !== undefined && head.kid !== acct.keyId) return tokenError("invalid_grant", "Invalid JWT Signature.");
  const signed = verifySig("RSA-SHA256", Buffer.from(`${parts[0]}.${parts[1]}`), acct.publicKey, b64url(parts[2]));
  if (!signed) return tokenError("invalid_grant", "Invalid JWT Signature.");
  if (claims.aud !== VERTEX_TOKEN_URI) return tokenError("invalid_grant", "Invalid JWT: aud must be " + VERTEX_TOKEN_URI);
  if (claims.scope !== SCOPE) return tokenError("invalid_scope", "Invalid OAuth scope or ID token audience provided.");
  const now = Math.floor(Date.now() / 1000);
  if (!Number.isInteger(claims.iat) || !Number.isInteger(claims.exp) || Math.abs(claims.iat - now) > 300 || claims.exp <= claims.iat || claims.exp - claims.iat > 3600) {
    return tokenError("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
  }
  const t = "ya29.mock-" + randomBytes(12).toString("hex");
  issued.add(t);
  VERTEX_TOKEN_REQUESTS.push({ ok: true, claims });
  return { kind: "json", body: { access_token: t, expires_in: vertexMockOptions.expiresIn, token_type: "Bearer" } };
}

function bearerIssued(req: MockRequest): void {
  const auth = header(req, "authorization") ?? "";
  if (!auth.startsWith("Bearer ") || !issued.has(auth.slice(7))) {
    bad("Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", 401);
  }
}

function predict(req: MockRequest): Answer {
  const body = req.body;
  need(body && typeof body === "object", "Invalid JSON payload");
  for (const k of Object.keys(body)) need(k === "instances" || k === "parameters", `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
  need(Array.isArray(body.instances) && body.instances.length > 0, "instances is required");
  for (const i of body.instances) need(typeof i?.content === "string", "instances[].content must be a string");
  const predictions = body.instances.map((i: any) => ({ embeddings: { values: embeddingOf(i.content), statistics: { token_count: countTokens(i.content), truncated: false } } }));
  const total = body.instances.reduce((n: number, i: any) => n + countTokens(i.content), 0);
  return { kind: "json", usage: { prompt_tokens: total, completion_tokens: 0, total_tokens: total }, body: { predictions, metadata: { billableCharacterCount: total } } };
}

export const vertexFamily: Family = {
  name: "vertex",
  errorBody: geminiFamily.errorBody,
  handle(req: MockRequest): Answer {
    const host = header(req, "host") ?? "";
    if (host === "oauth2.googleapis.com") return token(req);
    const region = host === "aiplatform.googleapis.com" ? "global" : /^([a-z0-9-]+)-aiplatform\.googleapis\.com$/.exec(host)?.[1];
    if (!region) bad(`unknown host ${host}`, 404);
    const [path, query = ""] = req.path.split("?");
    need(req.method === "POST", "POST required");
    const express = /^\/v1\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|predict)$/.exec(path);
    const standard = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|predict)$/.exec(path);
    const compat = /^\/v1beta1\/projects\/([^/]+)\/locations\/([^/]+)\/endpoints\/openapi\/chat\/completions$/.exec(path);
    let model: string, verb: string;
    if (express) {
      if (host !== "aiplatform.googleapis.com") bad("Express mode is served on aiplatform.googleapis.com only", 404);
      const key = new URLSearchParams(query).get("key") ?? undefined;
      if (!validKey(key)) bad("API key not valid. Please pass a valid API key.", 400);
      if (header(req, "authorization")) bad("Request had both an API key and an OAuth token", 401);
      [, model, verb] = express;
    } else if (standard || compat) {
      const [, project, location] = (standard ?? compat)!;
      if (project !== VERTEX_PROJECT) bad(`Permission denied on resource project ${project}.`, 403);
      if (location !== region && !(location === "global" && region === "global")) bad(`Location ${location} is not served by ${host}`, 400);
      bearerIssued(req);
      if (compat) {
        validateChat(req.body);
        need(typeof req.body.model === "string" && req.body.model.startsWith("google/"), `Model ${req.body.model} is not supported; use publisher/model, e.g. google/gemini-2.0-flash-001`);
        return openaiChat(req, req.body);
      }
      model = standard![3]; verb = standard![4];
    } else bad(`The requested URL ${path} was not found on this server.`, 404);
    if (verb === "predict") return predict(req);
    // generateContent / streamGenerateContent: Gemini's body and answers.
    const gemini: MockRequest = { ...req, path: `/v1beta/models/${model}:${verb}${verb === "streamGenerateContent" ? "?" + query.split("&").filter((p) => p === "alt=sse").join("&") : ""}`, headers: { ...req.headers, host: "generativelanguage.googleapis.com", "x-goog-api-key": "sk-vertex-gemini" } };
    return geminiFamily.handle(gemini);
  },
};
