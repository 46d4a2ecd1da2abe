// OpenAI's embeddings answer, built from a provider's vectors (gemini, vertex, qwen native).
import { JsonObject, JsonValue } from "@sluice/sdk";
import { TokenUsage } from "@sluice/sdk/ai";
import { jsonString, jsonInt, jsonObject, jsonArray } from "./util";

/** One `{object: "embedding", index, embedding}` item (an empty vector when the provider gave none). */
export function openaiEmbedding(index: i64, values: JsonValue | null): JsonValue {
  const o = new JsonObject();
  o.set("object", jsonString("embedding"));
  o.set("index", jsonInt(index));
  o.set("embedding", values === null ? jsonArray(new Array<JsonValue>()) : values);
  return jsonObject(o);
}

/** `{object: "list", data, model, usage}` with `tokens` as prompt and total tokens (also into `usage`). */
export function openaiEmbeddingsList(data: Array<JsonValue>, model: string, tokens: i64, usage: TokenUsage): JsonObject {
  usage.set(tokens, 0, tokens);
  const out = new JsonObject();
  out.set("object", jsonString("list"));
  out.set("data", jsonArray(data));
  out.set("model", jsonString(model));
  const u = new JsonObject();
  u.set("prompt_tokens", jsonInt(tokens));
  u.set("total_tokens", jsonInt(tokens));
  out.set("usage", jsonObject(u));
  return out;
}
