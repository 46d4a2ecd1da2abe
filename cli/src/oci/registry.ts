// A small OCI distribution client on global fetch: the push half of the spec (blob HEAD, upload
// POST/PATCH/PUT, manifest PUT) with Basic and Bearer auth, retries with backoff on transient
// failures (5xx, 429, connection resets), and one clear error per failure.
import { createHash } from "node:crypto";
import { CliError, errorCode } from "../errors.js";
import type { Credentials } from "./credentials.js";
import { isLoopback } from "./reference.js";

export class RegistryError extends CliError {
  constructor(message: string, readonly kind: "auth" | "denied" | "not-found" | "digest" | "network" | "protocol" | "invalid") {
    super(message);
  }
}

export function sha256Digest(data: Buffer | string): string {
  return "sha256:" + createHash("sha256").update(data).digest("hex");
}

export interface RegistryOptions {
  registry: string;
  /** Plain HTTP (implied for loopback registries). */
  insecure?: boolean;
  credentials?: Credentials | null;
  retries?: number;
  backoffMs?: number;
  /** Blobs larger than this are uploaded in PATCH chunks. */
  chunkSize?: number;
  log?: (line: string) => void;
}

interface SendOptions {
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** What the request is for, in error messages ("uploading plugin.tar.gz"). */
  what: string;
}

const TRANSIENT_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "EAI_AGAIN"]);
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);

