// Validates a custom resource against a vendored CustomResourceDefinition's structural OpenAPI v3
// schema, the way the Kubernetes API server prunes and checks it: types, required, enums, bounds,
// unknown fields (refused unless x-kubernetes-preserve-unknown-fields), int-or-string. CEL rules
// (x-kubernetes-validations) are not evaluated here; callers check the few that matter by hand.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { repoRoot } from "./helpers.js";

type Schema = Record<string, any>;

export interface Crd {
  group: string;
  kind: string;
  versions: Record<string, Schema>;
}

export function loadCrd(file: string): Crd {
  const d = YAML.parse(readFileSync(join(repoRoot, "cli", "data", "crds", file), "utf8"));
  const versions: Record<string, Schema> = {};
  for (const v of d.spec.versions) if (v.served) versions[v.name] = v.schema.openAPIV3Schema;
  return { group: d.spec.group, kind: d.spec.names.kind, versions };
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function check(s: Schema, v: unknown, path: string, errs: string[]): void {
  if (v === null) {
    if (!s.nullable) errs.push(`${path}: null not allowed`);
    return;
  }
  if (s["x-kubernetes-int-or-string"]) {
    if (!["integer", "string"].includes(typeOf(v))) errs.push(`${path}: expected integer or string`);
    return;
  }
  if (s.type) {
    const t = typeOf(v);
    if (!(t === s.type || (s.type === "number" && t === "integer"))) {
      errs.push(`${path}: expected ${s.type}, got ${t}`);
      return;
    }
  }
  if (s.enum && !s.enum.includes(v)) errs.push(`${path}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
  if (typeof v === "string") {
    if (s.maxLength !== undefined && v.length > s.maxLength) errs.push(`${path}: longer than ${s.maxLength}`);
    if (s.minLength !== undefined && v.length < s.minLength) errs.push(`${path}: shorter than ${s.minLength}`);
    if (s.pattern && !new RegExp(s.pattern).test(v)) errs.push(`${path}: does not match ${s.pattern}`);
  }
  if (typeof v === "number") {
    if (s.maximum !== undefined && v > s.maximum) errs.push(`${path}: above ${s.maximum}`);
    if (s.minimum !== undefined && v < s.minimum) errs.push(`${path}: below ${s.minimum}`);
    if (s.format === "int32" && (v > 2147483647 || v < -2147483648)) errs.push(`${path}: not an int32`);
  }
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(`${path}: more than ${s.maxItems} items`);
    if (s.minItems !== undefined && v.length < s.minItems) errs.push(`${path}: fewer than ${s.minItems} items`);
    if (s.items) v.forEach((x, i) => check(s.items, x, `${path}[${i}]`, errs));
  }
  if (typeOf(v) === "object") {
    const o = v as Record<string, unknown>;
    if (s.maxProperties !== undefined && Object.keys(o).length > s.maxProperties) errs.push(`${path}: more than ${s.maxProperties} properties`);
    for (const r of s.required ?? []) if (o[r] === undefined) errs.push(`${path}.${r}: required`);
    for (const [k, x] of Object.entries(o)) {
      if (s.properties?.[k]) check(s.properties[k], x, `${path}.${k}`, errs);
      else if (s.additionalProperties && typeof s.additionalProperties === "object") check(s.additionalProperties, x, `${path}.${k}`, errs);
      else if (!s["x-kubernetes-preserve-unknown-fields"] && s.additionalProperties !== true) errs.push(`${path}.${k}: unknown field`);
    }
  }
  for (const alt of ["anyOf", "oneOf"] as const) {
    if (!s[alt]) continue;
    const ok = (s[alt] as Schema[]).filter((a) => {
      const e: string[] = [];
      check({ ...a, type: a.type ?? undefined }, v, path, e);
      return e.length === 0;
    }).length;
    if (alt === "anyOf" ? ok === 0 : ok !== 1) errs.push(`${path}: does not match ${alt}`);
  }
}

/** Errors of a custom resource (apiVersion, kind, metadata, spec) against the CRD. */
export function validateResource(crd: Crd, obj: Record<string, any>): string[] {
  const errs: string[] = [];
  const [group, version] = String(obj.apiVersion ?? "").split("/");
  if (group !== crd.group) errs.push(`apiVersion: group ${group} is not ${crd.group}`);
  const schema = crd.versions[version];
  if (!schema) return [...errs, `apiVersion: version ${version} is not served (${Object.keys(crd.versions).join(", ")})`];
  if (obj.kind !== crd.kind) errs.push(`kind: ${obj.kind} is not ${crd.kind}`);
  if (typeof obj.metadata?.name !== "string" || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(obj.metadata.name)) errs.push("metadata.name: not a DNS subdomain name");
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
  check({ ...schema, properties: { ...schema.properties }, required: undefined }, rest, "", errs);
  return errs;
}
