// The CLI's pure parts: references, challenges, deterministic tar.gz, spec.yaml from a README,
// docker config lookup, compiler diagnostics.
import { describe, it, expect, afterEach } from "vitest";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import YAML from "yaml";
import { parseReference, isLoopback } from "../src/oci/reference.js";
import { parseChallenge } from "../src/oci/registry.js";
import { tar, tarGz } from "../src/oci/tar.js";
import { buildImage } from "../src/oci/image.js";
import { configTable, generateSpec } from "../src/spec.js";
import { lookupCredentials } from "../src/oci/credentials.js";
import { parseDiagnostics } from "../src/commands/build.js";
import { validatePluginName } from "../src/commands/new.js";
import { untar } from "./layout.js";
import { bcrypt, bcryptSalt } from "./bcrypt.js";

describe("image references", () => {
  it.each([
    ["127.0.0.1:5000/plugins/x:1.0.0", { registry: "127.0.0.1:5000", repository: "plugins/x", tag: "1.0.0" }],
    ["registry.example.com/a/b/c-d__e.f:v1_2-rc.3", { registry: "registry.example.com", repository: "a/b/c-d__e.f", tag: "v1_2-rc.3" }],
    ["localhost:5000/x:latest", { registry: "localhost:5000", repository: "x", tag: "latest" }],
    [`ghcr.io/o/p:1@sha256:${"a".repeat(64)}`, { registry: "ghcr.io", repository: "o/p", tag: "1", digest: `sha256:${"a".repeat(64)}` }],
  ])("parses %s", (ref, want) => {
    expect(parseReference(ref)).toEqual(want);
  });
  it.each(["x:1", "host/x", "host/X:1", "host/x:-1", "host/x:a/b", "host/x:" + "a".repeat(129), "host//x:1", "host/x_:1", "bad host/x:1"])("refuses %s", (ref) => {
    expect(() => parseReference(ref)).toThrow(/invalid image reference/);
  });
  it("knows loopback registries", () => {
    expect(["localhost:5000", "127.0.0.1:1", "127.1.2.3", "[::1]:5000"].every(isLoopback)).toBe(true);
    expect(["10.0.0.1:5000", "ghcr.io", "localhost.example.com"].some(isLoopback)).toBe(false);
  });
});

it("parses WWW-Authenticate challenges", () => {
  expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"')).toEqual({
    scheme: "bearer",
    params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:samalba/my-app:pull,push" },
  });
  expect(parseChallenge('Basic realm="basic-realm"')).toEqual({ scheme: "basic", params: { realm: "basic-realm" } });
});

describe("deterministic tar.gz", () => {
  it("round-trips and is byte-identical across runs", () => {
    const data = Buffer.from("\0asm\x01\0\0\0" + "x".repeat(1000));
    const a = tarGz([{ name: "plugin.wasm", data }]);
    const b = tarGz([{ name: "plugin.wasm", data: Buffer.from(data) }]);
    expect(a.equals(b)).toBe(true);
    expect(a.readUInt32LE(4)).toBe(0); // gzip MTIME
    const files = untar(gunzipSync(a));
    expect([...files.keys()]).toEqual(["plugin.wasm"]);
    expect(files.get("plugin.wasm")!.equals(data)).toBe(true);
    const header = tar([{ name: "plugin.wasm", data }]).subarray(0, 512);
    expect(header.subarray(100, 107).toString()).toBe("0000644");
    expect(header.subarray(136, 147).toString()).toBe("00000000000"); // mtime 0
    expect(header.subarray(108, 115).toString()).toBe("0000000"); // uid 0
  });
  it("gives the same manifest digest for the same inputs", () => {
    const input = { pluginName: "p", wasm: Buffer.from("\0asm"), layout: "compat" as const, abiVersion: "0.2.100", readme: Buffer.from("# p\n"), spec: Buffer.from("a: 1\n") };
    expect(buildImage(input).manifestDigest).toBe(buildImage({ ...input }).manifestDigest);
    expect(buildImage({ ...input, wasm: Buffer.from("\0asm\x01") }).manifestDigest).not.toBe(buildImage(input).manifestDigest);
  });
});

