// cache-control: adds `Expires` and `Cache-Control` to responses for request paths ending in a
// configured file suffix (or to every response). Values are written exactly as Higress's
// cache-control code writes them, `Cache-Control: maxAge=<n>` included (not `max-age`).
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, registerPlugin, time } from "@sluice/sdk";
import { formatHttpDate } from "@sluice/sdk/net";
export * from "@sluice/sdk/exports";

const MAX_EXPIRES = "Thu, 31 Dec 2037 23:55:55 GMT";
const EPOCH_EXPIRES = "Thu, 01 Jan 1970 00:00:01 GMT";
/** Higress's README: up to 9223372036 seconds (Go's time.Duration overflows past it). */
const MAX_SECONDS: i64 = 9223372036;

enum Mode { Seconds, Max, Epoch }

class Config {
  /** Empty: every path. */
  suffixes: Array<string> = [];
  mode: Mode = Mode.Seconds;
  seconds: i64 = 0;
}

function parseSeconds(s: string): i64 {
  if (s.length == 0 || s.length > 10) return -1;
  let n: i64 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n <= MAX_SECONDS ? n : -1;
}

class CacheControl extends Plugin<Config> {
  parseConfig(json: JsonObject, global: Config | null, err: ConfigError): Config | null {
    const c = new Config();
    const sv = json.get("suffix");
    if (sv !== null && !sv.isNull) {
      if (!sv.isString) return err.fail<Config>("suffix must be a string such as \"jpg|png\"");
      if (sv.str.length > 0) c.suffixes = sv.str.split("|");
    }
    const ev = json.get("expires");
    if (ev === null || ev.isNull) return err.fail<Config>("expires is required: seconds, \"max\" or \"epoch\"");
    const t = ev.toText();
    if (t !== null && t == "max") c.mode = Mode.Max;
    else if (t !== null && t == "epoch") c.mode = Mode.Epoch;
    else {
      const n = t === null || ev.isBool ? -1 : parseSeconds(t);
      if (n < 0) return err.fail<Config>("expires must be seconds (0 to 9223372036), \"max\" or \"epoch\", not " + ev.stringify());
      c.seconds = n;
    }
    return c;
  }

  newFilter(): HttpFilter<Config> { return new CacheControlFilter(); }
}

class CacheControlFilter extends HttpFilter<Config> {
  hit: bool = false;

  onRequestHeaders(endOfStream: bool): Action {
    const c = this.config;
    if (c.suffixes.length == 0) { this.hit = true; return Action.Continue; }
    let path = this.requestHeaders.get(":path");
    if (path === null) return Action.Continue;
    const q = path.indexOf("?");
    if (q >= 0) path = path.substring(0, q);
    for (let i = 0; i < c.suffixes.length; i++) {
      if (path.endsWith("." + c.suffixes[i])) { this.hit = true; break; }
    }
    return Action.Continue;
  }

  onResponseHeaders(endOfStream: bool): Action {
    if (!this.hit) return Action.Continue;
    const c = this.config;
    // Added, not replaced: an upstream's own values stay next to these (as Higress).
    if (c.mode == Mode.Max) {
      this.responseHeaders.add("Expires", MAX_EXPIRES);
      this.responseHeaders.add("Cache-Control", "maxAge=315360000");
    } else if (c.mode == Mode.Epoch) {
      this.responseHeaders.add("Expires", EPOCH_EXPIRES);
      this.responseHeaders.add("Cache-Control", "no-cache");
    } else {
      this.responseHeaders.add("Expires", formatHttpDate(time.nowSeconds() + c.seconds));
      this.responseHeaders.add("Cache-Control", "maxAge=" + c.seconds.toString());
    }
    return Action.Continue;
  }
}

registerPlugin("cache-control", () => new CacheControl());
