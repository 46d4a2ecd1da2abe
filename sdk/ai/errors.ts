// Error bodies in the shapes the official clients read, for plugins that refuse an LLM request
// in the client's own protocol (OpenAI chat or Anthropic messages).
import { JsonWriter } from "../json/writer";

function openaiErrorType(status: u32): string {
  if (status == 400 || status == 404 || status == 413 || status == 422) return "invalid_request_error";
  if (status == 401) return "authentication_error";
  if (status == 403) return "permission_error";
  if (status == 429) return "rate_limit_exceeded";
  if (status >= 500) return "server_error";
  return "api_error";
}

/** `{"error":{"message","type","param":null,"code"}}` (code null when ""), as the openai SDK reads it. */
export function openaiErrorJson(status: u32, message: string, code: string): string {
  const w = new JsonWriter();
  w.beginObject().key("error").beginObject()
    .key("message").string(message)
    .key("type").string(openaiErrorType(status))
    .key("param").null();
  w.key("code");
  if (code.length > 0) w.string(code); else w.null();
  w.endObject().endObject();
  return w.toString();
}

function anthropicErrorType(status: u32): string {
  if (status == 400 || status == 422) return "invalid_request_error";
  if (status == 413) return "request_too_large";
  if (status == 401) return "authentication_error";
  if (status == 403) return "permission_error";
  if (status == 404) return "not_found_error";
  if (status == 429) return "rate_limit_error";
  if (status == 529) return "overloaded_error";
  return "api_error";
}

/** `{"type":"error","error":{"type","message"}}`, as the Anthropic SDK reads it. */
export function anthropicErrorJson(status: u32, message: string): string {
  const w = new JsonWriter();
  w.beginObject().key("type").string("error").key("error").beginObject()
    .key("type").string(anthropicErrorType(status))
    .key("message").string(message)
    .endObject().endObject();
  return w.toString();
}