describe("spec.yaml from the README", () => {
  const readme = `# Key Auth

Checks API keys.

## 配置说明

| 名称 | 数据类型 | 填写要求 | 默认值 | 描述 |
| -------- | -------- | -------- | -------- | -------- |
| \`keys\` | array of string | 必填 | - | 来源字段 |
| \`in_query\` | bool | 选填 | true | 查询参数 |
| \`limit\` | number | 选填 | 10 | 上限 |
| \`consumers\` | array of object | 必填 | | 调用方 |

\`\`\`yaml
keys: [x-api-key]
\`\`\`
`;
  it("reads Higress's Chinese table headers and types", () => {
    expect(configTable(readme)).toEqual([
      { name: "keys", required: true, schema: { type: "array", items: { type: "string" }, description: "来源字段" } },
      { name: "in_query", required: false, schema: { type: "boolean", default: true, description: "查询参数" } },
      { name: "limit", required: false, schema: { type: "number", default: 10, description: "上限" } },
      { name: "consumers", required: true, schema: { type: "array", items: { type: "object" }, description: "调用方" } },
    ]);
  });
  it("writes Higress's spec shape", () => {
    const spec = YAML.parse(generateSpec("key-auth", "1.2.3", readme));
    expect(spec.apiVersion).toBe("1.0.0");
    expect(spec.info).toEqual({ category: "custom", name: "key-auth", title: "Key Auth", description: "Checks API keys.", version: "1.2.3" });
    expect(spec.spec.configSchema.openAPIV3Schema.required).toEqual(["keys", "consumers"]);
    expect(spec.spec.configSchema.openAPIV3Schema.example).toEqual({ keys: ["x-api-key"] });
  });
});

describe("docker config.json", () => {
  const saved = { ...process.env };
  const dirs: string[] = [];
  afterEach(() => {
    process.env = { ...saved };
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const cfg = (json: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-dc-"));
    dirs.push(dir);
    writeFileSync(join(dir, "config.json"), JSON.stringify(json));
    process.env.DOCKER_CONFIG = dir;
    return dir;
  };
  it("auths keys with a scheme and a path", () => {
    cfg({ auths: { "https://reg.example.com:5000/v1/": { auth: Buffer.from("u:p:with:colons").toString("base64") } } });
    expect(lookupCredentials("reg.example.com:5000")).toMatchObject({ username: "u", password: "p:with:colons" });
    expect(lookupCredentials("other.example.com")).toBeNull();
  });
  it("identity tokens", () => {
    cfg({ auths: { "reg.example.com": { identitytoken: "refresh-me" } } });
    expect(lookupCredentials("reg.example.com")).toMatchObject({ identityToken: "refresh-me" });
  });
  it("credsStore, falling back to auths when the store has nothing", () => {
    const dir = cfg({ credsStore: "sluiceunit", auths: { "b.example.com": { auth: Buffer.from("x:y").toString("base64") } } });
    const helper = join(dir, "docker-credential-sluiceunit");
    writeFileSync(helper, '#!/bin/sh\nread s\n[ "$s" = a.example.com ] && echo \'{"Username":"<token>","Secret":"tok"}\' && exit 0\necho "credentials not found in native keychain"; exit 1\n');
    chmodSync(helper, 0o755);
    process.env.PATH = `${dir}:${process.env.PATH}`;
    expect(lookupCredentials("a.example.com")).toMatchObject({ identityToken: "tok" });
    expect(lookupCredentials("b.example.com")).toMatchObject({ username: "x", password: "y" });
  });
  it("a missing helper is a clear error", () => {
    cfg({ credHelpers: { "a.example.com": "nosuchhelper" } });
    expect(() => lookupCredentials("a.example.com")).toThrow("credential helper 'docker-credential-nosuchhelper' (named in");
  });
});

it("turns asc output into file:line:col diagnostics", () => {
  const log = "ERROR TS2304: Cannot find name 'foo'.\n   :\n 4 │ foo();\n   │ ~~~\n   └─ in plugins/x/assembly/index.ts(4,1)\n\nFAILURE 1 compile error(s)\n";
  expect(parseDiagnostics(log, "/ws")).toEqual([{ file: "/ws/plugins/x/assembly/index.ts", line: 4, column: 1, code: "TS2304", message: "Cannot find name 'foo'.", excerpt: [" 4 │ foo();", "   │ ~~~"] }]);
});

it("plugin names", () => {
  for (const ok of ["a", "my-plugin", "ai-proxy2", "x1-y2"]) expect(() => validatePluginName(ok)).not.toThrow();
  for (const bad of ["", "A", "a_b", "a--b", "-a", "a-", "1a", "a".repeat(64)]) expect(() => validatePluginName(bad), bad).toThrow(/invalid plugin name/);
});

describe("bcrypt for the test registry's htpasswd (no Python crypt)", () => {
  it.each([
    // OpenBSD's test vector, and one made by the system's crypt(3) (libxcrypt) for cross-checking.
    ["U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"],
    ["hunter2", "$2b$10$abcdefghijklmnopqrstuu7gIUFBKrYXdzQy8HrouzMJyZ4cijAb2"],
    ["", "$2b$04$abcdefghijklmnopqrstuubyCG3zY1GIXMyxfivm.ClDiInHzxjiq"],
  ])("hashes %j as crypt(3) does", (pw, want) => {
    const cost = Number(want.slice(4, 6));
    expect(bcrypt(pw, cost, bcryptSalt(want)).slice(4)).toBe(want.slice(4));
  });
  it("makes a fresh salt each time", () => {
    expect(bcrypt("x", 4)).not.toBe(bcrypt("x", 4));
    expect(bcrypt("x", 4)).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
  });
});
