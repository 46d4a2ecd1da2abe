// Test entry: compiles a schema and validates instances (both given as JSON text) so the tests can
// run the JSON-Schema-Test-Suite through the validator.
import { parseJson } from "../json";
import { Schema, SchemaResult, Draft } from "../jsonschema";

let cachedText: string | null = null;
let cachedDraft: i32 = 0;
let cached: SchemaResult | null = null;

/** draft + 100: compile with format assertion. */
function compile(schema: string, draft: i32): SchemaResult {
  if (cachedText !== null && cachedText! == schema && cachedDraft == draft) return cached!;
  const d = draft % 100;
  const r = Schema.compileText(schema, d == 4 ? Draft.Draft4 : d == 6 ? Draft.Draft6 : Draft.Draft7, draft >= 100);
  cachedText = schema;
  cachedDraft = draft;
  cached = r;
  return r;
}

/** "" when the schema compiles, else the error. */
export function compileError(schema: string, draft: i32): string {
  const r = compile(schema, draft);
  return r.ok ? "" : r.error;
}

/** "ok", "invalid: <error>", "schema: <error>" or "instance: <error>". */
export function validate(schema: string, draft: i32, instance: string): string {
  const r = compile(schema, draft);
  if (!r.ok) return "schema: " + r.error;
  const v = parseJson(instance);
  if (!v.ok) return "instance: " + v.error;
  const e = r.schema!.validate(v.value!);
  return e === null ? "ok" : "invalid: " + e!;
}
