// sluice push against a real registry (Debian's docker-registry on loopback), read back with an
// independent client (skopeo) and held against the layout rules Higress and Istio apply.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import YAML from "yaml";
import { buildCli, sluice, scratchWorkspace, Registry, RegistryFront, dockerConfig, basicAuth, freePort } from "./helpers.js";
import { checkLayout, type Manifest } from "./layout.js";

const PLUGIN = "pushme";
let ws: string;
let anon: Registry;
let authReg: Registry;
const tmpDirs: string[] = [];
const emptyDocker = () => {
  const d = dockerConfig({});
  tmpDirs.push(d);
  return d;
};

beforeAll(async () => {
  buildCli();
  ws = scratchWorkspace();
  expect((await sluice(["new", PLUGIN], { cwd: ws })).code).toBe(0);
  [anon, authReg] = await Promise.all([Registry.start(), Registry.start({ user: "alice", password: "s3cret" })]);
}, 120_000);

afterAll(async () => {
  await Promise.all([anon?.stop(), authReg?.stop()]);
  for (const d of [ws, ...tmpDirs]) if (d) rmSync(d, { recursive: true, force: true });
});

/** Pulls with skopeo: the raw manifest, and every blob via `skopeo copy` to a dir: layout. */
function pull(ref: string, creds?: string): { manifest: Manifest; raw: string; blob: (d: string) => Buffer } {
  const tls = ["--tls-verify=false", ...(creds ? ["--creds", creds] : [])];
  const raw = execFileSync("skopeo", ["inspect", "--raw", ...tls, `docker://${ref}`], { encoding: "utf8" });
  const dir = mkdtempSync(join(tmpdir(), "sluice-pull-"));
  tmpDirs.push(dir);
  execFileSync("skopeo", ["copy", "--src-tls-verify=false", ...(creds ? ["--src-creds", creds] : []), `docker://${ref}`, `dir:${dir}`], { encoding: "utf8" });
  return { manifest: JSON.parse(raw), raw, blob: (d: string) => readFileSync(join(dir, d.replace(/^sha256:/, ""))) };
}

/** Is there a manifest under this tag? (GET with the OCI Accept header, as the distribution spec's pull flow does) */
async function tagExists(host: string, repo: string, tag: string, auth?: string): Promise<boolean> {
  const r = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    headers: { accept: "application/vnd.oci.image.manifest.v1+json", ...(auth ? { authorization: `Basic ${auth}` } : {}) },
  });
  if (r.status !== 200 && r.status !== 404) throw new Error(`unexpected ${r.status}`);
  return r.status === 200;
}

const wasmOf = (target: string) => readFileSync(join(ws, "plugins", PLUGIN, "build", `${target}.wasm`));
const oneLine = (s: string) => s.trim().split("\n").filter((l) => l.startsWith("sluice push:"));

