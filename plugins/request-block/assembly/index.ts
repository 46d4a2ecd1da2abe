// request-block: refuse requests whose URL, headers or body contain configured text.
// Configuration and behaviour follow Higress's request-block plugin, except that URL rules also
// see the normalised path (see README.md): Higress compares the raw `:path` only, so `/%61dmin`
// or `//admin` slips past a rule for `/admin` that the upstream then serves.
import { Plugin, HttpFilter, Action, BodyMode, ConfigError, JsonObject, registerPlugin, log } from "@sluice/sdk";
import { normalizePathString } from "@sluice/sdk/net";
import { Regex } from "@sluice/sdk/regex";
export * from "@sluice/sdk/exports";

class BlockConfig {
  blockUrls: Array<string> = [];
  blockExactUrls: Array<string> = [];
  /** block_exact_urls normalised like request paths, without a trailing slash ("" for a rule with a query: raw only). */
  blockExactPaths: Array<string> = [];
  /** RE2 patterns (linear-time engine: a pattern from config cannot be a ReDoS). */
  blockRegexpUrls: Array<Regex> = [];
  blockHeaders: Array<string> = [];
  blockBodies: Array<string> = [];
  blockedCode: u32 = 403;
  blockedMessage: string = "";
  caseSensitive: bool = true;
  matchNormalizedPath: bool = true;
}

/** `/a/` and `/a` name the same resource for an exact rule (most routers match both). */
function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith("/") ? p.substring(0, p.length - 1) : p;
}

function lowerAll(list: Array<string>): Array<string> {
  const out = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = list[i].toLowerCase();
  return out;
}

class RequestBlock extends Plugin<BlockConfig> {
  parseConfig(json: JsonObject, global: BlockConfig | null, err: ConfigError): BlockConfig | null {
    const c = new BlockConfig();
    c.caseSensitive = json.getBool("case_sensitive", true);
    const urls = json.getStringArray("block_urls");
    const exact = json.getStringArray("block_exact_urls");
    const headers = json.getStringArray("block_headers");
    const bodies = json.getStringArray("block_bodies");
    if (urls !== null) c.blockUrls = c.caseSensitive ? urls : lowerAll(urls);
    if (exact !== null) c.blockExactUrls = c.caseSensitive ? exact : lowerAll(exact);
    if (headers !== null) c.blockHeaders = c.caseSensitive ? headers : lowerAll(headers);
    if (bodies !== null) c.blockBodies = c.caseSensitive ? bodies : lowerAll(bodies);
    c.matchNormalizedPath = json.getBool("match_normalized_path", true);
    for (let i = 0; i < c.blockExactUrls.length; i++) {
      const rule = c.blockExactUrls[i];
      // Only a rule that is a path is one: a query would be dropped by normalising, and a rule
      // without a leading `/` never equals a `:path` in Higress, so it must not start to here.
      if (!rule.startsWith("/") || rule.includes("?") || rule.includes("#")) continue;
      const p = trimSlash(normalizePathString(rule));
      c.blockExactPaths.push(c.caseSensitive ? p : p.toLowerCase());
    }
    const regexps = json.getStringArray("block_regexp_urls");
    if (regexps !== null) {
      for (let i = 0; i < regexps.length; i++) {
        // Higress compiles these as they are; case_sensitive=false adds the (?i) flag.
        const r = Regex.compile(c.caseSensitive ? regexps[i] : "(?i)" + regexps[i]);
        if (!r.ok) return err.fail<BlockConfig>("block_regexp_urls[" + i.toString() + "]: " + r.error);
        c.blockRegexpUrls.push(r.regex!);
      }
    }
    if (c.blockUrls.length + c.blockExactUrls.length + c.blockRegexpUrls.length + c.blockHeaders.length + c.blockBodies.length == 0) {
      return err.fail<BlockConfig>("there is no block rules");
    }
    const code = json.getNumber("blocked_code", 403);
    if (code < 100 || code > 599 || code != Math.floor(code)) return err.fail<BlockConfig>("blocked_code must be an HTTP status between 100 and 599");
    c.blockedCode = <u32>code;
    const msg = json.getString("blocked_message");
    if (msg !== null) c.blockedMessage = msg;
    return c;
  }

  newFilter(): HttpFilter<BlockConfig> { return new RequestBlockFilter(); }
}

function containsAny(text: string, needles: Array<string>): bool {
  for (let i = 0; i < needles.length; i++) if (text.includes(needles[i])) return true;
  return false;
}

class RequestBlockFilter extends HttpFilter<BlockConfig> {
  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    if (c.blockUrls.length + c.blockExactUrls.length + c.blockRegexpUrls.length > 0) {
      const path = this.requestHeaders.get(":path");
      const raw = path === null ? "" : path;
      const url = c.caseSensitive ? raw : raw.toLowerCase();
      // Higress's checks on the raw path, then the same rules on the path the upstream resolves.
      const norm = c.matchNormalizedPath ? normalizePathString(raw) : "";
      const normUrl = c.caseSensitive ? norm : norm.toLowerCase();
      if (c.blockExactUrls.includes(url)) return this.block("url");
      if (c.matchNormalizedPath && c.blockExactPaths.includes(trimSlash(normUrl))) return this.block("url");
      if (containsAny(url, c.blockUrls)) return this.block("url");
      if (c.matchNormalizedPath && containsAny(normUrl, c.blockUrls)) return this.block("url");
      for (let i = 0; i < c.blockRegexpUrls.length; i++) {
        const r = c.blockRegexpUrls[i];
        if (r.test(raw) || (c.matchNormalizedPath && r.test(norm))) return this.block("url");
      }
    }
    if (c.blockHeaders.length > 0) {
      const pairs = this.requestHeaders.pairs();
      const parts = new Array<string>();
      for (let i = 0; i < pairs.length; i++) { parts.push(pairs[i].name); parts.push(pairs[i].value); }
      let dump = parts.join("\n");
      if (!c.caseSensitive) dump = dump.toLowerCase();
      if (containsAny(dump, c.blockHeaders)) return this.block("header");
    }
    if (c.blockBodies.length > 0 && !endOfStream) this.requestBodyMode = BodyMode.Buffer;
    return Action.Continue;
  }

  onRequestBody(body: ArrayBuffer): Action {
    const c = this.config;
    let text = String.UTF8.decode(body);
    if (!c.caseSensitive) text = text.toLowerCase();
    if (containsAny(text, c.blockBodies)) return this.block("body");
    return Action.Continue;
  }

  private block(what: string): Action {
    log.debug("request blocked by " + what + " rule");
    return this.respond(this.config.blockedCode, this.config.blockedMessage, [], "request-block.blocked_by_" + what);
  }
}

registerPlugin("request-block", () => new RequestBlock());
