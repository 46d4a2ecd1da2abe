// The case table of opa, against a REAL Open Policy Agent (harness/src/opa.ts, behind a recording
// front so a row can also check what the plugin asked). The policy (package authz, Rego v1)
// decides on the method and path, a header, the query and the body (base64, as Higress sends
// it): public GETs pass, admins pass, user=alice passes, an order passes its headers' question
// and then its body's question only when the amount is at most 100. Other rules point at
// policies that are undefined, not boolean, raise an error (OPA 500) or are refused by OPA's
// own authorization (OPA 401), at a service that answers garbage, at a cluster that does not
// exist, and through the route's own cluster. Rows run in order on a real Envoy and on the
// emulator (both targets) through harness/src/plugin-table.ts; bad configurations must be
// refused with Higress's messages (or Sluice's, where Higress accepts what cannot work).
import { expect } from "vitest";
import { createServer } from "node:http";
import type { HostedServer, Observed, PluginTable, Row, RowRequest } from "../../../harness/src/plugin-table.js";
import type { RecordedRequest } from "../../../harness/src/upstream.js";
import { OpaServer, type RecordingOpa } from "../../../harness/src/opa.js";

const OPA_CLUSTER = "outbound|8181||opa.static";
const GARBAGE_CLUSTER = "outbound|80||garbage.static";

const AUTHZ = `package authz

default allow := false

# The input lists headers as [name, value] pairs, in the order the proxy holds them.
role := pair[1] if {
	some pair in input.request.headers
	pair[0] == "x-role"
}

# Public pages: GET only.
allow if {
	input.request.method == "GET"
	startswith(input.request.path, "/public/")
}

# Admins may do anything.
allow if role == "admin"

# A listed user, named first in the query (every value of a parameter is there, in order).
allow if {
	input.request.method == "GET"
	input.request.query.user[0] == "alice"
}

# Orders are asked about twice: at their headers (no body yet), then with the whole body.
allow if {
	input.request.method == "POST"
	startswith(input.request.path, "/orders")
	not input.request.body
}

allow if {
	input.request.method == "POST"
	startswith(input.request.path, "/orders")
	order := json.unmarshal(base64.decode(input.request.body))
	order.amount <= 100
}
`;

const POLICIES: Record<string, string> = {
  authz: AUTHZ,
  // A nested package: its data path is http/authz.
  nested: `package http.authz

allow if input.request.scheme == "http"
`,
  // Two complete rules that disagree: OPA answers 500 (eval_conflict_error).
  broken: `package broken

allow := true if input.request.method == "GET"

allow := false if input.request.method == "GET"
`,
  // A decision that is not a boolean.
  strange: `package strange

allow := "yes"
`,
  locked: `package locked

default allow := true
`,
};

// OPA's own authorization: everything but the "locked" package (OPA answers 401 there).
const SYSTEM_AUTHZ = `package system.authz

default allow := false

allow if input.path == ["health"]

allow if {
	input.path[0] == "v1"
	input.path[2] != "locked"
}
`;

let opa: RecordingOpa | undefined;

/** A service in OPA's place that answers 200 with something that is not JSON. */
async function garbage(): Promise<HostedServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      // As OPA's data API would, it takes only POST /v1/data/….
      if (req.method !== "POST" || !req.url?.startsWith("/v1/data/")) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" }).end("<html>maintenance</html>");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.address() as { port: number }).port,
    requests,
    stop: () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      return closed;
    },
  };
}

const service = { serviceSource: "ip", serviceName: "opa", servicePort: 8181 };
const rule = (route: string, extra: Record<string, unknown>) => ({ _match_route_: [route], policy: "authz", timeout: "5s", ...service, ...extra });

const config = {
  policy: "authz",
  timeout: "5s",
  ...service,
  _rules_: [
    rule("nested", { policy: "http/authz" }),
    rule("missing", { policy: "nosuch" }),
    rule("strange", { policy: "strange" }),
    rule("broken", { policy: "broken" }),
    rule("locked", { policy: "locked" }),
    rule("garbage", { serviceName: "garbage", servicePort: "80" }),
    rule("nocluster", { serviceSource: "k8s", serviceName: "opa", namespace: "elsewhere" }),
    rule("slow", { timeout: "1m30s" }),
    rule("viaroute", { serviceSource: "route", host: "opa.example", serviceName: "", servicePort: 0 }),
  ],
};
const routes = ["nested", "missing", "strange", "broken", "locked", "garbage", "nocluster", "slow", "viaroute"];

interface Query {
  http: RecordedRequest;
  request: Record<string, unknown> & { headers: [string, string][] };
}

/**
 * The questions the plugin put to OPA for the request marked `x-case: <mark>` on the host whose
 * observation is being checked: rows run one host after the other, so they are the latest
 * questions with that mark, all of one x-request-id (each host's request has its own).
 */
