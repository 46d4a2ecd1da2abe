// OpenAI-side pieces every provider conversion shares: messages merged by role, the stop list,
// tool definitions, tool calls. Like util.ts, nothing here traps on malformed input.
import { JsonObject, JsonValue, JsonKind } from "@sluice/sdk";
import { jsonString, jsonInt, jsonObject, jsonArray, str } from "./util";

/** Adds `items` to the last entry of `list` when it has the same role (Messages, Converse and
 *  Gemini require alternating roles), else appends `{role, [key]: items}`; no items, no entry. */
export function appendByRole(list: Array<JsonValue>, role: string, key: string, items: Array<JsonValue>): void {
  if (items.length == 0) return;
  if (list.length > 0) {
    const last = list[list.length - 1].asObject();
    if (last !== null && str(last, "role") == role) {
      const prev = last.getArray(key);
      if (prev !== null) {
        for (let i = 0; i < items.length; i++) prev.push(items[i]);
        return;
      }
    }
  }
  const entry = new JsonObject();
  entry.set("role", jsonString(role));
  entry.set(key, jsonArray(items));
  list.push(jsonObject(entry));
}

/** OpenAI `stop` as a list (a lone string wrapped); null when absent or of another kind. */
export function stopSequences(req: JsonObject): JsonValue | null {
  const stop = req.get("stop");
  if (stop === null) return null;
  if (stop.kind == JsonKind.String) return jsonArray([stop]);
  if (stop.kind == JsonKind.Array) return stop;
  return null;
}

/** The `function` objects of OpenAI `tools` (entries without one skipped); null when the request
 *  has no tools, so a present-but-useless list still yields an empty provider list. */
export function toolFunctions(req: JsonObject): Array<JsonObject> | null {
  const tools = req.getArray("tools");
  if (tools === null || tools.length == 0) return null;
  const out = new Array<JsonObject>();
  for (let i = 0; i < tools.length; i++) {
    const t = tools[i].asObject();
    if (t === null) continue;
    const fn = t.getObject("function");
    if (fn !== null) out.push(fn);
  }
  return out;
}

/** A tool's input as the OpenAI `arguments` string (`{}` when there is none). */
export function argumentsText(input: JsonValue | null): string {
  return input === null ? "{}" : input.stringify();
}

/** An OpenAI tool call `{index?, id, type: "function", function: {name, arguments}}`; a negative
 *  index (whole responses) is left out. */
export function toolCall(index: i64, id: string, name: string, args: string): JsonValue {
  const fn = new JsonObject();
  fn.set("name", jsonString(name));
  fn.set("arguments", jsonString(args));
  const c = new JsonObject();
  if (index >= 0) c.set("index", jsonInt(index));
  c.set("id", jsonString(id));
  c.set("type", jsonString("function"));
  c.set("function", jsonObject(fn));
  return jsonObject(c);
}

/** A streamed continuation of tool call `index`: `{index, function: {arguments}}`. */
export function toolCallArguments(index: i64, args: string): JsonValue {
  const fn = new JsonObject();
  fn.set("arguments", jsonString(args));
  const c = new JsonObject();
  c.set("index", jsonInt(index));
  c.set("function", jsonObject(fn));
  return jsonObject(c);
}
