// Registry credentials from docker's config.json ($DOCKER_CONFIG/config.json, else
// ~/.docker/config.json): credHelpers[host], then credsStore, then auths[host] — docker's order.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CliError } from "../errors.js";

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (docker's `identitytoken`), exchanged at the token endpoint. */
  identityToken?: string;
  /** Where they came from, for error messages. */
  source: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export function dockerConfigPath(): string {
  return join(process.env.DOCKER_CONFIG || join(homedir(), ".docker"), "config.json");
}

/** "https://host:5000/v1/" → "host:5000" */
function normalizeKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
}

function fromHelper(helper: string, registry: string): Credentials | null {
  const bin = `docker-credential-${helper}`;
  const r = spawnSync(bin, ["get"], { input: registry, encoding: "utf8", timeout: 30_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new CliError(code === "ENOENT" ? `credential helper '${bin}' (named in ${dockerConfigPath()}) is not on PATH` : `credential helper '${bin}' failed: ${r.error.message}`);
  }
  if (r.status !== 0) {
    // docker-credential-* print "credentials not found in native keychain" when there are none.
    if (/not found/i.test(r.stdout + r.stderr)) return null;
    throw new CliError(`credential helper '${bin}' failed: ${(r.stderr || r.stdout).trim().split("\n")[0]}`);
  }
  let j: { Username?: string; Secret?: string };
  try {
    j = JSON.parse(r.stdout);
  } catch {
    throw new CliError(`credential helper '${bin}' printed something that is not JSON`);
  }
  if (!j.Secret) return null;
  const source = `credential helper ${bin}`;
  if (j.Username === "<token>") return { identityToken: j.Secret, source };
  return { username: j.Username, password: j.Secret, source };
}

export function lookupCredentials(registry: string): Credentials | null {
  const file = dockerConfigPath();
  if (!existsSync(file)) return null;
  let cfg: DockerConfig;
  try {
    cfg = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const host = registry.toLowerCase();
  const helper = Object.entries(cfg.credHelpers ?? {}).find(([k]) => normalizeKey(k) === host)?.[1];
  if (helper) return fromHelper(helper, registry);
  if (cfg.credsStore) {
    const c = fromHelper(cfg.credsStore, registry);
    if (c) return c;
  }
  const entry = Object.entries(cfg.auths ?? {}).find(([k]) => normalizeKey(k) === host)?.[1];
  if (!entry) return null;
  const source = `${file} auths["${registry}"]`;
  if (entry.identitytoken) return { identityToken: entry.identitytoken, source };
  if (entry.auth) {
    const text = Buffer.from(entry.auth, "base64").toString("utf8");
    const i = text.indexOf(":");
    if (i < 0) throw new CliError(`${source}.auth is not base64 of 'user:password'`);
    return { username: text.slice(0, i), password: text.slice(i + 1), source };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password, source };
  return null;
}
