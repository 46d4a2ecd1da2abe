// The client's request customised by config (customSettings, context file, cleanup commands,
// message merging) and the answer's OpenAI-level options (base64 embeddings, promoted thinking).
import { JsonObject, JsonValue, JsonKind } from "@sluice/sdk";
import { base64Encode } from "@sluice/sdk/encoding";
import { CustomSetting } from "./config";
import { jsonString, jsonObject, jsonArray, str } from "./util";

/** encoding_format "base64": each embedding as little-endian float32 bytes in base64 (OpenAI's format). */
export function embeddingsToBase64(resp: JsonObject): void {
  const data = resp.getArray("data");
  if (data === null) return;
  for (let i = 0; i < data.length; i++) {
    const e = data[i].asObject();
    if (e === null) continue;
    const v = e.getArray("embedding");
    if (v === null) continue;
    const buf = new ArrayBuffer(v.length * 4);
    for (let j = 0; j < v.length; j++) store<f32>(changetype<usize>(buf) + <usize>(j * 4), <f32>v[j].num);
    e.set("embedding", jsonString(base64Encode(buf)));
  }
}

/**
 * contextCleanupCommands: a user message that is exactly a command drops itself and every
 * earlier non-system message (the last such command wins).
 */
export function cleanupContext(req: JsonObject, commands: Array<string>): void {
  const list = req.getArray("messages");
  if (list === null) return;
  let cut = -1;
  for (let i = 0; i < list.length; i++) {
    const m = list[i].asObject();
    if (m === null || str(m, "role") != "user") continue;
    const c = m.get("content");
    if (c !== null && c.isString && commands.includes(c.str.trim())) cut = i;
  }
  if (cut < 0) return;
  const kept = new Array<JsonValue>();
  for (let i = 0; i < list.length; i++) {
    if (i > cut) { kept.push(list[i]); continue; }
    const m = list[i].asObject();
    if (i < cut && m !== null && str(m, "role") == "system") kept.push(list[i]);
  }
  req.set("messages", jsonArray(kept));
}

/** mergeConsecutiveMessages: consecutive messages of the same role (not tool) become one. */
export function mergeConsecutive(req: JsonObject): void {
  const list = req.getArray("messages");
  if (list === null) return;
  const out = new Array<JsonValue>();
  for (let i = 0; i < list.length; i++) {
    const m = list[i].asObject();
    if (m !== null && out.length > 0) {
      const prev = out[out.length - 1].asObject();
      const role = str(m, "role");
      if (prev !== null && role != "tool" && str(prev, "role") == role && !prev.has("tool_calls") && !m.has("tool_calls")) {
        const a = prev.get("content"), b = m.get("content");
        if (a !== null && b !== null && a.isString && b.isString) {
          prev.set("content", jsonString(a.str + "\n\n" + b.str));
          continue;
        }
      }
    }
    out.push(list[i]);
  }
  req.set("messages", jsonArray(out));
}

/** promoteThinkingOnEmpty: an answer with reasoning but no content gets the reasoning as content. */
export function promoteThinking(resp: JsonObject): void {
  const choices = resp.getArray("choices");
  if (choices === null) return;
  for (let i = 0; i < choices.length; i++) {
    const c = choices[i].asObject();
    const m: JsonObject | null = c === null ? null : c.getObject("message");
    if (m === null || m.has("tool_calls")) continue;
    const r = str(m, "reasoning_content");
    const content = m.get("content");
    const empty = content === null || content.isNull || (content.isString && content.str.trim().length == 0);
    if (r.length > 0 && empty) { m.set("content", jsonString(r)); m.delete("reasoning_content"); }
  }
}

export function renameDeveloperRole(req: JsonObject): void {
  const list = req.getArray("messages");
  if (list === null) return;
  for (let i = 0; i < list.length; i++) {
    const m = list[i].asObject();
    if (m !== null && str(m, "role") == "developer") m.set("role", jsonString("system"));
  }
}

/** customSettings in "auto" mode use OpenAI names: the provider conversion renames them. */
export function applyCustomSettings(req: JsonObject, settings: Array<CustomSetting>): void {
  for (let i = 0; i < settings.length; i++) {
    const c = settings[i];
    if (c.raw) {
      // A dotted JSON path, set literally.
      const parts = c.name.split(".");
      let o: JsonObject = req;
      let ok = true;
      for (let j = 0; j < parts.length - 1; j++) {
        let next = o.getObject(parts[j]);
        if (next === null) {
          if (o.has(parts[j])) { ok = false; break; }
          next = new JsonObject();
          o.set(parts[j], jsonObject(next));
        }
        o = next;
      }
      if (!ok) continue;
      const leaf = parts[parts.length - 1];
      if (c.overwrite || !o.has(leaf)) o.set(leaf, c.value);
      continue;
    }
    const n = c.name;
    if (n != "max_tokens" && n != "temperature" && n != "top_p" && n != "top_k" && n != "seed") continue;
    if (c.overwrite || !req.has(n)) req.set(n, c.value);
  }
}

/** The context file becomes a system message before the first non-system message (Claude: `system`). */
export function insertContext(req: JsonObject, text: string, nativeMessages: bool): void {
  if (nativeMessages) {
    const sys = req.get("system");
    if (sys === null || sys.isNull) req.set("system", jsonString(text));
    else if (sys.kind == JsonKind.String) req.set("system", jsonString(text + "\n" + sys.str));
    else {
      const a = sys.asArray();
      if (a !== null) {
        const b = new JsonObject();
        b.set("type", jsonString("text"));
        b.set("text", jsonString(text));
        a.unshift(jsonObject(b));
      }
    }
    return;
  }
  const list = req.getArray("messages");
  if (list === null) return;
  let at = 0;
  while (at < list.length) {
    const m = list[at].asObject();
    if (m === null || str(m, "role") != "system") break;
    at++;
  }
  const msg = new JsonObject();
  msg.set("role", jsonString("system"));
  msg.set("content", jsonString(text));
  list.push(jsonObject(msg));
  for (let i = list.length - 1; i > at; i--) list[i] = list[i - 1];
  list[at] = jsonObject(msg);
}
