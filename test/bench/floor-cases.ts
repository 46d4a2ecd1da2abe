// The bench's small-plugin scenarios that stand on a hand-written floor: each plugin's config and
// request headers, shared by test/bench/run.ts (which measures them in Envoy) and
// test/bench/floors.test.ts (which holds each plugin to its floor's proxy-wasm calls), so the two
// cannot drift apart. All are a GET of /json.
export interface FloorCase {
  plugin: string;
  config: unknown;
  headers: Record<string, string>;
  /** The hand-written module (test/bench/*.wat) that makes exactly this plugin's calls. */
  floor: string;
}

export const requestBlockCase: FloorCase = { plugin: "request-block", config: { block_urls: ["swagger.html", "/admin"], block_exact_urls: ["/exact"] }, headers: {}, floor: "header-floor.wat" };
export const ipRestrictionCase: FloorCase = { plugin: "ip-restriction", config: { ip_source_type: "header", ip_header_name: "x-real-ip", allow: ["10.0.0.0/8", "127.0.0.1"] }, headers: { "x-real-ip": "127.0.0.1" }, floor: "header-floor.wat" };
export const keyAuthCase: FloorCase = { plugin: "key-auth", config: { global_auth: true, keys: ["x-api-key"], in_header: true, consumers: [{ name: "alice", credential: "alice-key" }, { name: "bob", credential: "bob-key" }] }, headers: { "x-api-key": "bob-key" }, floor: "key-auth-floor.wat" };
export const floorCases: FloorCase[] = [requestBlockCase, ipRestrictionCase, keyAuthCase];

/** The bench rows of the hand-written floors. */
export const HOOK_FLOOR_ROW = "Wasm floor with one HTTP hook (hand-written module; reads x-request-id)";
export const AI_PROXY_FLOOR_ROW = "ai-proxy's host calls alone (hand-written module)";
export const HEADER_FLOOR_ROW = "Wasm floor with two header reads (hand-written module; request-block's and ip-restriction's calls)";
export const KEY_AUTH_FLOOR_ROW = "key-auth's host calls alone (hand-written module)";
