// sluice push <plugin> <registry>/<repo>:<tag>: builds the plugin and pushes it as an image that
// Higress and Istio can pull. Blobs go first (skipped when the registry has them), the manifest
// last, so a failure never leaves a tag pointing at a half-pushed image.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../errors.js";
import { lookupCredentials } from "../oci/credentials.js";
import { buildImage, type Blob, type Layout } from "../oci/image.js";
import { formatReference, isLoopback, parseReference } from "../oci/reference.js";
import { RegistryClient } from "../oci/registry.js";
import { loadManifest, specYaml } from "../manifest.js";
import { generateSpec } from "../spec.js";
import { type Workspace, pluginDir } from "../workspace.js";
import { buildPlugins, type Target } from "./build.js";

export interface PushOptions {
  layout: Layout;
  target: Target;
  insecure: boolean;
  build: boolean;
  retries?: number;
}

function size(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function readIf(path: string): Buffer | undefined {
  return existsSync(path) ? readFileSync(path) : undefined;
}

/**
 * Higress's spec.yaml for the image: a hand-written spec.yaml wins, then the manifest (phase,
 * priority, typed schema), then a best guess from the README's table for plugins without one.
 */
export function pluginSpec(dir: string, plugin: string, version: string, readme?: Buffer): Buffer {
  const own = readIf(join(dir, "spec.yaml"));
  if (own) return own;
  const m = loadManifest(dir);
  if (m) return Buffer.from(specYaml(m, version));
  return Buffer.from(generateSpec(plugin, version, readme?.toString("utf8") ?? `# ${plugin}\n`));
}

export async function push(ws: Workspace, plugin: string, refText: string, o: PushOptions): Promise<string> {
  const ref = parseReference(refText); // a bad tag fails before anything is built or sent
  if (!ref.tag) throw new CliError(`push needs a tag: ${refText}`, 2);
  if (o.layout !== "compat" && o.layout !== "oci") throw new CliError(`--layout must be compat or oci, not '${o.layout}'`, 2);
  const dir = pluginDir(ws, plugin);
  const target = formatReference(ref);
  const insecure = o.insecure || isLoopback(ref.registry);
  const client = new RegistryClient({
    registry: ref.registry,
    insecure,
    credentials: lookupCredentials(ref.registry),
    retries: o.retries,
    chunkSize: process.env.SLUICE_PUSH_CHUNK_SIZE ? Number(process.env.SLUICE_PUSH_CHUNK_SIZE) : undefined,
    log: (l) => console.log(l),
  });
  // Reach the registry (and log in) before spending time on a build.
  await client.ping(ref.repository);
  const wasmPath = join(dir, "build", `${o.target}.wasm`);
  if (o.build) await buildPlugins(ws, [plugin], [o.target]);
  else if (!existsSync(wasmPath)) throw new CliError(`${wasmPath} does not exist: run 'sluice build ${plugin}' first (or drop --no-build)`);
  const wasm = readFileSync(wasmPath);

  const readme = readIf(join(dir, "README.md"));
  const readmes: Record<string, Buffer> = {};
  for (const lang of ["en", "zh"]) {
    const r = readIf(join(dir, `README_${lang.toUpperCase()}.md`));
    if (r) readmes[lang] = r;
  }
  const pkg = existsSync(join(dir, "package.json")) ? JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) : {};
  const manifest = loadManifest(dir);
  const version = /^v?\d+\.\d+\.\d+/.test(ref.tag) ? ref.tag.replace(/^v/, "") : (manifest?.version ?? String(pkg.version ?? "0.0.0"));
  const spec = pluginSpec(dir, plugin, version, readme);
  const image = buildImage({
    pluginName: plugin,
    wasm,
    layout: o.layout,
    abiVersion: o.target === "higress" ? "0.2.100" : "0.2.1",
    readme,
    readmes,
    spec,
    icon: readIf(join(dir, "icon.png")),
    annotations: {
      "org.opencontainers.image.title": plugin,
      "org.opencontainers.image.version": version,
      ...(pkg.description ? { "org.opencontainers.image.description": String(pkg.description) } : {}),
    },
  });

  console.log(`pushing ${plugin} [${o.target}] to ${target} (${o.layout} layout, ${insecure ? "http" : "https"})`);
  const blobs: Blob[] = [...image.layers, image.config];
  const seen = new Set<string>();
  for (const b of blobs) {
    if (seen.has(b.digest)) continue;
    seen.add(b.digest);
    const label = `  ${b.name.padEnd(18)} ${b.digest.slice(7, 19)}  ${size(b.size).padStart(9)}`;
    if (await client.hasBlob(ref.repository, b.digest)) {
      console.log(`${label}  exists`);
      continue;
    }
    await client.uploadBlob(ref.repository, b.data, b.digest, b.name);
    console.log(`${label}  pushed`);
  }
  const digest = await client.putManifest(ref.repository, ref.tag, image.manifest, "application/vnd.oci.image.manifest.v1+json");
  console.log(`pushed ${target}@${digest}`);
  return digest;
}