function questions(mark: string): Query[] {
  const all: Query[] = [];
  for (const http of opa!.requests) {
    const request = JSON.parse(http.body).input.request as Query["request"];
    if (request.headers.some(([k, v]) => k === "x-case" && v === mark)) all.push({ http, request });
  }
  if (all.length === 0) throw new Error(`no question to OPA for x-case ${mark}`);
  const rid = (q: Query) => q.request.headers.find(([k]) => k === "x-request-id")?.[1];
  const last = rid(all[all.length - 1]);
  return all.filter((q) => rid(q) === last);
}

const header = (q: Query, name: string) => q.request.headers.filter(([k]) => k === name).map(([, v]) => v);

let marks = 0;
/** A request marked so its questions to OPA can be found; `check` gets them. */
function row(name: string, req: RowRequest, expect_: Row["expect"], check?: (qs: Query[], o: Observed) => void): Row {
  const mark = `case-${++marks}`;
  return {
    name,
    request: { ...req, headers: [["x-case", mark], ...(req.headers ?? [])] },
    expect: { ...expect_, check: check ? (o) => check(questions(mark), o) : undefined },
  };
}

/** The question as Higress's plugin puts it: POST, JSON, the input's keys in Go's (sorted) order. */
function wellFormed(q: Query, policy = "authz"): void {
  expect(q.http.method).toBe("POST");
  expect(q.http.path).toBe(`/v1/data/${policy}/allow`);
  expect(q.http.headers["content-type"]).toBe("application/json");
  expect(Object.keys(JSON.parse(q.http.body))).toEqual(["input"]);
  const keys = ["headers", "method", "path", "query", "scheme"];
  expect(Object.keys(q.request)).toEqual("body" in q.request ? ["body", ...keys] : keys);
}

const order = (amount: number, extra: Partial<RowRequest> = {}): RowRequest => ({
  method: "POST",
  path: "/orders/new",
  headers: [["content-type", "application/json"]],
  body: JSON.stringify({ item: "book", amount }),
  ...extra,
});

const DENIED = "opa server not allowed";

const rows: Row[] = [
  row("a public GET is allowed (method and path decide); the question carries the request", { path: "/public/index.html" }, { status: 200, reachesUpstream: true }, ([q, ...more]) => {
    expect(more).toEqual([]);
    wellFormed(q);
    expect(q.request).toMatchObject({ method: "GET", path: "/public/index.html", scheme: "http", query: {} });
    expect(header(q, ":method")).toEqual(["GET"]);
    expect(header(q, ":path")).toEqual(["/public/index.html"]);
    expect(header(q, ":scheme")).toEqual(["http"]);
  }),
  row("a POST to a public page is denied: 401 opa server not allowed", { method: "POST", path: "/public/index.html" }, { status: 401, body: DENIED, reachesUpstream: false }),
  row("a private page is denied", { path: "/private/report" }, { status: 401, body: DENIED, reachesUpstream: false }),
  row("a header decides: x-role admin is allowed", { path: "/private/report", headers: [["x-role", "admin"]] }, { status: 200, reachesUpstream: true }, ([q]) => {
    expect(header(q, "x-role")).toEqual(["admin"]);
  }),
  row("the query decides: user=alice is allowed; every value of a name is sent, in order", { path: "/private/report?user=alice&user=bob" }, { status: 200, reachesUpstream: true }, ([q]) => {
    expect(q.request.query).toEqual({ user: ["alice", "bob"] });
    expect(q.request.path).toBe("/private/report?user=alice&user=bob");
  }),
  row("the query is parsed as Go's url.ParseQuery: decoded, '+' a space, undecodable and ';' pairs left out, names sorted", { path: "/private/report?z=1&user=al%69ce&a+b=c%20d&bad=%zz&semi=1;2&flag" }, { status: 200, reachesUpstream: true }, ([q]) => {
    expect(q.http.body).toContain('"query":{"a b":["c d"],"flag":[""],"user":["alice"],"z":["1"]}');
  }),
  row("the query decides: user=bob is denied", { path: "/private/report?user=bob" }, { status: 401, body: DENIED, reachesUpstream: false }),
  row("the body decides: an order of 50 passes both questions; the body reaches the upstream unchanged", order(50), { status: 200, reachesUpstream: true, upstreamBody: true }, (qs) => {
    expect(qs.length).toBe(2);
    wellFormed(qs[0]);
    wellFormed(qs[1]);
    expect("body" in qs[0].request).toBe(false);
    expect(qs[1].request.body).toBe(Buffer.from(JSON.stringify({ item: "book", amount: 50 })).toString("base64"));
    expect(qs[1].request.path).toBe("/orders/new");
  }),
  row("the body decides: an order of 500 passes its headers' question, not its body's: 401", order(500), { status: 401, body: DENIED, reachesUpstream: false }, (qs) => {
    expect(qs.length).toBe(2);
  }),
  row("a body sent in chunks is asked about whole", order(70, { chunks: 3 }), { status: 200, reachesUpstream: true, upstreamBody: true }, (qs) => {
    expect(qs.length).toBe(2);
    expect(Buffer.from(String(qs[1].request.body), "base64").toString()).toBe(JSON.stringify({ item: "book", amount: 70 }));
  }),
  row("a binary body (octet-stream) is not read, as in Higress: decided on its headers alone", order(500, { headers: [["content-type", "application/octet-stream"]] }), { status: 200, reachesUpstream: true, upstreamBody: true }, (qs) => {
    expect(qs.length).toBe(1);
    expect("body" in qs[0].request).toBe(false);
  }),
  row("a nested package (policy http/authz) decides on the scheme", { path: "/nested/x" }, { status: 200, reachesUpstream: true }, ([q]) => {
    wellFormed(q, "http/authz");
  }),
  row("an undefined decision (no such policy: OPA answers {}) → 500 rsp type conversion fail", { path: "/missing/x" }, { status: 500, body: "rsp type conversion fail", reachesUpstream: false }, ([q]) => {
    wellFormed(q, "nosuch");
  }),
  row("a decision that is not a boolean → 500 rsp type conversion fail", { path: "/strange/x" }, { status: 500, body: "rsp type conversion fail", reachesUpstream: false }),
  row("a policy that raises an error (OPA 500) → 500 opa state not is 200", { path: "/broken/x" }, { status: 500, body: "opa state not is 200", reachesUpstream: false }),
  row("OPA refuses the question itself (401, its own authorization) → that status, opa state not is 200", { path: "/locked/x" }, { status: 401, body: "opa state not is 200", reachesUpstream: false }),
  row("an answer that is not JSON → 500 opa parse rsp fail", { path: "/garbage/x" }, { status: 500, body: "opa parse rsp fail unexpected character at offset 0", reachesUpstream: false }),
  row("a cluster Envoy does not know → 503 at once (Higress would leave the request hanging), logged", { path: "/nocluster/x" }, {
    status: 503,
    body: "opa server unreachable",
    reachesUpstream: false,
    logs: ["client opa fail http call to cluster 'outbound|8181||opa.elsewhere.svc.cluster.local' refused: BadArgument"],
  }),
  row("timeout 1m30s is 90000 ms on the call", { path: "/slow/x", headers: [["x-role", "admin"]] }, { status: 200, reachesUpstream: true }, ([q]) => {
    expect(q.http.headers["x-envoy-expected-rq-timeout-ms"]).toBe("90000");
  }),
  row("serviceSource route asks the route's own cluster (here the echoing upstream: no result → 500)", { path: "/viaroute/x" }, { status: 500, body: "rsp type conversion fail", reachesUpstream: false }),
];

