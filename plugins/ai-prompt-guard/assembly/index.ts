// ai-prompt-guard: refuses chat requests whose prompt matches a deny pattern, or matches none of
// the allow patterns. Configuration and behaviour follow Kong's ai-prompt-guard (Higress has no
// such plugin): deny wins over allow; by default the text of every `user` message is joined and
// checked; `allow_all_conversation_history` checks only the last one; `match_all_roles` adds
// the other roles (Anthropic's top-level `system` included). Patterns are RE2 (linear time), each
// list compiled into one set that reads the prompt once.
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, JsonValue, HeaderPair, registerPlugin, log } from "@sluice/sdk";
import { RegexSet } from "@sluice/sdk/regex";
import { JsonSpan, parseJsonBytes } from "@sluice/sdk/json";
import { AiApi, classifyAiPathString, topLevelFields, parseSpan, contentText, openaiErrorJson, anthropicErrorJson } from "@sluice/sdk/ai";
export * from "@sluice/sdk/exports";

class GuardConfig {
  allow: RegexSet | null = null;
  deny: RegexSet | null = null;
  lastOnly: bool = false;
  allRoles: bool = false;
  denyCode: u32 = 400;
  denyMessage: string = "bad request";
}

function patternSet(json: JsonObject, field: string, err: ConfigError): RegexSet | null {
  const v = json.get(field);
  if (v === null || v.isNull) return null;
  const list = v.asArray();
  if (list === null) { err.fail<GuardConfig>(field + " must be an array of regular expressions"); return null; }
  if (list.length == 0) return null;
  const patterns = new Array<string>();
  for (let i = 0; i < list.length; i++) {
    const s = list[i].asString();
    if (s === null || s.length == 0) { err.fail<GuardConfig>(field + "[" + i.toString() + "] must be a non-empty string"); return null; }
    patterns.push(s);
  }
  const r = RegexSet.compile(patterns);
  if (!r.ok) { err.fail<GuardConfig>(field + "[" + r.failed.toString() + "]: " + r.error); return null; }
  return r.set;
}

class PromptGuard extends Plugin<GuardConfig> {
  parseConfig(json: JsonObject, global: GuardConfig | null, err: ConfigError): GuardConfig | null {
    const c = new GuardConfig();
    c.allow = patternSet(json, "allow_patterns", err);
    if (err.failed) return null;
    c.deny = patternSet(json, "deny_patterns", err);
    if (err.failed) return null;
    if (c.allow === null && c.deny === null) return err.fail<GuardConfig>("at least one of allow_patterns or deny_patterns must be set");
    c.lastOnly = json.getBool("allow_all_conversation_history", false);
    c.allRoles = json.getBool("match_all_roles", false);
    const code = json.getNumber("deny_code", 400);
    if (code < 100 || code > 599 || code != Math.floor(code)) return err.fail<GuardConfig>("deny_code must be an HTTP status between 100 and 599");
    c.denyCode = <u32>code;
    const msg = json.getString("deny_message");
    if (msg !== null) c.denyMessage = msg;
    return c;
  }

  newFilter(): HttpFilter<GuardConfig> { return new PromptGuardFilter(); }
}

class PromptGuardFilter extends HttpFilter<GuardConfig> {
  private anthropic: bool = false;

  onRequestHeaders(endOfStream: bool): Action {
    if (endOfStream) return Action.Continue;
    const p = this.requestHeaders.get(":path");
    this.anthropic = classifyAiPathString(p === null ? "" : p) == AiApi.AnthropicMessages;
    this.requestBodyMode = BodyMode.Buffer;
    // Held until the prompt is judged: the upstream sees nothing of a refused request.
    return Action.Pause;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const messages = topLevelFields(body, "messages");
    if (messages === null) return this.refuse("request body is not a JSON object");
    // Every duplicate is judged: parsers differ on which one they keep.
    if (messages.length > 0) {
      let system = "";
      if (this.anthropic && this.config.allRoles) {
        const spans = topLevelFields(body, "system")!;
        for (let i = 0; i < spans.length; i++) system += contentText(parseSpan(body, spans[i]));
      }
      for (let i = 0; i < messages.length; i++) {
        const list = parseSpan(body, messages[i]);
        if (list === null || !list.isArray) return this.refuse("messages is not an array");
        const verdict = this.judge(this.promptOf(list.asArray()!, system));
        if (verdict !== null) return this.refuse(verdict!);
      }
      return Action.Continue;
    }
    const prompts = topLevelFields(body, "prompt")!;
    if (prompts.length == 0) return this.refuse("no messages or prompt in the request body");
    for (let i = 0; i < prompts.length; i++) {
      const verdict = this.judge(contentText(parseSpan(body, prompts[i])));
      if (verdict !== null) return this.refuse(verdict!);
    }
    return Action.Continue;
  }

  /** The text to check: the chosen roles' messages, all joined (as Kong joins them) or the last. */
  private promptOf(list: Array<JsonValue>, system: string): string {
    const c = this.config;
    const parts = new Array<string>();
    if (system.length > 0) parts.push(system);
    for (let i = 0; i < list.length; i++) {
      const o = list[i].asObject();
      if (o === null) continue;
      const role = o.getString("role");
      if (!c.allRoles && (role === null || role != "user")) continue;
      parts.push(contentText(o.get("content")));
    }
    if (c.lastOnly) return parts.length == 0 ? "" : parts[parts.length - 1];
    return parts.join("");
  }

  /** Null when the prompt passes, else why it does not (for the log, never the client). */
  private judge(prompt: string): string | null {
    const c = this.config;
    const deny = c.deny;
    if (deny !== null && deny.test(prompt)) return "prompt matches a deny pattern";
    const allow = c.allow;
    if (allow !== null && !allow.test(prompt)) return "prompt matches no allow pattern";
    return null;
  }

  private refuse(why: string): Action {
    const c = this.config;
    log.info("request refused: " + why);
    const body = this.anthropic ? anthropicErrorJson(c.denyCode, c.denyMessage) : openaiErrorJson(c.denyCode, c.denyMessage, "prompt_guard");
    return this.respond(c.denyCode, body, [new HeaderPair("content-type", "application/json")], "ai-prompt-guard.refused");
  }
}

registerPlugin("ai-prompt-guard", () => new PromptGuard());
