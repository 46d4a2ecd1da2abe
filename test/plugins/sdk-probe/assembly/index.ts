// sdk-probe: a plugin used only by tests. Each request path drives one SDK service and the
// response (or the request headers the upstream echoes back) shows what happened:
//   /callout/…   HTTP callout (x-probe-callout-path, -cluster ("@route" = RouteCluster), -timeout,
//                -method, -body), then resume with the result in request headers
//   /redis       a Redis command (x-probe-redis: op, x-probe-args: JSON array) → JSON result
//   /metrics/<n> counter +1, gauge = n, histogram records n → current counter value
//   /ticks       how often each tick handler ran, and the leader election state
//   /shared/…    shared data get/set with CAS (x-key, x-value, x-cas)
//   /queue/…     enqueue (x-value) / how many items the queue handler dequeued
//   /pending     how many callouts the dispatcher still waits for
//   /log         writes warn lines with the answer's headers (one per request.* property:
//                present or not, once the request's headers went on) and, with x-probe-root-line,
//                one from a root scope; with x-probe-snapshot the request's headers are read as a
//                snapshot first. Each line's prefix carries the request's x-request-id
//   /ai-log      ai_log written twice (x-probe-log-a, then x-probe-log-b: JSON string literals),
//                the second merging what the first stored, after x-probe-log-pre (raw text, as
//                another plugin or Higress stored it) when given → the property's text
import { Plugin, HttpFilter, Action, ConfigError, JsonObject, HeaderPair, registerPlugin, log, properties, Status, quoteJsonString, TickHandler, registerTick, lastTickError, sharedData, SharedQueue, QueueHandler, LeaderElection, Counter, Gauge, Histogram } from "@sluice/sdk";
import { Cluster, TargetCluster, RouteCluster, httpCall, HttpCallHandler, HttpCallResponse, lastHttpCallError, statusName } from "@sluice/sdk/http";
import { parseJson } from "@sluice/sdk/json";
import { RedisClient, RedisHandler, RedisResult } from "@sluice/sdk/redis";
import { UserAttributes } from "@sluice/sdk/ai";
import { dispatcher } from "@sluice/sdk/runtime/dispatcher";
export * from "@sluice/sdk/exports";

class ProbeConfig {
  upstreamCluster: string = "";
  /** envoy target: the webdis cluster; higress target: the Redis cluster. */
  redisCluster: string = "";
  redisUser: string = "";
  redisPassword: string = "";
  redisDb: i32 = 0;
  redisTimeoutMs: u32 = 1000;
  fastTickMs: u32 = 100;
  slowTickMs: u32 = 300;
  /** When set, the slow tick makes a callout to upstream_cluster with this path (root context). */
  tickCalloutPath: string = "";
  redis: RedisClient | null = null;
}

// Probe-wide state (one root context per VM in these tests).
class ProbeState {
  fastTicks: i64 = 0;
  slowTicks: i64 = 0;
  dequeued: i64 = 0;
  lastDequeued: string = "";
  leader: LeaderElection | null = null;
  queue: SharedQueue | null = null;
  tickCallouts: i64 = 0;
  tickCalloutLastStatus: u32 = 0;
  tickCalloutCluster: string = "";
  tickCalloutPath: string = "";
}
const state = new ProbeState();

const requests = new Counter("sluice_probe_requests");
const lastSize = new Gauge("sluice_probe_last_size");
const sizes = new Histogram("sluice_probe_size");

class FastTick implements TickHandler {
  onTick(): void {
    state.fastTicks++;
    const l = state.leader;
    if (l !== null) l.elect();
  }
}

/** Receives callouts made from a tick: the root context is the caller. */
class TickCalloutAnswer implements HttpCallHandler {
  onHttpCallResponse(r: HttpCallResponse): void {
    state.tickCallouts++;
    state.tickCalloutLastStatus = r.status;
  }
}

class SlowTick implements TickHandler {
  onTick(): void {
    state.slowTicks++;
    if (state.tickCalloutPath.length > 0) {
      httpCall(new TargetCluster(state.tickCalloutCluster, "tick.local"), "GET", state.tickCalloutPath, [], null, 1000, new TickCalloutAnswer());
    }
  }
}

class Drain implements QueueHandler {
  onQueueReady(queue: SharedQueue): void {
    for (let i = 0; i < 1000; i++) {
      const item = queue.dequeue();
      if (!item.ok) break;
      state.dequeued++;
      state.lastDequeued = item.text;
    }
  }
}

