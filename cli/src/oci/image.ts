// The two image layouts every Wasm fetcher we care about accepts (Istio pkg/wasm/imagefetcher.go, Envoy Gateway's and Higress's fetchers):
//  - compat: Higress's layout — optional README/spec.yaml/icon layers, then plugin.tar.gz LAST
//    (application/vnd.oci.image.layer.v1.tar+gzip holding plugin.wasm). Istio ≥ 1.16, Envoy
//    Gateway, Higress's gateway and its plugin-server all take the last tar+gzip layer.
//  - oci: exactly two layers, wasm config JSON then the raw module (solo-io "oci" variant).
import { tarGz } from "./tar.js";
import { sha256Digest } from "./registry.js";

export const MEDIA = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  imageConfig: "application/vnd.oci.image.config.v1+json",
  empty: "application/vnd.oci.empty.v1+json",
  wasmConfig: "application/vnd.module.wasm.config.v1+json",
  wasmContent: "application/vnd.module.wasm.content.layer.v1+wasm",
  tarGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  doc: "application/vnd.module.wasm.doc.v1+markdown",
  spec: "application/vnd.module.wasm.spec.v1+yaml",
  icon: "application/vnd.module.wasm.icon.v1+png",
} as const;

export const docMedia = (lang?: string) => (lang ? `application/vnd.module.wasm.doc.v1.${lang}+markdown` : MEDIA.doc);

export type Layout = "compat" | "oci";

export interface Blob {
  /** File name (the org.opencontainers.image.title annotation). */
  name: string;
  mediaType: string;
  data: Buffer;
  digest: string;
  size: number;
}

export interface ImageInput {
  pluginName: string;
  wasm: Buffer;
  layout: Layout;
  abiVersion: string;
  /** README.md, plus README_<LANG>.md keyed by lang ("en", "zh"). */
  readme?: Buffer;
  readmes?: Record<string, Buffer>;
  spec?: Buffer;
  icon?: Buffer;
  annotations?: Record<string, string>;
}

export interface Image {
  layout: Layout;
  config: Blob;
  layers: Blob[];
  manifest: Buffer;
  manifestDigest: string;
}

function blob(name: string, mediaType: string, data: Buffer): Blob {
  return { name, mediaType, data, digest: sha256Digest(data), size: data.length };
}

function descriptor(b: Blob, titled = true): Record<string, unknown> {
  const d: Record<string, unknown> = { mediaType: b.mediaType, digest: b.digest, size: b.size };
  if (titled) d.annotations = { "org.opencontainers.image.title": b.name };
  return d;
}

export function buildImage(input: ImageInput): Image {
  const layers: Blob[] = [];
  let config: Blob;
  const annotations: Record<string, string> = { ...(input.annotations ?? {}) };
  if (input.layout === "compat") {
    for (const [lang, data] of Object.entries(input.readmes ?? {}).sort()) layers.push(blob(`README_${lang.toUpperCase()}.md`, docMedia(lang), data));
    if (input.readme) layers.push(blob("README.md", MEDIA.doc, input.readme));
    if (input.spec) layers.push(blob("spec.yaml", MEDIA.spec, input.spec));
    if (input.icon) layers.push(blob("icon.png", MEDIA.icon, input.icon));
    layers.push(blob("plugin.tar.gz", MEDIA.tarGzip, tarGz([{ name: "plugin.wasm", data: input.wasm }])));
    config = blob("config.json", MEDIA.imageConfig, Buffer.from("{}"));
    annotations["module.wasm.image/variant"] = "compat";
  } else {
    const wasmConfig = { type: "envoy_proxy", abi_version: input.abiVersion, config: { root_ids: [input.pluginName] } };
    layers.push(blob("runtime-config.json", MEDIA.wasmConfig, Buffer.from(JSON.stringify(wasmConfig))));
    layers.push(blob("plugin.wasm", MEDIA.wasmContent, input.wasm));
    config = blob("config.json", MEDIA.empty, Buffer.from("{}"));
  }
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: descriptor(config, false),
    layers: layers.map((l) => descriptor(l)),
    annotations,
  }));
  return { layout: input.layout, config, layers, manifest, manifestDigest: sha256Digest(manifest) };
}
