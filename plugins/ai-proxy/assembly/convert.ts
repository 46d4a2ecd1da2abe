// OpenAI-side pieces every provider conversion shares: messages merged by role, the stop list,
// tool definitions, tool calls. Like util.ts, nothing here traps on malformed input.
import { JsonObject, JsonValue, JsonKind } from "@sluice/sdk";
import { JsonObjectView, JsonWriter } from "@sluice/sdk/json";
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

// ---- the byte conversions' common request (claude.ts, gemini.ts) ----

export const ROLE_SYSTEM: i32 = 0;
export const ROLE_DEVELOPER: i32 = 1;
export const ROLE_USER: i32 = 2;
export const ROLE_ASSISTANT: i32 = 3;

/** The view the byte conversions read each message into (re-used: nothing keeps it past the call). */
export const MESSAGE = JsonObjectView.reusable();

/**
 * A message a byte conversion takes: exactly `role` and `content`, the role system, developer,
 * user or assistant (ROLE_*), the content a string; -1 for any other message (the caller then
 * takes the tree path for the whole request).
 */
export function simpleRole(m: JsonObjectView): i32 {
  if (m.count != 2 || m.kindOf("content") != 0x22) return -1;
  if (m.stringIs("role", "user")) return ROLE_USER;
  if (m.stringIs("role", "assistant")) return ROLE_ASSISTANT;
  if (m.stringIs("role", "system")) return ROLE_SYSTEM;
  if (m.stringIs("role", "developer")) return ROLE_DEVELOPER;
  return -1;
}

/**
 * The writer a byte conversion writes its request into: the body's size and a sixteenth more
 * (the provider's wrappers around each message), as bodyBytes sizes the tree path's, so a
 * large body is written without the buffer doubling.
 */
export function requestWriter(req: JsonObjectView): JsonWriter {
  const n = req.body.byteLength;
  return new JsonWriter(n + (n >> 4) + 1024);
}