class Probe extends Plugin<ProbeConfig> {
  parseConfig(json: JsonObject, global: ProbeConfig | null, err: ConfigError): ProbeConfig | null {
    const c = new ProbeConfig();
    const up = json.getString("upstream_cluster");
    if (up !== null) c.upstreamCluster = up;
    // "webdis_cluster" is the older name (test/emulator uses it).
    let rc = json.getString("redis_cluster");
    if (rc === null) rc = json.getString("webdis_cluster");
    if (rc !== null) c.redisCluster = rc;
    const ru = json.getString("redis_user");
    if (ru !== null) c.redisUser = ru;
    const rp = json.getString("redis_password");
    if (rp !== null) c.redisPassword = rp;
    c.redisDb = <i32>json.getInt("redis_db", 0);
    c.redisTimeoutMs = <u32>json.getInt("redis_timeout_ms", 1000);
    c.fastTickMs = <u32>json.getInt("fast_tick_ms", 100);
    c.slowTickMs = <u32>json.getInt("slow_tick_ms", 300);
    const tcp = json.getString("tick_callout_path");
    if (tcp !== null) c.tickCalloutPath = tcp;
    if (c.redisCluster.length > 0) {
      const client = new RedisClient(new TargetCluster(c.redisCluster, "webdis"));
      const st = client.init(c.redisUser, c.redisPassword, c.redisTimeoutMs, c.redisDb);
      if (st != Status.Ok) return err.fail<ProbeConfig>("redis init failed: " + client.lastError);
      c.redis = client;
    }
    return c;
  }

  onConfigured(): bool {
    const g = this.globalConfig;
    if (g === null) return true;
    state.leader = new LeaderElection();
    state.tickCalloutPath = g.tickCalloutPath;
    state.tickCalloutCluster = g.upstreamCluster;
    if (!registerTick(g.fastTickMs, new FastTick()) || !registerTick(g.slowTickMs, new SlowTick())) {
      log.error("cannot register ticks: " + lastTickError);
      return false;
    }
    state.queue = SharedQueue.register("probe-queue", new Drain());
    return true;
  }

  newFilter(): HttpFilter<ProbeConfig> { return new ProbeFilter(); }
}

function header(f: ProbeFilter, name: string, def: string): string {
  const v = f.requestHeaders.get(name);
  return v === null ? def : v;
}

/** A header holding a JSON string literal, decoded ("" when absent or not one). */
function literal(f: ProbeFilter, name: string): string {
  const r = parseJson(header(f, name, "\"\""));
  const s: string | null = r.ok ? r.value!.asString() : null;
  return s === null ? "" : s;
}

function jsonField(name: string, value: string): string { return quoteJsonString(name) + ":" + value; }

const REQUEST_PROPERTIES = ["path", "url_path", "query", "host", "method", "scheme", "id", "useragent", "referer", "headers", "protocol", "size"];

class ProbeFilter extends HttpFilter<ProbeConfig> implements HttpCallHandler, RedisHandler {
  onRequestHeaders(endOfStream: bool): Action {
    const p = header(this, ":path", "/");
    if (p.startsWith("/callout")) return this.callout();
    if (p.startsWith("/redis")) return this.redis();
    if (p.startsWith("/metrics/")) return this.metrics(p.substring(9));
    if (p.startsWith("/ticks")) return this.ticks();
    if (p.startsWith("/shared/")) return this.shared(p.substring(8));
    if (p.startsWith("/queue/")) return this.queue(p.substring(7));
    // How many async calls the dispatcher is waiting for (white-box: the sweep of ended requests).
    if (p.startsWith("/pending")) return this.respond(200, dispatcher.pending.size.toString());
    if (p.startsWith("/ai-log")) return this.aiLog();
    if (p.startsWith("/log")) {
      this.logLines = true;
      this.rootLine = this.requestHeaders.has("x-probe-root-line");
      if (this.requestHeaders.has("x-probe-snapshot")) this.requestHeaders.snapshot();
    }
    return Action.Continue;
  }

  private aiLog(): Action {
    const pre = this.requestHeaders.get("x-probe-log-pre");
    if (pre !== null) properties.setString(["ai_log"], pre);
    const first = new UserAttributes();
    first.setString("a", literal(this, "x-probe-log-a"));
    first.writeToLog();
    const second = new UserAttributes();
    second.setString("b", literal(this, "x-probe-log-b"));
    second.writeToLog();
    const stored = properties.getBytes(["ai_log"]);
    return this.respond(200, stored === null ? "" : String.UTF8.decode(stored));
  }

  private logLines: bool = false;
  private rootLine: bool = false;

  onResponseHeaders(endOfStream: bool): Action {
    if (!this.logLines) return Action.Continue;
    log.warn("probe line from the response");
    for (let i = 0; i < REQUEST_PROPERTIES.length; i++) {
      const v = properties.getBytes(["request", REQUEST_PROPERTIES[i]]);
      log.warn("request." + REQUEST_PROPERTIES[i] + ": " + (v === null ? "absent" : REQUEST_PROPERTIES[i] == "headers" && v.byteLength <= 4 ? "no pairs" : "present"));
    }
    if (this.rootLine) {
      this.beginRootScope();
      log.warn("probe line from a root scope");
      this.endRootScope();
    }
    return Action.Continue;
  }