describe("sluice push (anonymous registry)", () => {
  let digest = "";

  it("builds and pushes the compat layout, which Istio, Envoy Gateway and Higress accept", async () => {
    const r = await sluice(["push", PLUGIN, `${anon.host}/plugins/${PLUGIN}:1.0.0`], { cwd: ws, env: { DOCKER_CONFIG: emptyDocker() } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\[1\/1\] ✓ pushme higress /m);
    expect(r.stdout).toMatch(/plugin\.tar\.gz .* pushed/);
    digest = /@(sha256:[0-9a-f]{64})/.exec(r.stdout)![1];

    const { manifest, raw, blob } = pull(`${anon.host}/plugins/${PLUGIN}:1.0.0`);
    expect(`sha256:${execFileSync("sha256sum", { input: raw, encoding: "utf8" }).slice(0, 64)}`).toBe(digest);
    expect(manifest.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([
      "application/vnd.module.wasm.doc.v1+markdown",
      "application/vnd.module.wasm.spec.v1+yaml",
      "application/vnd.oci.image.layer.v1.tar+gzip",
    ]);
    expect(manifest.layers.map((l) => l.annotations?.["org.opencontainers.image.title"])).toEqual(["README.md", "spec.yaml", "plugin.tar.gz"]);
    const v = checkLayout(manifest, blob);
    expect(v.istio.variant).toBe("compat");
    expect(v.pluginServer.ok).toBe(true);
    expect(v.releaseGate).toBe("compat");
    // The module that comes out is the one that was built, byte for byte.
    expect(v.istio.wasm!.equals(wasmOf("higress"))).toBe(true);
    expect(v.pluginServer.wasm!.equals(wasmOf("higress"))).toBe(true);
    // Higress's metadata: spec.yaml generated from the plugin's manifest, README as is.
    const spec = YAML.parse(blob(manifest.layers[1].digest).toString("utf8"));
    expect(spec.info).toMatchObject({ name: PLUGIN, version: "1.0.0", category: "custom" });
    expect(spec.spec).toMatchObject({ phase: "default", priority: 100 });
    const schema = spec.spec.configSchema.openAPIV3Schema;
    expect(schema.properties.header).toMatchObject({ type: "string", default: `x-${PLUGIN}` });
    expect(schema.properties.value.type).toBe("string");
    expect(schema.required).toEqual(["value"]);
    expect(schema.example).toEqual({ header: "x-greeting", value: "hello" });
    expect(blob(manifest.layers[0].digest).equals(readFileSync(join(ws, "plugins", PLUGIN, "README.md")))).toBe(true);
  }, 300_000);

  it("is reproducible: pushing again skips every blob and gives the same digest", async () => {
    const r = await sluice(["push", PLUGIN, `${anon.host}/plugins/${PLUGIN}:1.0.0`, "--no-build"], { cwd: ws, env: { DOCKER_CONFIG: emptyDocker() } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/ pushed$/m);
    expect(r.stdout.match(/ exists$/gm)).toHaveLength(4);
    expect(r.stdout).toContain(digest);
  });

  it("pushes the two-layer oci layout with --layout oci (envoy target)", async () => {
    const r = await sluice(["push", PLUGIN, `${anon.host}/plugins/${PLUGIN}-oci:v1`, "--layout", "oci", "--target", "envoy"], { cwd: ws, env: { DOCKER_CONFIG: emptyDocker(), SLUICE_PUSH_CHUNK_SIZE: "16384" } });
    expect(r.code).toBe(0);
    const { manifest, blob } = pull(`${anon.host}/plugins/${PLUGIN}-oci:v1`);
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(["application/vnd.module.wasm.config.v1+json", "application/vnd.module.wasm.content.layer.v1+wasm"]);
    const v = checkLayout(manifest, blob);
    expect(v.istio.variant).toBe("oci");
    expect(v.releaseGate).toBe("oci");
    expect(v.pluginServer.ok).toBe(true);
    expect(v.istio.wasm!.equals(wasmOf("envoy"))).toBe(true); // uploaded in 16 KiB PATCH chunks
  }, 300_000);

  it("retries transient failures (503, connection reset) with backoff", async () => {
    const front = await RegistryFront.start(anon.port, {
      faults: [
        { match: /\/blobs\/uploads\//, method: "PUT", count: 2, status: 503 },
        { match: /\/manifests\//, method: "PUT", count: 1, reset: true },
      ],
    });
    try {
      const r = await sluice(["push", PLUGIN, `${front.host}/plugins/flaky:1`, "--no-build", "--layout", "oci"], { cwd: ws, env: { DOCKER_CONFIG: emptyDocker() } });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout.match(/retrying in \d+ ms \(.*HTTP 503\)/g)).toHaveLength(2);
      expect(r.stdout).toMatch(/retrying in \d+ ms \(.*(ECONNRESET|UND_ERR_SOCKET)\)/);
      expect(await tagExists(anon.host, "plugins/flaky", "1")).toBe(true);
    } finally {
      await front.stop();
    }
  });

  it("a digest mismatch fails with one line and leaves no tag", async () => {
    const front = await RegistryFront.start(anon.port, { corruptUploads: true });
    try {
      const r = await sluice(["push", PLUGIN, `${front.host}/plugins/corrupt:1`, "--no-build"], { cwd: ws, env: { DOCKER_CONFIG: emptyDocker() } });
      expect(r.code).not.toBe(0);
      expect(oneLine(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/^sluice push: digest mismatch while uploading README\.md: DIGEST_INVALID/);
      expect(await tagExists(anon.host, "plugins/corrupt", "1")).toBe(false);
    } finally {
      await front.stop();
    }
  });
});

describe("sluice push: registry refusals are one line each, and leave no tag", () => {
  it.each([
    ["upload session lost (404)", { match: /\/blobs\/uploads\//, method: "PUT", status: 404, code: "BLOB_UPLOAD_UNKNOWN" }, /^sluice push: not found while uploading README\.md \(127\.0\.0\.1:\d+\/plugins\/refused\d+\): BLOB_UPLOAD_UNKNOWN: injected$/],
    ["no push permission (403)", { match: /\/blobs\/uploads\/$/, method: "POST", status: 403, code: "DENIED" }, /^sluice push: access denied while uploading README\.md \(127\.0\.0\.1:\d+\/plugins\/refused\d+\): DENIED: injected$/],
    ["manifest refused (400)", { match: /\/manifests\//, method: "PUT", status: 400, code: "MANIFEST_INVALID" }, /^sluice push: registry refused pushing the manifest to tag '1': MANIFEST_INVALID: injected$/],
    ["server error that does not go away (500)", { match: /\/blobs\/uploads\//, method: "PUT", status: 500, code: "UNKNOWN" }, /^sluice push: registry answered HTTP 500 while uploading README\.md: UNKNOWN: injected$/],
  ])("%s", async (_, fault, why) => {
    const front = await RegistryFront.start(anon.port, { faults: [{ ...fault, count: 100 }] });
    try {
      const r = await sluice(["push", PLUGIN, `${front.host}/plugins/refused${fault.status}:1`, "--no-build", "--retries", "1"], { cwd: ws, env: { DOCKER_CONFIG: emptyDocker() } });
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(why);
      expect(await tagExists(anon.host, `plugins/refused${fault.status}`, "1")).toBe(false);
    } finally {
      await front.stop();
    }
  });
});

describe("sluice push with credentials", () => {
  const ref = () => `${authReg.host}/team/${PLUGIN}:2.0.0`;
  const good = () => basicAuth("alice", "s3cret");

  it("logs in with Basic auth from docker config.json auths", async () => {
    const cfg = dockerConfig({ auths: { [`http://${authReg.host}`]: { auth: good() } } });
    tmpDirs.push(cfg);
    const r = await sluice(["push", PLUGIN, ref(), "--no-build"], { cwd: ws, env: { DOCKER_CONFIG: cfg } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { manifest, blob } = pull(ref(), "alice:s3cret");
    const v = checkLayout(manifest, blob);
    expect(v.istio.variant).toBe("compat");
    expect(v.istio.wasm!.equals(wasmOf("higress"))).toBe(true);
  });

  it("wrong password: one clear line, exit ≠ 0, no tag", async () => {
    const cfg = dockerConfig({ auths: { [authReg.host]: { auth: basicAuth("alice", "wrong") } } });
    tmpDirs.push(cfg);
    const r = await sluice(["push", PLUGIN, `${authReg.host}/team/${PLUGIN}:bad-pass`, "--no-build"], { cwd: ws, env: { DOCKER_CONFIG: cfg } });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^sluice push: authentication failed for 127\.0\.0\.1:\d+: the registry rejected the credentials from .*config\.json auths/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(await tagExists(authReg.host, `team/${PLUGIN}`, "bad-pass", good())).toBe(false);
  });

  it("no credentials: says which registry wants a login", async () => {
    const r = await sluice(["push", PLUGIN, `${authReg.host}/team/${PLUGIN}:anon`, "--no-build"], { cwd: ws, env: { DOCKER_CONFIG: emptyDocker() } });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^sluice push: registry 127\.0\.0\.1:\d+ requires a login/);
  });

  it("Bearer flow: WWW-Authenticate challenge → token endpoint, credentials from a credHelper", async () => {
    const front = await RegistryFront.start(anon.port, { bearer: { user: "bob", password: "hunter2" } });
    const bin = mkdtempSync(join(tmpdir(), "sluice-bin-"));
    tmpDirs.push(bin);
    const helper = join(bin, "docker-credential-sluicetest");
    writeFileSync(helper, `#!/bin/sh\nread server\n[ "$1" = get ] && [ "$server" = "${front.host}" ] && echo '{"ServerURL":"'$server'","Username":"bob","Secret":"hunter2"}' && exit 0\necho "credentials not found in native keychain"; exit 1\n`);
    chmodSync(helper, 0o755);
    const cfg = dockerConfig({ credHelpers: { [front.host]: "sluicetest" }, auths: { [front.host]: { auth: basicAuth("bob", "not-this-one") } } });
    tmpDirs.push(cfg);
    try {
      const env = { DOCKER_CONFIG: cfg, PATH: `${bin}:${process.env.PATH}` };
      const r = await sluice(["push", PLUGIN, `${front.host}/bearer/${PLUGIN}:1`, "--no-build"], { cwd: ws, env });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(front.requests).toContain("GET /token");
      expect(await tagExists(anon.host, `bearer/${PLUGIN}`, "1")).toBe(true);
      // credsStore path, with a password the token endpoint refuses
      const bad = dockerConfig({ auths: { [front.host]: { auth: basicAuth("bob", "wrong") } } });
      tmpDirs.push(bad);
      const r2 = await sluice(["push", PLUGIN, `${front.host}/bearer/${PLUGIN}:2`, "--no-build"], { cwd: ws, env: { DOCKER_CONFIG: bad } });
      expect(r2.code).not.toBe(0);
      expect(r2.stderr.trim()).toMatch(/^sluice push: authentication failed for 127\.0\.0\.1:\d+: the token service rejected the credentials/);
      expect(await tagExists(anon.host, `bearer/${PLUGIN}`, "2")).toBe(false);
    } finally {
      await front.stop();
    }
  });
});

describe("sluice push with an identity token", () => {
  it("exchanges docker's identitytoken at the token endpoint (OAuth2 refresh_token grant)", async () => {
    const front = await RegistryFront.start(anon.port, { bearer: { user: "bob", password: "hunter2", refreshToken: "refresh-123" } });
    try {
      const cfg = dockerConfig({ auths: { [front.host]: { identitytoken: "refresh-123" } } });
      tmpDirs.push(cfg);
      const r = await sluice(["push", PLUGIN, `${front.host}/idtoken/${PLUGIN}:1`, "--no-build", "--layout", "oci"], { cwd: ws, env: { DOCKER_CONFIG: cfg } });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(front.requests).toContain("POST /token");
      expect(await tagExists(anon.host, `idtoken/${PLUGIN}`, "1")).toBe(true);
    } finally {
      await front.stop();
    }
  });
});

describe("sluice push: bad input, as a new user would try it", () => {
  it("registry down", async () => {
    const port = await freePort();
    const r = await sluice(["push", PLUGIN, `127.0.0.1:${port}/plugins/${PLUGIN}:1`, "--no-build"], { cwd: ws, env: { DOCKER_CONFIG: emptyDocker() } });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`sluice push: cannot reach registry 127.0.0.1:${port} (http://127.0.0.1:${port}): connection refused (is the registry running?)`);
  });

  it.each([
    ["a space and '!' in the tag", `plugins/${PLUGIN}:bad tag!`, /tag 'bad tag!' may only contain/],
    ["a tag starting with '.'", `plugins/${PLUGIN}:.hidden`, /tag '.hidden' may only contain/],
    ["uppercase repository", `Plugins/${PLUGIN}:1`, /repository component 'Plugins' must be lowercase/],
    ["no tag", `plugins/${PLUGIN}`, /a tag is required/],
  ])("rejects %s before pushing anything", async (_, path, why) => {
    const r = await sluice(["push", PLUGIN, `${anon.host}/${path}`, "--no-build"], { cwd: ws, env: { DOCKER_CONFIG: emptyDocker() } });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(why);
    expect(r.stdout).toBe("");
  });

  it("unknown plugin", async () => {
    const r = await sluice(["push", "nope", `${anon.host}/plugins/nope:1`], { cwd: ws });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`sluice push: no plugin named 'nope' in ${join(ws, "plugins")} (plugins: ${PLUGIN})`);
  });

  it("nothing was ever pushed under the refused names", async () => {
    const r = await fetch(`http://${anon.host}/v2/_catalog`);
    const repos = ((await r.json()) as { repositories: string[] }).repositories;
    // (plugins/refused400 holds the blobs pushed before its manifest was refused, but no tag)
    expect(repos.filter((r) => !r.startsWith("plugins/refused")).sort()).toEqual(["bearer/pushme", "idtoken/pushme", "plugins/flaky", "plugins/pushme", "plugins/pushme-oci"].sort());
    mkdirSync(join(ws, "x"), { recursive: true });
    expect(readdirSync(join(ws, "plugins"))).toEqual([PLUGIN]);
  });
});
