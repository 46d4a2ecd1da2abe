// Generates Higress's spec.yaml (plugin metadata + the config's OpenAPI v3 schema) from a plugin's
// README: the title, the first paragraph, the configuration table and the first YAML example.
import YAML from "yaml";

interface Column {
  name: number;
  type: number;
  required: number;
  def: number;
  description: number;
}

const HEADERS: Record<keyof Column, RegExp> = {
  name: /^(name|field|option|key|parameter|名称|配置项|参数)/i,
  type: /^(type|数据类型|类型)/i,
  required: /^(required|填写要求|必填|是否必填)/i,
  def: /^(default|默认值)/i,
  description: /^(description|描述|说明)/i,
};

function cells(line: string): string[] {
  return line.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
}

const unquote = (s: string) => s.replace(/`/g, "").trim();

/** Maps "string", "array of string", "string[]", "number", "bool", "object" … to a schema. */
export function schemaType(type: string): Record<string, unknown> {
  const t = unquote(type).toLowerCase();
  const arr = /^(?:array|list)\s*(?:of\s+|<)?\s*([a-z]+)?>?$/.exec(t) ?? /^([a-z]+)\s*\[\]$/.exec(t);
  if (arr) return { type: "array", items: arr[1] ? schemaType(arr[1]) : { type: "string" } };
  if (/^(int|integer|int32|int64|uint32)$/.test(t)) return { type: "integer" };
  if (/^(number|float|double)$/.test(t)) return { type: "number" };
  if (/^(bool|boolean)$/.test(t)) return { type: "boolean" };
  if (/^(object|map)/.test(t)) return { type: "object" };
  return { type: "string" };
}

function typedDefault(value: string, schema: Record<string, unknown>): unknown {
  const v = unquote(value);
  if (!v || v === "-") return undefined;
  if (schema.type === "integer" || schema.type === "number") return Number.isFinite(Number(v)) ? Number(v) : undefined;
  if (schema.type === "boolean") return v === "true" ? true : v === "false" ? false : undefined;
  if (schema.type === "string") return v;
  return undefined;
}

export interface ConfigField {
  name: string;
  schema: Record<string, unknown>;
  required: boolean;
}

/** The first markdown table with a name and a type column. */
export function configTable(readme: string): ConfigField[] {
  const lines = readme.split("\n");
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i].trim().startsWith("|") || !/^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) continue;
    const head = cells(lines[i]);
    const col = {} as Column;
    for (const key of Object.keys(HEADERS) as (keyof Column)[]) col[key] = head.findIndex((h) => HEADERS[key].test(h));
    if (col.name < 0 || col.type < 0) continue;
    const fields: ConfigField[] = [];
    for (let j = i + 2; j < lines.length && lines[j].trim().startsWith("|"); j++) {
      const row = cells(lines[j]);
      const name = unquote(row[col.name] ?? "");
      if (!/^[A-Za-z_][\w.-]*$/.test(name)) continue;
      const schema = schemaType(row[col.type] ?? "string");
      if (col.description >= 0 && row[col.description]) schema.description = row[col.description].replace(/`/g, "");
      if (col.def >= 0) {
        const d = typedDefault(row[col.def] ?? "", schema);
        if (d !== undefined) schema.default = d;
      }
      const req = col.required >= 0 ? (row[col.required] ?? "").toLowerCase() : "";
      fields.push({ name, schema, required: /^(yes|true|required|是|必填)/.test(req) });
    }
    return fields;
  }
  return [];
}

function firstParagraph(readme: string): string {
  const out: string[] = [];
  for (const line of readme.split("\n")) {
    const t = line.trim();
    if (!t) { if (out.length) break; continue; }
    if (t.startsWith("#") || t.startsWith("|") || t.startsWith("```") || t.startsWith("---")) { if (out.length) break; continue; }
    out.push(t);
  }
  return out.join(" ");
}

function yamlExample(readme: string): unknown {
  const m = /```ya?ml\n([\s\S]*?)```/.exec(readme);
  if (!m) return undefined;
  try {
    return YAML.parse(m[1]) ?? undefined;
  } catch {
    return undefined;
  }
}

export function generateSpec(pluginName: string, version: string, readme: string): string {
  const fields = configTable(readme);
  const properties: Record<string, unknown> = {};
  for (const f of fields) properties[f.name] = f.schema;
  const schema: Record<string, unknown> = { type: "object", properties };
  const required = fields.filter((f) => f.required).map((f) => f.name);
  if (required.length) schema.required = required;
  const example = yamlExample(readme);
  if (example !== undefined) schema.example = example;
  const title = /^#\s+(.+)$/m.exec(readme)?.[1].trim() ?? pluginName;
  const doc = {
    apiVersion: "1.0.0",
    info: {
      category: "custom",
      name: pluginName,
      title,
      description: firstParagraph(readme) || title,
      version,
    },
    spec: {
      phase: "UNSPECIFIED_PHASE",
      priority: 0,
      configSchema: { openAPIV3Schema: schema },
    },
  };
  return YAML.stringify(doc, { lineWidth: 0 });
}
