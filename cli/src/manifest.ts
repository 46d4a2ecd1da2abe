// A plugin's manifest (plugins/<name>/plugin.yaml): the one place that says what the plugin is
// (name, version, Higress phase and priority, category, title, description), what it reads
// (the configuration schema) and how it is configured (examples). The README's configuration
// table, the spec.yaml that `push` writes and the deployment YAML are generated from it.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { CliError } from "./errors.js";

export const MANIFEST_FILE = "plugin.yaml";
export const PHASES = ["AUTHN", "AUTHZ", "STATS", "default"] as const;
export type Phase = (typeof PHASES)[number];
export const CATEGORIES = ["auth", "security", "traffic", "transformation", "ai", "o11y", "custom"] as const;
export const TYPES = ["string", "integer", "number", "boolean", "object", "array"] as const;

/** One configuration field: an OpenAPI v3 schema with `required` and `scope` on the field itself. */
export interface Field {
  type: (typeof TYPES)[number];
  description?: string;
  /** Required where its scope applies (a rule-scoped required field: required on every rule). */
  required?: boolean;
  /** `global` (defaultConfig only), `rule` (_rules_/matchRules only) or `any` (default). */
  scope?: "global" | "rule" | "any";
  default?: unknown;
  /** The default as words, when it is not one value (shown in the README instead of `default`). */
  defaultText?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  items?: Field;
  properties?: Record<string, Field>;
  /** An object whose keys are not fixed (maps), or one that takes fields beyond those listed. */
  additionalProperties?: boolean | Field;
  /** Also accepted: a second type (e.g. a list or one comma-separated string). */
  alsoAccepts?: (typeof TYPES)[number];
}

export interface Example {
  title: string;
  /** What goes under defaultConfig (a `_rules_` list is allowed, as sluice run takes it). */
  config: Record<string, unknown>;
}

