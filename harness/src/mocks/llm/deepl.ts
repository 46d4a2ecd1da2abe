// DeepL's text translation API (POST https://api-free.deepl.com/v2/translate, or api.deepl.com for
// Pro keys), JSON body. Checked as DeepL does: `Authorization: DeepL-Auth-Key <key>` (missing or
// unknown key → 403), a Free key (ending in ":fx") only on api-free.deepl.com and a Pro key only on
// api.deepl.com (403 "Wrong endpoint. Use https://…"), `text` a non-empty array of strings and
// `target_lang` a supported language (400). Errors are `{"message": …}` with DeepL's status (400,
// 403, 404, 429, 456, 5xx). The mock refuses parameters DeepL's /v2/translate does not document
// (stricter than DeepL, which ignores them) so an OpenAI field leaking through is caught.
//
// The "translation" is deterministic: `<TARGET>: <text>`, with ` [<context>]` appended when a
// context was sent; the detected source language is "EN" (or source_lang when given).
import { type Answer, type Family, type MockRequest, bad, need, header, validKey } from "./common.js";

export const DEEPL_HOSTS = { free: "api-free.deepl.com", pro: "api.deepl.com" };

/** Target languages of DeepL's /v2/translate (the upper-case codes it documents). */
const TARGETS = new Set(["AR", "BG", "CS", "DA", "DE", "EL", "EN", "EN-GB", "EN-US", "ES", "ET", "FI", "FR", "HU", "ID", "IT", "JA", "KO", "LT", "LV", "NB", "NL", "PL", "PT", "PT-BR", "PT-PT", "RO", "RU", "SK", "SL", "SV", "TR", "UK", "ZH", "ZH-HANS", "ZH-HANT"]);

const PARAMS = new Set(["text", "source_lang", "target_lang", "context", "show_billed_characters", "split_sentences", "preserve_formatting", "formality", "model_type", "glossary_id", "style_id", "custom_instructions", "tag_handling", "tag_handling_version", "outline_detection", "enable_beta_languages", "non_splitting_tags", "splitting_tags", "ignore_tags"]);

function checkAuth(req: MockRequest, host: string): void {
  const auth = header(req, "authorization") ?? "";
  const m = /^DeepL-Auth-Key (\S+)$/.exec(auth);
  if (!m) bad("Authorization failure, check auth_key", 403);
  const key = m[1];
  const free = key.endsWith(":fx");
  if (!validKey(free ? key.slice(0, -3) : key)) bad("Authorization failure, check auth_key", 403);
  if (free && host !== DEEPL_HOSTS.free) bad(`Wrong endpoint. Use https://${DEEPL_HOSTS.free}`, 403);
  if (!free && host !== DEEPL_HOSTS.pro) bad(`Wrong endpoint. Use https://${DEEPL_HOSTS.pro}`, 403);
}

export const deeplFamily: Family = {
  name: "deepl",
  errorBody(status, message) {
    if (status === 429) return { message: "Too many requests" };
    if (status === 456) return { message: "Quota exceeded" };
    if (status >= 500 && message.startsWith("The server had an error")) return { message: "Internal server error" };
    return { message };
  },
  handle(req: MockRequest): Answer {
    const host = header(req, "host") ?? "";
    if (host !== DEEPL_HOSTS.free && host !== DEEPL_HOSTS.pro) bad("Not found", 404);
    const path = req.path.split("?")[0];
    if (path !== "/v2/translate") bad("Not found", 404);
    if (req.method !== "POST") bad("Method not allowed", 405);
    checkAuth(req, host);
    need((header(req, "content-type") ?? "").startsWith("application/json"), "Bad request. Reason: Parameter 'text' not specified.");
    const b = req.body;
    need(b && typeof b === "object" && !Array.isArray(b), "Bad request. Reason: Invalid request body.");
    for (const k of Object.keys(b)) need(PARAMS.has(k), `Bad request. Reason: Unknown parameter '${k}'.`);
    need(b.text !== undefined, "Bad request. Reason: Parameter 'text' not specified.");
    need(Array.isArray(b.text) && b.text.every((t: unknown) => typeof t === "string"), "Bad request. Reason: Parameter 'text' must be an array of strings.");
    need(b.text.length > 0, "Bad request. Reason: Parameter 'text' not specified.");
    need(b.target_lang !== undefined, "Bad request. Reason: Parameter 'target_lang' not specified.");
    need(typeof b.target_lang === "string" && TARGETS.has(b.target_lang.toUpperCase()), "Value for 'target_lang' not supported.");
    need(b.source_lang === undefined || typeof b.source_lang === "string", "Value for 'source_lang' not supported.");
    need(b.context === undefined || typeof b.context === "string", "Bad request. Reason: Parameter 'context' must be a string.");
    const target = b.target_lang.toUpperCase();
    const source = typeof b.source_lang === "string" ? b.source_lang.toUpperCase() : "EN";
    const translations = (b.text as string[]).map((t) => ({ detected_source_language: source, text: `${target}: ${t}${b.context ? ` [${b.context}]` : ""}` }));
    return { kind: "json", body: { translations } };
  },
};