const base = { policy: "authz", timeout: "5s", ...service };
const without = (key: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));

export const table: PluginTable = {
  plugin: "opa",
  servers: {
    [OPA_CLUSTER]: async () => (opa = await OpaServer.hosted(POLICIES, { authz: SYSTEM_AUTHZ })),
    [GARBAGE_CLUSTER]: garbage,
  },
  groups: [{ name: "a real OPA decides", config, routes, rows }],
  badConfigs: ([
    ["no policy", without("policy"), "policy not allow empty"],
    ["a blank policy", { ...base, policy: "  " }, "policy not allow empty"],
    ["a policy with a space", { ...base, policy: "my policy" }, "policy 'my policy' cannot be put in the decision path /v1/data/<policy>/allow: it holds a space"],
    ["a policy with a query in it", { ...base, policy: "authz?pretty=true" }, "it holds '?'"],
    ["no timeout", without("timeout"), "timeout not allow empty"],
    ["a timeout without a unit", { ...base, timeout: "5" }, 'timeout parse fail: time: missing unit in duration "5"'],
    ["a timeout in an unknown unit", { ...base, timeout: "5sec" }, 'timeout parse fail: time: unknown unit "sec" in duration "5sec"'],
    ["a timeout that is not a duration", { ...base, timeout: "soon" }, 'timeout parse fail: time: invalid duration "soon"'],
    ["a negative timeout", { ...base, timeout: "-1s" }, "timeout '-1s' is negative"],
    ["a timeout under 1ms", { ...base, timeout: "500us" }, "timeout '500us' is less than 1ms"],
    ["no service at all", without("serviceName"), "invalid service config"],
    ["k8s without a namespace", { ...base, serviceSource: "k8s" }, "namespace not allow empty"],
    ["an unknown service source", { ...base, serviceSource: "consul" }, "unknown service source: consul"],
    ["a port that is not a port", { ...base, servicePort: "http" }, "servicePort must be a port number (an integer from 1 to 65535)"],
    ["ip with a host but no service name", { ...base, serviceName: "", host: "10.0.0.1" }, "serviceSource ip needs serviceName and servicePort"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