/** Parses `Bearer realm="…",service="…",scope="…"` into its scheme and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^\s*(\w+)\s*(.*)$/.exec(header) ?? ["", "", ""];
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2]))) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3];
  return { scheme: m[1].toLowerCase(), params };
}

async function errorDetail(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const j = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    if (j.errors?.length) return j.errors.map((e) => `${e.code ?? ""}${e.message ? `: ${e.message}` : ""}`).join("; ");
  } catch {
    /* not JSON */
  }
  return text.trim().split("\n")[0].slice(0, 200) || res.statusText;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RegistryClient {
  readonly base: string;
  private authorization: string | undefined;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly chunkSize: number;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: RegistryOptions) {
    const scheme = opts.insecure || isLoopback(opts.registry) ? "http" : "https";
    this.base = `${scheme}://${opts.registry}`;
    this.retries = opts.retries ?? 4;
    this.backoffMs = opts.backoffMs ?? 500;
    this.chunkSize = opts.chunkSize ?? 8 * 1024 * 1024;
    this.log = opts.log ?? (() => {});
  }

  private url(pathOrUrl: string): string {
    return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : this.base + pathOrUrl;
  }

  /** One request, authenticated on demand, retried on transient failures. */
  private async send(method: string, pathOrUrl: string, repo: string, o: SendOptions): Promise<Response> {
    const url = this.url(pathOrUrl);
    let authenticated = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (this.authorization) headers.authorization = this.authorization;
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body: o.body as BodyInit | undefined, redirect: "follow" });
      } catch (e) {
        const code = errorCode(e);
        if (code && TRANSIENT_CODES.has(code) && attempt < this.retries) {
          await this.backoff(attempt, `${o.what}: ${code}`);
          continue;
        }
        const why = code === "ECONNREFUSED" ? "connection refused (is the registry running?)"
          : code === "ENOTFOUND" ? "host not found"
          : /wrong version number|EPROTO|ERR_SSL/i.test(`${code} ${(e as Error).message} ${String((e as { cause?: unknown }).cause)}`) ? "TLS handshake failed (plain-HTTP registry? use --insecure)"
          : code ?? (e as Error).message;
        throw new RegistryError(`cannot reach registry ${this.opts.registry} (${this.base}): ${why}`, "network");
      }
      if (res.status === 401 && !authenticated) {
        const challenge = res.headers.get("www-authenticate");
        await res.arrayBuffer().catch(() => undefined);
        await this.authenticate(challenge, repo);
        authenticated = true;
        attempt--; // the challenge round trip is not a failure
        continue;
      }
      if (res.status === 401) {
        await res.arrayBuffer().catch(() => undefined);
        const who = this.opts.credentials ? `the credentials from ${this.opts.credentials.source}` : "anonymous access";
        throw new RegistryError(`authentication failed for ${this.opts.registry}: the registry rejected ${who}`, "auth");
      }
      if (TRANSIENT_STATUS.has(res.status) && attempt < this.retries) {
        const after = Number(res.headers.get("retry-after"));
        await res.arrayBuffer().catch(() => undefined);
        await this.backoff(attempt, `${o.what}: HTTP ${res.status}`, Number.isFinite(after) && after > 0 ? after * 1000 : undefined);
        continue;
      }
      return res;
    }
  }

  private async backoff(attempt: number, why: string, ms?: number): Promise<void> {
    const wait = ms ?? this.backoffMs * 2 ** attempt;
    this.log(`  retrying in ${wait} ms (${why})`);
    await sleep(Math.min(wait, 30_000));
  }

  private async authenticate(header: string | null, repo: string): Promise<void> {
    const creds = this.opts.credentials;
    if (!header) throw new RegistryError(`registry ${this.opts.registry} answered 401 without a WWW-Authenticate challenge`, "auth");
    const { scheme, params } = parseChallenge(header);
    if (scheme === "basic") {
      if (!creds?.username || creds.password === undefined) {
        throw new RegistryError(`registry ${this.opts.registry} requires a login: add credentials for '${this.opts.registry}' to your docker config.json (docker login, or an "auths" entry)`, "auth");
      }
      this.authorization = "Basic " + Buffer.from(`${creds.username}:${creds.password}`).toString("base64");
      return;
    }
    if (scheme !== "bearer" || !params.realm) throw new RegistryError(`registry ${this.opts.registry} asked for unsupported authentication: ${header}`, "auth");
    const scopes = new Set([`repository:${repo}:pull,push`]);
    if (params.scope) for (const s of params.scope.split(" ")) scopes.add(s);
    let realm: URL;
    try {
      realm = new URL(params.realm);
    } catch {
      throw new RegistryError(`registry ${this.opts.registry} named a token realm that is not a URL: ${params.realm}`, "auth");
    }
    let res: Response;
    try {
      if (creds?.identityToken) {
        const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: creds.identityToken, client_id: "sluice", service: params.service ?? "", scope: [...scopes].join(" ") });
        res = await fetch(realm, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form });
      } else {
        if (params.service) realm.searchParams.set("service", params.service);
        for (const s of scopes) realm.searchParams.append("scope", s);
        const headers: Record<string, string> = {};
        if (creds?.username) headers.authorization = "Basic " + Buffer.from(`${creds.username}:${creds.password ?? ""}`).toString("base64");
        res = await fetch(realm, { headers });
      }
    } catch (e) {
      throw new RegistryError(`cannot reach the token service ${realm.origin} for ${this.opts.registry}: ${errorCode(e) ?? (e as Error).message}`, "network");
    }
    if (res.status === 401 || res.status === 403) {
      const who = creds ? `the credentials from ${creds.source}` : "anonymous access (no credentials for this registry in docker config.json)";
      throw new RegistryError(`authentication failed for ${this.opts.registry}: the token service rejected ${who}`, "auth");
    }
    if (!res.ok) throw new RegistryError(`token service ${realm.origin} answered HTTP ${res.status}: ${await errorDetail(res)}`, "auth");
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`token service ${realm.origin} returned no token`, "auth");
    this.authorization = `Bearer ${token}`;
  }

  private async fail(res: Response, what: string, repo: string): Promise<never> {
    const detail = await errorDetail(res);
    if (res.status === 403) throw new RegistryError(`access denied while ${what} (${this.opts.registry}/${repo}): ${detail}`, "denied");
    if (res.status === 404) throw new RegistryError(`not found while ${what} (${this.opts.registry}/${repo}): ${detail}`, "not-found");
    if (/DIGEST_INVALID/.test(detail)) throw new RegistryError(`digest mismatch while ${what}: ${detail}`, "digest");
    if (/NAME_INVALID|TAG_INVALID|MANIFEST_INVALID/.test(detail)) throw new RegistryError(`registry refused ${what}: ${detail}`, "invalid");
    throw new RegistryError(`registry answered HTTP ${res.status} while ${what}: ${detail}`, "protocol");
  }

  /** GET /v2/: checks the registry speaks the distribution API and that we may talk to it. */
  async ping(repo: string): Promise<void> {
    const res = await this.send("GET", "/v2/", repo, { what: "checking the registry" });
    if (res.status !== 200) await this.fail(res, "checking the registry (GET /v2/)", repo);
    await res.arrayBuffer().catch(() => undefined);
  }

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.send("HEAD", `/v2/${repo}/blobs/${digest}`, repo, { what: `checking blob ${digest}` });
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    return this.fail(res, `checking blob ${digest}`, repo);
  }

  /** Uploads a blob (monolithic, or PATCH chunks when large); the registry must agree on its digest. */
  async uploadBlob(repo: string, data: Buffer, digest: string, name: string): Promise<void> {
    const what = `uploading ${name}`;
    const start = await this.send("POST", `/v2/${repo}/blobs/uploads/`, repo, { what, body: "" });
    if (start.status !== 202) await this.fail(start, what, repo);
    await start.arrayBuffer().catch(() => undefined);
    let location = this.uploadLocation(start, what);
    let offset = 0;
    if (data.length > this.chunkSize) {
      while (offset < data.length) {
        const chunk = data.subarray(offset, Math.min(offset + this.chunkSize, data.length));
        const res = await this.send("PATCH", location, repo, {
          what,
          body: chunk,
          headers: { "content-type": "application/octet-stream", "content-range": `${offset}-${offset + chunk.length - 1}` },
        });
        if (res.status !== 202) await this.fail(res, what, repo);
        await res.arrayBuffer().catch(() => undefined);
        location = this.uploadLocation(res, what);
        offset += chunk.length;
      }
    }
    const rest = data.subarray(offset);
    const put = new URL(location);
    put.searchParams.set("digest", digest);
    const res = await this.send("PUT", put.toString(), repo, {
      what,
      body: rest,
      headers: { "content-type": "application/octet-stream" },
    });
    if (res.status !== 201) await this.fail(res, what, repo);
    await res.arrayBuffer().catch(() => undefined);
    const got = res.headers.get("docker-content-digest");
    if (got && got !== digest) throw new RegistryError(`digest mismatch while ${what}: sent ${digest}, registry stored ${got}`, "digest");
  }

  private uploadLocation(res: Response, what: string): string {
    const loc = res.headers.get("location");
    if (!loc) throw new RegistryError(`registry gave no upload Location while ${what}`, "protocol");
    return new URL(loc, this.base + "/").toString();
  }

  /** PUTs the manifest under a tag (last, so the tag never points at missing blobs). Returns its digest. */
  async putManifest(repo: string, reference: string, manifest: Buffer, mediaType: string): Promise<string> {
    const what = `pushing the manifest to tag '${reference}'`;
    const digest = sha256Digest(manifest);
    const res = await this.send("PUT", `/v2/${repo}/manifests/${reference}`, repo, { what, body: manifest, headers: { "content-type": mediaType } });
    if (res.status !== 201) await this.fail(res, what, repo);
    await res.arrayBuffer().catch(() => undefined);
    const got = res.headers.get("docker-content-digest");
    if (got && got !== digest) throw new RegistryError(`digest mismatch while ${what}: sent ${digest}, registry stored ${got}`, "digest");
    return digest;
  }
}