  // ---- HTTP callouts: pause, call, then resume with the result in request headers ----
  private callout(): Action {
    const cluster = header(this, "x-probe-callout-cluster", this.config.upstreamCluster);
    const path = header(this, "x-probe-callout-path", "/");
    const method = header(this, "x-probe-callout-method", "GET");
    const timeout = <u32>I32.parseInt(header(this, "x-probe-callout-timeout", "500"));
    const body = this.requestHeaders.get("x-probe-callout-body");
    const headers: Array<HeaderPair> = [new HeaderPair("x-probe-caller", header(this, "x-request-id", "none"))];
    // Caller-supplied pseudo-headers, in any case, must be dropped for the call's own.
    if (this.requestHeaders.get("x-probe-callout-smuggle") !== null) {
      headers.push(new HeaderPair(":Path", "/smuggled"));
      headers.push(new HeaderPair(":METHOD", "DELETE"));
      headers.push(new HeaderPair(":authority", "evil.example"));
    }
    // x-probe-callout-pad: N: N more headers (the map's pair limit: 1024 with the call's own three).
    const pad = I32.parseInt(header(this, "x-probe-callout-pad", "0"));
    for (let i = 0; i < pad; i++) headers.push(new HeaderPair("x-pad-" + i.toString(), "v"));
    // "@route": the current route's own upstream cluster (Higress's RouteCluster).
    const target: Cluster = cluster == "@route" ? new RouteCluster("callout.local") : new TargetCluster(cluster, "callout.local");
    const st = httpCall(target, method, path, headers,
      body === null ? null : String.UTF8.encode(body), timeout, this);
    if (st != Status.Ok) {
      return this.respond(503, "callout refused (" + statusName(st) + "): " + lastHttpCallError, [new HeaderPair("x-callout-error", statusName(st))]);
    }
    return Action.Pause;
  }

  onHttpCallResponse(r: HttpCallResponse): void {
    const h = this.requestHeaders;
    h.set("x-callout-status", r.status.toString());
    h.set("x-callout-reason", r.reason);
    const up = r.header("x-upstream");
    h.set("x-callout-upstream-header", up === null ? "" : up);
    // The echo upstream answers JSON; pass on the path it saw and the caller header it got.
    const doc = parseJson(r.bodyText());
    if (doc.ok) {
      const o = doc.value!.asObject();
      if (o !== null) {
        const seen = o.getString("path");
        h.set("x-callout-echo-path", seen === null ? "" : seen);
        const hdrs = o.getObject("headers");
        let caller: string | null = null;
        if (hdrs !== null) caller = hdrs.getString("x-probe-caller");
        h.set("x-callout-echo-caller", caller === null ? "" : caller!);
        const method = o.getString("method");
        h.set("x-callout-echo-method", method === null ? "" : method);
        const body = o.getString("body");
        h.set("x-callout-echo-body", body === null ? "" : body);
      }
    }
    h.set("x-callout-body-bytes", r.body.byteLength.toString());
    this.resumeRequest();
  }

  // ---- Redis: one command, the result as JSON ----
  private redis(): Action {
    const client = this.config.redis;
    if (client === null) return this.respond(500, "no redis_cluster configured");
    const op = header(this, "x-probe-redis", "command");
    const parsed = parseJson(header(this, "x-probe-args", "[]"));
    const list = parsed.ok ? parsed.value!.asArray() : null;
    if (list === null) return this.respond(400, "x-probe-args must be a JSON array");
    const a = new Array<string>();
    for (let i = 0; i < list.length; i++) {
      const s = list[i].asString();
      a.push(s === null ? list[i].stringify() : s);
    }
    const n = a.length;
    let st: Status = Status.BadArgument;
    if (op == "get" && n == 1) st = client.get(a[0], this);
    else if (op == "set" && n == 2) st = client.set(a[0], a[1], this);
    else if (op == "setex" && n == 3) st = client.setEx(a[0], a[1], I64.parseInt(a[2]), this);
    else if (op == "setnx" && n == 3) st = client.setNx(a[0], a[1], I64.parseInt(a[2]), this);
    else if (op == "setnxpx" && n == 3) st = client.setNxPx(a[0], a[1], I64.parseInt(a[2]), this);
    else if (op == "incrby" && n == 2) st = client.incrBy(a[0], I64.parseInt(a[1]), this);
    else if (op == "expire" && n == 2) st = client.expire(a[0], I64.parseInt(a[1]), this);
    else if (op == "del") st = client.del(a, this);
    else if (op == "mget") st = client.mget(a, this);
    else if (op == "hget" && n == 2) st = client.hget(a[0], a[1], this);
    else if (op == "hset" && n == 3) st = client.hset(a[0], a[1], a[2], this);
    else if (op == "hincrby" && n == 3) st = client.hincrBy(a[0], a[1], I64.parseInt(a[2]), this);
    else if (op == "zadd" && n == 3) st = client.zadd(a[0], F64.parseFloat(a[1]), a[2], this);
    else if (op == "zrangebyscore" && n == 3) st = client.zrangeByScore(a[0], a[1], a[2], this);
    else if (op == "zremrangebyscore" && n == 3) st = client.zremRangeByScore(a[0], a[1], a[2], this);
    else if ((op == "eval" || op == "evalsha") && n >= 2) {
      // [script, numkeys, keys…, args…]
      const nk = <i32>I32.parseInt(a[1]);
      if (nk < 0 || 2 + nk > n) return this.respond(400, "bad numkeys");
      const keys = a.slice(2, 2 + nk), args = a.slice(2 + nk);
      st = op == "eval" ? client.eval(a[0], keys, args, this) : client.evalSha(a[0], keys, args, this);
    } else if (op == "command") st = client.command(a, this);
    else return this.respond(400, "unknown op or wrong argument count: " + op);
    if (st != Status.Ok) return this.respond(503, "redis refused (" + statusName(st) + "): " + client.lastError);
    return Action.Pause;
  }