export interface Manifest {
  name: string;
  version: string;
  title: string;
  description: string;
  category: (typeof CATEGORIES)[number];
  phase: Phase;
  priority: number;
  /** Where phase and priority come from (Higress's README for the plugin, or why they differ). */
  priorityFrom?: string;
  /** What the plugin reads of a stream: the deployment snippets size Envoy's buffers from it. */
  body?: { request?: boolean; response?: boolean };
  config: { properties: Record<string, Field>; notes?: string };
  examples: Example[];
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function fail(file: string, why: string): never {
  throw new CliError(`${file}: ${why}`);
}

function checkField(file: string, path: string, f: Field): void {
  if (!f || typeof f !== "object") fail(file, `${path} must be a field (an object with a type)`);
  if (!TYPES.includes(f.type)) fail(file, `${path}.type must be one of ${TYPES.join(", ")}`);
  if (f.scope !== undefined && !["global", "rule", "any"].includes(f.scope)) fail(file, `${path}.scope must be global, rule or any`);
  if (f.type === "array") {
    if (!f.items) fail(file, `${path} is an array: say what its items are (items)`);
    checkField(file, `${path}[]`, f.items);
  }
  if (f.properties) for (const [k, v] of Object.entries(f.properties)) checkField(file, `${path}.${k}`, v);
  if (f.additionalProperties && typeof f.additionalProperties === "object") checkField(file, `${path}.*`, f.additionalProperties);
  if (f.default !== undefined && validateValue(f, f.default, `${path}.default`, "any").length) fail(file, `${path}.default does not match its own type`);
}

/** Reads and checks a plugin's manifest; undefined when the plugin has none. */
export function loadManifest(dir: string): Manifest | undefined {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return undefined;
  let m: Manifest;
  try {
    m = YAML.parse(readFileSync(file, "utf8")) as Manifest;
  } catch (e) {
    fail(file, `not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!m || typeof m !== "object") fail(file, "must hold an object");
  if (!NAME.test(m.name ?? "")) fail(file, "name must be lowercase letters, digits and single dashes");
  if (!/^\d+\.\d+\.\d+$/.test(m.version ?? "")) fail(file, "version must be MAJOR.MINOR.PATCH");
  for (const k of ["title", "description"] as const) if (typeof m[k] !== "string" || !m[k]) fail(file, `${k} is required`);
  if (!CATEGORIES.includes(m.category)) fail(file, `category must be one of ${CATEGORIES.join(", ")}`);
  if (!PHASES.includes(m.phase)) fail(file, `phase must be one of ${PHASES.join(", ")}`);
  if (!Number.isInteger(m.priority)) fail(file, "priority must be an integer");
  if (!m.config?.properties) fail(file, "config.properties is required");
  for (const [k, v] of Object.entries(m.config.properties)) checkField(file, k, v);
  if (!Array.isArray(m.examples) || m.examples.length === 0) fail(file, "at least one example is required");
  return m;
}

// ---------------------------------------------------------------------------------------------
// Checking a configuration against the schema

const RULE_KEYS = ["_match_route_", "_match_domain_", "_match_service_", "_match_route_prefix_"];

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function matchesType(t: string, v: unknown): boolean {
  const actual = typeOf(v);
  return actual === t || (t === "number" && actual === "integer");
}

function validateValue(f: Field, v: unknown, path: string, where: "global" | "rule" | "any"): string[] {
  if (!matchesType(f.type, v) && !(f.alsoAccepts && matchesType(f.alsoAccepts, v))) return [`${path}: expected ${f.type}, got ${typeOf(v)}`];
  const errs: string[] = [];
  if (f.enum && !f.enum.some((e) => e === v)) errs.push(`${path}: must be one of ${f.enum.map((e) => JSON.stringify(e)).join(", ")}, not ${JSON.stringify(v)}`);
  if (typeof v === "number") {
    if (f.minimum !== undefined && v < f.minimum) errs.push(`${path}: must be ≥ ${f.minimum}`);
    if (f.maximum !== undefined && v > f.maximum) errs.push(`${path}: must be ≤ ${f.maximum}`);
  }
  if (Array.isArray(v) && f.type === "array" && f.items) v.forEach((x, i) => errs.push(...validateValue(f.items!, x, `${path}[${i}]`, "any")));
  if (typeOf(v) === "object" && f.type === "object") errs.push(...validateObject(f.properties ?? {}, f.additionalProperties, v as Record<string, unknown>, path, where));
  return errs;
}

function validateObject(props: Record<string, Field>, extra: Field["additionalProperties"], obj: Record<string, unknown>, path: string, where: "global" | "rule" | "any"): string[] {
  const errs: string[] = [];
  const at = (k: string) => (path ? `${path}.${k}` : k);
  for (const [k, v] of Object.entries(obj)) {
    const f = props[k];
    if (!f) {
      if (extra === true) continue;
      if (extra && typeof extra === "object") errs.push(...validateValue(extra, v, at(k), "any"));
      else errs.push(`${at(k)}: unknown field`);
      continue;
    }
    if (where !== "any" && f.scope && f.scope !== "any" && f.scope !== where) errs.push(`${at(k)}: only allowed in ${f.scope === "rule" ? "a rule" : "the global configuration"}`);
    errs.push(...validateValue(f, v, at(k), "any"));
  }
  for (const [k, f] of Object.entries(props)) {
    const applies = where === "any" || !f.scope || f.scope === "any" || f.scope === where;
    if (f.required && applies && obj[k] === undefined && where !== "rule") errs.push(`${at(k)}: required`);
    if (f.required && f.scope === "rule" && where === "rule" && obj[k] === undefined) errs.push(`${at(k)}: required`);
  }
  return errs;
}

/**
 * Errors of a plugin configuration (global fields plus `_rules_`) against the manifest's schema.
 * A rule may leave out required global fields: Higress plugins that merge rules inherit them.
 */
export function validateConfig(m: Manifest, config: Record<string, unknown>): string[] {
  const { _rules_: rules, ...global } = config;
  const errs = validateObject(m.config.properties, false, global, "", "global");
  if (rules !== undefined) {
    if (!Array.isArray(rules)) return [...errs, "_rules_: expected array"];
    rules.forEach((r, i) => {
      if (typeOf(r) !== "object") return errs.push(`_rules_[${i}]: expected object`);
      const { ...rule } = r as Record<string, unknown>;
      const matchers = RULE_KEYS.filter((k) => k in rule);
      if (matchers.length === 0) errs.push(`_rules_[${i}]: needs one of ${RULE_KEYS.join(", ")}`);
      for (const k of matchers) {
        if (!Array.isArray(rule[k]) || !(rule[k] as unknown[]).every((x) => typeof x === "string")) errs.push(`_rules_[${i}].${k}: expected array of string`);
        delete rule[k];
      }
      errs.push(...validateObject(m.config.properties, false, rule, `_rules_[${i}]`, "rule"));
    });
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// The README's configuration table

export const TABLE_BEGIN = "<!-- config:begin -->";
export const TABLE_END = "<!-- config:end -->";

function typeText(f: Field): string {
  let t: string = f.type;
  if (f.type === "array") t = `array of ${f.items!.type === "object" && f.items!.properties ? "object" : typeText(f.items!)}`;
  if (f.type === "object" && f.additionalProperties && typeof f.additionalProperties === "object") t = `map of ${typeText(f.additionalProperties)}`;
  if (f.alsoAccepts) t += ` or ${f.alsoAccepts}`;
  if (f.enum) t += `: ${f.enum.map((e) => `\`${String(e)}\``).join(", ")}`;
  return t;
}

function cell(s: string): string {
  // A pipe inside a cell splits it in most renderers, escaped or not.
  return s.replace(/\n/g, " ").replace(/\s*\|\s*/g, " or ").trim();
}

function rows(props: Record<string, Field>, prefix: string, out: string[], showScope: boolean, parentScope?: Field["scope"]): void {
  for (const [k, f] of Object.entries(props)) {
    const scope = parentScope ?? f.scope;
    const name = prefix + k;
    const def = f.defaultText ?? (f.default === undefined ? "" : `\`${typeof f.default === "string" ? f.default : JSON.stringify(f.default)}\``);
    const cols = [`\`${name}\``];
    if (showScope) cols.push(scope === "rule" ? "rule" : scope === "global" ? "global" : "both");
    cols.push(cell(typeText(f)), f.required ? "yes" : "no", cell(def || "–"), cell(f.description ?? ""));
    out.push(`| ${cols.join(" | ")} |`);
    if (f.type === "object" && f.properties) rows(f.properties, `${name}.`, out, showScope, scope);
    if (f.type === "array" && f.items?.properties) rows(f.items.properties, `${name}[].`, out, showScope, scope);
  }
}

/** The markdown between the README's config markers (markers included). */
export function configTableMarkdown(m: Manifest, extra?: string): string {
  const showScope = Object.values(m.config.properties).some((f) => f.scope && f.scope !== "any");
  const head = showScope ? ["field", "scope", "type", "required", "default", "meaning"] : ["field", "type", "required", "default", "meaning"];
  const out = [
    TABLE_BEGIN,
    `<!-- generated from ${MANIFEST_FILE} by scripts/gen-plugin-docs.ts; edit the manifest, then run it -->`,
    "",
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
  ];
  rows(m.config.properties, "", out, showScope);
  if (m.config.notes) out.push("", m.config.notes.trim());
  if (extra) out.push("", extra.trim());
  out.push("", TABLE_END);
  return out.join("\n");
}

/** The README with its generated block replaced (or an error when it has no markers). */
export function withConfigTable(readme: string, m: Manifest, extra?: string): string {
  const a = readme.indexOf(TABLE_BEGIN);
  const b = readme.indexOf(TABLE_END);
  if (a < 0 || b < a) throw new CliError(`README has no ${TABLE_BEGIN} … ${TABLE_END} block`);
  return readme.slice(0, a) + configTableMarkdown(m, extra) + readme.slice(b + TABLE_END.length);
}

// ---------------------------------------------------------------------------------------------
// Higress's spec.yaml (what its console reads from the image)

function openApi(f: Field): Record<string, unknown> {
  const o: Record<string, unknown> = { type: f.type };
  if (f.description) o.description = f.description.replace(/`/g, "");
  if (f.default !== undefined) o.default = f.default;
  if (f.enum) o.enum = f.enum;
  if (f.minimum !== undefined) o.minimum = f.minimum;
  if (f.maximum !== undefined) o.maximum = f.maximum;
  if (f.items) o.items = openApi(f.items);
  if (f.properties) {
    o.properties = Object.fromEntries(Object.entries(f.properties).map(([k, v]) => [k, openApi(v)]));
    const req = Object.entries(f.properties).filter(([, v]) => v.required && v.scope !== "rule").map(([k]) => k);
    if (req.length) o.required = req;
  }
  if (f.additionalProperties !== undefined) o.additionalProperties = typeof f.additionalProperties === "object" ? openApi(f.additionalProperties) : f.additionalProperties;
  return o;
}

/** The config's OpenAPI v3 schema (global fields; rule-only fields are listed too, not required). */
export function configSchema(m: Manifest): Record<string, unknown> {
  const schema = openApi({ type: "object", properties: m.config.properties });
  schema.example = m.examples[0].config;
  return schema;
}

export function specYaml(m: Manifest, version = m.version): string {
  const doc = {
    apiVersion: "1.0.0",
    info: { category: m.category, name: m.name, title: m.title, description: m.description, version },
    spec: { phase: m.phase, priority: m.priority, configSchema: { openAPIV3Schema: configSchema(m) } },
  };
  return YAML.stringify(doc, { lineWidth: 0 });
}
