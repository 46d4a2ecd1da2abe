// Image references: <registry>/<repository>:<tag> or …@sha256:<hex>, checked with the
// distribution spec's grammar before any work is done.
import { CliError } from "../errors.js";

export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const REPO_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/;

export function parseReference(ref: string): ImageRef {
  const bad = (why: string) => new CliError(`invalid image reference '${ref}': ${why}`, 2);
  const slash = ref.indexOf("/");
  if (slash <= 0) throw bad("expected <registry>/<repository>:<tag>, e.g. 127.0.0.1:5000/plugins/my-plugin:1.0.0");
  const registry = ref.slice(0, slash);
  if (!HOST.test(registry)) throw bad(`'${registry}' is not a registry host[:port]`);
  let rest = ref.slice(slash + 1);
  let tag: string | undefined;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(`'${digest}' is not a sha256 digest`);
  }
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`tag '${tag}' may only contain letters, digits, '_', '.' and '-' (not first), at most 128 characters`);
  }
  if (!tag && !digest) throw bad("a tag is required (e.g. ':1.0.0')");
  if (!rest) throw bad("the repository name is empty");
  for (const part of rest.split("/")) {
    if (!REPO_COMPONENT.test(part)) throw bad(`repository component '${part}' must be lowercase letters and digits separated by '.', '_', '__' or '-'`);
  }
  if (rest.length + registry.length + 1 > 255) throw bad("the name is longer than 255 characters");
  return { registry, repository: rest, tag, digest };
}

export function formatReference(r: ImageRef): string {
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ""}${r.digest ? `@${r.digest}` : ""}`;
}

/** Loopback registries are spoken to over plain HTTP, like docker and oras do. */
export function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