  onRedisResult(r: RedisResult): void {
    const v = r.value;
    const err = r.error;
    const body = "{" + jsonField("ok", r.ok ? "true" : "false") + "," +
      jsonField("error", err === null ? "null" : quoteJsonString(err)) + "," +
      jsonField("failure", quoteJsonString(r.failure)) + "," +
      jsonField("value", v === null ? "null" : v.toJson()) + "}";
    this.respond(200, body, [new HeaderPair("content-type", "application/json")]);
  }

  // ---- metrics ----
  private metrics(arg: string): Action {
    const n = I64.parseInt(arg);
    const tags = ["probe_kind", "metrics", "size_class", n < 100 ? "small" : "large"];
    requests.increment(1, tags);
    const st = requests.lastStatus;
    lastSize.set(n);
    sizes.record(<u64>n);
    return this.respond(200, requests.value(tags).toString(), [new HeaderPair("x-metric-status", statusName(st))]);
  }

  // ---- ticks and leader election ----
  private ticks(): Action {
    const l = state.leader;
    const body = "{" + jsonField("fast", state.fastTicks.toString()) + "," + jsonField("slow", state.slowTicks.toString()) + "," +
      jsonField("leader", l !== null && l.isLeader ? "true" : "false") + "," +
      jsonField("vmId", quoteJsonString(l === null ? "" : l.vmId)) + "," +
      jsonField("leaderError", quoteJsonString(l === null ? "" : l.lastError)) + "," +
      jsonField("tickCallouts", state.tickCallouts.toString()) + "," +
      jsonField("tickCalloutStatus", state.tickCalloutLastStatus.toString()) + "}";
    return this.respond(200, body, [new HeaderPair("content-type", "application/json")]);
  }

  // ---- shared data with CAS ----
  private shared(op: string): Action {
    const key = header(this, "x-key", "probe");
    if (op == "get") {
      const e = sharedData.get(key);
      return this.respond(200, e.text, [new HeaderPair("x-shared-status", statusName(e.status)), new HeaderPair("x-shared-cas", e.cas.toString())]);
    }
    if (op == "set") {
      const cas = <u32>I64.parseInt(header(this, "x-cas", "0"));
      const st = sharedData.setText(key, header(this, "x-value", ""), cas);
      const after = sharedData.get(key);
      return this.respond(200, after.text, [new HeaderPair("x-shared-status", statusName(st)), new HeaderPair("x-shared-cas", after.cas.toString())]);
    }
    if (op == "incr") {
      const r = sharedData.increment(key, 1);
      return this.respond(r === null ? 500 : 200, r === null ? "increment failed" : r.value.toString());
    }
    return this.respond(404, "unknown shared op");
  }

  // ---- shared queue ----
  private queue(op: string): Action {
    if (op == "enqueue") {
      const q = SharedQueue.resolve("", "probe-queue");
      if (q === null) return this.respond(500, "queue not found");
      const st = q.enqueueText(header(this, "x-value", ""));
      return this.respond(200, statusName(st));
    }
    if (op == "stats") {
      return this.respond(200, "{" + jsonField("dequeued", state.dequeued.toString()) + "," + jsonField("last", quoteJsonString(state.lastDequeued)) + "}");
    }
    return this.respond(404, "unknown queue op");
  }
}

registerPlugin("sdk-probe", () => new Probe());
