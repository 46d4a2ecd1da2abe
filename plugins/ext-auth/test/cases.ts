// The case table of ext-auth, against a strict authorization service (harness/src/mocks/ext-auth.ts)
// reached as Higress's cluster `outbound|8090||ext-auth.dns`: envoy mode (the request's method,
// path_prefix + its path cleaned as Go's path.Join does) and forward_auth mode (a fixed method and
// path, x-forwarded-* / x-original-* headers); allowed_headers, headers_to_add and the
// Authorization header sent, nothing else; allowed_upstream_headers copied into the request (over
// a client's spoofed value); refusals with the service's status, body and headers (all of them,
// or allowed_client_headers); 5xx → status_on_error; failure_mode_allow (+ its header) on a 5xx
// and on a cluster that does not exist; with_request_body (the service gets the body, chunked or
// not; a body over max_request_body_bytes → 413 without a call); whitelist and blacklist
// (domain glob, methods, path matchers); bad configurations refused. Every row runs on a real
// Envoy and on the emulator (both targets) through harness/src/plugin-table.ts.
import { expect } from "vitest";
import type { PluginTable, Row, RowRequest } from "../../../harness/src/plugin-table.js";
import { ExtAuthMock, MOCK_REALM, type ExtAuthCall } from "../../../harness/src/mocks/ext-auth.js";
import { createHash } from "node:crypto";

export const AUTH_CLUSTER = "outbound|8090||ext-auth.dns";
const SERVICE = { service_name: "ext-auth.dns", service_port: 8090 };

let mock: ExtAuthMock | undefined;
const authService = async () => {
  mock = await ExtAuthMock.start(["ext-auth.dns", "auth.internal.example"]);
  return {
    port: mock.port,
    get requests() {
      return mock!.calls.map((c) => ({ method: c.method, path: c.path, headers: c.headers, body: c.body }));
    },
    stop: () => mock!.stop(),
  };
};

let tags = 0;
/** A token the mock accepts for `user`, unique to the row (its calls are found by it). */
const good = (user = "alice") => `Bearer good-${user}.r${++tags}`;
/** A token word the mock answers in its own way (bad, forbidden, redirect, crash, unavailable), unique to the row. */
const token = (word: string) => `Bearer ${word}-r${++tags}`;

/** The auth service's calls for this Authorization value: one per host so far, the last is this host's. */
const calls = (auth: string): ExtAuthCall[] => mock!.callsWith(auth);
const lastCall = (auth: string): ExtAuthCall => {
  const c = calls(auth);
  expect(c.length, `the auth service was called with ${auth}`).toBeGreaterThan(0);
  const last = c[c.length - 1];
  expect(last.error, "the auth service found the request well formed").toBe("");
  return last;
};
/** Rows that must not call the service: none of the hosts' requests reached it. */
const noCall = (auth: string) => () => expect(calls(auth), "calls to the auth service").toEqual([]);

// Headers every client request carries that the service must never see (the mock refuses them).
const noisy: [string, string][] = [["cookie", "session=s3cr3t"], ["x-client-secret", "hunter2"], ["x-tenant", "acme"], ["x-trace-id", "t-1"]];
const req = (path: string, auth: string | null, o: Partial<RowRequest> = {}): RowRequest => ({
  path,
  ...o,
  headers: [...noisy, ...(auth === null ? [] : ([["authorization", auth]] as [string, string][])), ...(o.headers ?? [])],
});

const INVALID = '{"error":"invalid token"}';

// ---- group 1: envoy mode, whitelist; rules: envoy mode with the body, unknown clusters ----

const envoyConfig = {
  http_service: {
    endpoint_mode: "envoy",
    endpoint: { ...SERVICE, path_prefix: "/envoy-auth" },
    timeout: 5000,
    authorization_request: {
      allowed_headers: [{ exact: "X-Tenant" }, { prefix: "x-trace-" }],
      headers_to_add: { "x-gateway": "sluice", "X-Auth-Flag": true, "x-trace-origin": "gateway" },
    },
    authorization_response: {
      allowed_upstream_headers: [{ exact: "x-user-id" }, { prefix: "X-Auth-Seen-" }],
      allowed_client_headers: [{ exact: "www-authenticate" }, { exact: "x-auth-reason" }, { exact: "location" }],
    },
  },
  match_type: "whitelist",
  match_list: [
    { match_rule_path: "/public/", match_rule_type: "prefix" },
    { match_rule_domain: "*.open.example.com" },
    { match_rule_method: ["OPTIONS"] },
  ],
};
const envoyRules = [
  {
    _match_route_: ["body"],
    http_service: {
      endpoint: { ...SERVICE, path_prefix: "/envoy-auth-body" },
      timeout: 5000,
      authorization_request: { with_request_body: true, max_request_body_bytes: 64 },
      authorization_response: { allowed_upstream_headers: [{ prefix: "x-auth-body-" }, { exact: "x-user-id" }] },
    },
  },
  {
    _match_route_: ["gone-open"],
    http_service: { endpoint: { service_name: "missing.dns", path_prefix: "/" } },
    failure_mode_allow: true,
    failure_mode_allow_header_add: true,
  },
  {
    _match_route_: ["gone-closed"],
    http_service: { endpoint: { service_name: "missing.dns", path_prefix: "/" } },
    status_on_error: 502,
  },
];

const sha = (s: string) => createHash("sha256").update(s).digest("hex");
const BODY = '{"amount":42,"to":"bob"}';

const envoyRows: Row[] = [
  (() => {
    const auth = good("alice");
    return {
      name: "envoy mode: a valid token passes; the service saw the method, path_prefix + path, allowed headers, headers_to_add",
      request: req("/api/users?id=1", auth),
      expect: {
        status: 200,
        upstream: {
          "x-user-id": "alice",
          "x-auth-seen-method": "GET",
          "x-auth-seen-path": "/envoy-auth/api/users?id=1",
          "x-auth-seen-headers": "authorization,host,x-auth-flag,x-gateway,x-tenant,x-trace-id,x-trace-origin",
          "x-auth-internal": null,
          "x-auth-extra": null,
          authorization: auth,
          cookie: "session=s3cr3t",
        },
        check: () => {
          const c = lastCall(auth);
          expect(c.headers).toMatchObject({ host: "ext-auth.dns", "x-tenant": "acme", "x-trace-id": "t-1", "x-gateway": "sluice", "x-auth-flag": "true", authorization: auth });
        },
      },
    };
  })(),
  (() => {
    const auth = good("bob");
    return {
      name: "envoy mode: a POST is checked with POST; the body stays with the request (with_request_body off)",
      request: req("/api/orders", auth, { method: "POST", headers: [["content-type", "application/json"]], body: BODY }),
      expect: { status: 200, upstreamBody: true, upstream: { "x-user-id": "bob", "x-auth-seen-method": "POST", "x-auth-seen-path": "/envoy-auth/api/orders" }, check: () => expect(lastCall(auth).body).toBe("") },
    };
  })(),
  (() => {
    const auth = good("carol");
    return {
      name: "envoy mode: the auth path is Go's path.Join (slashes merged, dot segments resolved, trailing slash dropped)",
      request: req("/api//v1/./x/../list/", auth),
      expect: { status: 200, upstreamPath: "/api//v1/./x/../list/", upstream: { "x-auth-seen-path": "/envoy-auth/api/v1/list" } },
    };
  })(),
  (() => {
    const auth = good("alice");
    return {
      name: "a repeated allowed header: the service gets its last value; headers_to_add wins over the client's header",
      request: req("/api/users", auth, { headers: [["x-tenant", "beta"], ["x-trace-origin", "client"]] }),
      expect: { status: 200, upstream: { "x-user-id": "alice" }, check: () => expect(lastCall(auth).headers).toMatchObject({ "x-tenant": "beta", "x-trace-origin": "gateway" }) },
    };
  })(),
  {
    name: "only 200 is a yes: a 202 from the service refuses the request with 202 and its body",
    request: req("/api/users", token("accepted")),
    expect: { status: 202, body: "accepted, not authorized", reachesUpstream: false, logs: ["failed to call ext auth server, status: 202"] },
  },
  {
    name: "envoy mode: path.Join cleans the query too (/a/../ inside it is resolved)",
    request: req("/api/x?next=/a/../b", good("carol")),
    expect: { status: 200, upstream: { "x-auth-seen-path": "/envoy-auth/api/x?next=/b" } },
  },
  {
    name: "a client's x-user-id is replaced by the service's (allowed_upstream_headers)",
    request: req("/api/me", good("alice"), { headers: [["x-user-id", "mallory"]] }),
    expect: { status: 200, upstream: { "x-user-id": "alice" } },
  },
  {
    name: "a bad token: the service's 401, its body and only the allowed_client_headers",
    request: req("/api/users", token("bad")),
    expect: {
      status: 401, body: INVALID, reachesUpstream: false,
      headers: { "www-authenticate": `${MOCK_REALM}, error="invalid_token"`, "x-auth-reason": "invalid-token", "x-auth-debug": null },
    },
  },
  {
    name: "no Authorization header: the service's 401 with its challenge",
    request: req("/api/users", null),
    expect: { status: 401, body: '{"error":"missing credentials"}', reachesUpstream: false, headers: { "www-authenticate": MOCK_REALM, "x-auth-reason": "missing" } },
  },
  {
    name: "a 403 from the service is passed on with its body",
    request: req("/api/admin", token("forbidden")),
    expect: { status: 403, body: "forbidden: insufficient scope", reachesUpstream: false, headers: { "x-auth-reason": "scope" } },
  },
  {
    name: "a 500 from the service → status_on_error (403 by default), with the service's body",
    request: req("/api/users", token("crash")),
    expect: { status: 403, body: "auth backend exploded", reachesUpstream: false, headers: { "x-auth-reason": "crash" }, logs: ["failed to call ext auth server, status: 500"] },
  },
  {
    name: "a 503 from the service → 403 too (no failure_mode_allow); retry-after is not an allowed client header",
    request: req("/api/users", token("unavailable")),
    expect: { status: 403, body: "try later", reachesUpstream: false, headers: { "retry-after": null } },
  },
  (() => {
    const auth = token("bad");
    return { name: "whitelist: a path under /public/ skips the check", request: req("/public/logo.png", auth), expect: { status: 200, reachesUpstream: true, check: noCall(auth) } };
  })(),
  {
    name: "whitelist: a path prefix is not a substring match (/api/public/ is checked)",
    request: req("/api/public/x", token("bad")),
    expect: { status: 401, body: INVALID },
  },
  (() => {
    const auth = token("bad");
    return { name: "whitelist: a host matching *.open.example.com skips the check", request: req("/api/users", auth, { host: "docs.open.example.com" }), expect: { status: 200, check: noCall(auth) } };
  })(),
  {
    name: "whitelist: the domain glob is anchored (open.example.com.evil.test is checked)",
    request: req("/api/users", token("bad"), { host: "x.open.example.com.evil.test" }),
    expect: { status: 401, body: INVALID },
  },
  (() => {
    const auth = token("bad");
    return { name: "whitelist: an OPTIONS request skips the check", request: req("/api/users", auth, { method: "OPTIONS" }), expect: { status: 200, check: noCall(auth) } };
  })(),
  (() => {
    const auth = good("dave");
    return {
      name: "with_request_body: the service gets the client's body",
      request: req("/body/upload", auth, { method: "POST", headers: [["content-type", "application/json"]], body: BODY }),
      expect: {
        status: 200, upstreamBody: true,
        upstream: { "x-user-id": "dave", "x-auth-body-length": String(BODY.length), "x-auth-body-sha256": sha(BODY) },
        check: () => expect(lastCall(auth)).toMatchObject({ method: "POST", path: "/envoy-auth-body/body/upload", body: BODY }),
      },
    };
  })(),
  {
    name: "with_request_body: a body sent in 5 chunks reaches the service whole",
    request: req("/body/upload", good("dave"), { method: "PUT", body: BODY, chunks: 5 }),
    expect: { status: 200, upstreamBody: true, upstream: { "x-auth-body-length": String(BODY.length), "x-auth-body-sha256": sha(BODY) } },
  },
  (() => {
    const auth = good("dave");
    return {
      name: "with_request_body: a body over max_request_body_bytes (64) → 413, the service is not called",
      request: req("/body/upload", auth, { method: "POST", body: "x".repeat(100) }),
      expect: { status: 413, reachesUpstream: false, check: noCall(auth) },
    };
  })(),
  {
    name: "with_request_body: a request without a body is checked without one",
    request: req("/body/upload", good("erin")),
    expect: { status: 200, upstream: { "x-user-id": "erin", "x-auth-body-length": "0" } },
  },
  {
    name: "with_request_body: a bad token with a body is refused (all the service's headers: no allowed_client_headers)",
    request: req("/body/upload", token("bad"), { method: "POST", body: BODY }),
    expect: { status: 401, body: INVALID, reachesUpstream: false, headers: { "x-auth-debug": "internal-detail", "www-authenticate": `${MOCK_REALM}, error="invalid_token"` } },
  },
  {
    name: "failure_mode_allow: an auth cluster that does not exist lets the request through, marked",
    request: req("/gone-open/x", token("bad")),
    expect: { status: 200, upstream: { "x-envoy-auth-failure-mode-allowed": "true" } },
  },
  {
    name: "an auth cluster that does not exist, failure_mode_allow off → status_on_error (502), empty body",
    request: req("/gone-closed/x", good("alice")),
    expect: { status: 502, body: "", reachesUpstream: false },
  },
];

// ---- group 2: forward_auth mode, blacklist, failure_mode_allow; rule: forward_auth POST with the body ----

const forwardConfig = {
  http_service: {
    endpoint_mode: "forward_auth",
    endpoint: { ...SERVICE, service_host: "auth.internal.example", path: "/forward-auth", request_method: "get" },
    timeout: 5000,
    authorization_response: { allowed_upstream_headers: [{ exact: "x-user-id" }, { regex: "^x-auth-seen-(method|path|headers)$" }] },
  },
  failure_mode_allow: true,
  failure_mode_allow_header_add: true,
  status_on_error: 401,
  match_type: "blacklist",
  match_list: [
    { match_rule_path: "/admin", match_rule_type: "prefix" },
    { match_rule_domain: "secure.example.com", match_rule_method: ["POST"], match_rule_path: "\\.json$", match_rule_type: "regex" },
  ],
};
const forwardRules = [
  {
    _match_route_: ["fbody"],
    http_service: {
      endpoint_mode: "forward_auth",
      endpoint: { ...SERVICE, path: "/forward-auth-body", request_method: "POST" },
      timeout: 5000,
      authorization_request: { with_request_body: true },
      authorization_response: { allowed_upstream_headers: [{ prefix: "x-auth-body-" }] },
    },
  },
];

const forwardRows: Row[] = [
  (() => {
    const auth = good("alice");
    return {
      name: "forward_auth: GET to the fixed path with x-forwarded-* and x-original-*, Host = service_host",
      request: req("/admin/panel?tab=users", auth, { method: "DELETE" }),
      expect: {
        status: 200,
        upstream: {
          "x-user-id": "alice",
          "x-auth-seen-method": "GET",
          "x-auth-seen-path": "/forward-auth",
          "x-auth-seen-headers": "authorization,host,x-forwarded-host,x-forwarded-method,x-forwarded-proto,x-forwarded-uri,x-original-method,x-original-uri",
          "x-envoy-auth-failure-mode-allowed": null,
        },
        check: () => {
          const c = lastCall(auth);
          expect(c.headers).toMatchObject({ host: "auth.internal.example", "x-forwarded-method": "DELETE", "x-original-method": "DELETE", "x-forwarded-uri": "/admin/panel?tab=users", "x-forwarded-proto": "http", "x-original-uri": "/admin/panel?tab=users" });
          // The client's Host (the harness sends Envoy's listener address to every host).
          expect(c.headers["x-forwarded-host"]).toMatch(/^127\.0\.0\.1:\d+$/);
        },
      },
    };
  })(),
  {
    name: "forward_auth: a redirect to a login page is passed to the client",
    request: req("/admin/settings?x=1", token("redirect")),
    expect: { status: 302, reachesUpstream: false, headers: { location: `https://login.example.com/?rd=${encodeURIComponent("/admin/settings?x=1")}`, "x-auth-reason": "login" } },
  },
  {
    name: "forward_auth: a bad token → 401 with every header of the service's answer",
    request: req("/admin", token("bad")),
    expect: { status: 401, body: INVALID, reachesUpstream: false, headers: { "www-authenticate": `${MOCK_REALM}, error="invalid_token"`, "x-auth-debug": "internal-detail", "content-type": "application/json" } },
  },
  {
    name: "failure_mode_allow: a 500 from the service lets the request through with x-envoy-auth-failure-mode-allowed",
    request: req("/admin/report", token("crash")),
    expect: { status: 200, upstream: { "x-envoy-auth-failure-mode-allowed": "true", "x-user-id": null }, logs: ["failed to call ext auth server, status: 500"] },
  },
  {
    name: "failure_mode_allow: so does a 503",
    request: req("/admin/report", token("unavailable")),
    expect: { status: 200, upstream: { "x-envoy-auth-failure-mode-allowed": "true" } },
  },
  (() => {
    const auth = token("bad");
    return { name: "blacklist: a request matching no rule is not checked", request: req("/shop/cart", auth), expect: { status: 200, check: noCall(auth) } };
  })(),
  {
    name: "blacklist: domain + method + regex path all match → checked",
    request: req("/v1/data.json", token("bad"), { method: "POST", host: "secure.example.com", body: "{}" }),
    expect: { status: 401, body: INVALID, reachesUpstream: false },
  },
  (() => {
    const auth = token("bad");
    return { name: "blacklist: the same path with GET (method not listed) → not checked", request: req("/v1/data.json", auth, { host: "secure.example.com" }), expect: { status: 200, check: noCall(auth) } };
  })(),
  (() => {
    const auth = token("bad");
    return { name: "blacklist: the regex is matched against the path without its query", request: req("/v1/data?f=.json", auth, { method: "POST", host: "secure.example.com", body: "{}" }), expect: { status: 200, check: noCall(auth) } };
  })(),
  (() => {
    const auth = good("frank");
    return {
      name: "forward_auth with_request_body: POST to the fixed path with the client's body",
      request: req("/fbody/admin/upload", auth, { method: "PATCH", headers: [["content-type", "application/json"]], body: BODY }),
      expect: {
        status: 200, upstreamBody: true,
        upstream: { "x-auth-body-length": String(BODY.length), "x-auth-body-sha256": sha(BODY), "x-user-id": null },
        check: () => expect(lastCall(auth)).toMatchObject({ method: "POST", path: "/forward-auth-body", body: BODY, headers: { "x-forwarded-method": "PATCH", "x-forwarded-uri": "/fbody/admin/upload" } }),
      },
    };
  })(),
];

const bad = (name: string, config: unknown, message: string) => ({ name, config, message });
const endpoint = { endpoint: { ...SERVICE, path_prefix: "/auth" } };

export const table: PluginTable = {
  plugin: "ext-auth",
  servers: { [AUTH_CLUSTER]: authService },
  groups: [
    { name: "envoy mode, whitelist (+ body and unknown-cluster rules)", config: { ...envoyConfig, _rules_: envoyRules }, routes: ["body", "gone-open", "gone-closed"], rows: envoyRows },
    { name: "forward_auth mode, blacklist, failure_mode_allow (+ a body rule)", config: { ...forwardConfig, _rules_: forwardRules }, routes: ["fbody"], rows: forwardRows },
  ],
  badConfigs: [
    bad("no http_service", { failure_mode_allow: true }, "missing http_service in config"),
    bad("an unknown endpoint_mode", { http_service: { endpoint_mode: "grpc", ...endpoint } }, "endpoint_mode grpc is not supported"),
    bad("no endpoint", { http_service: { endpoint_mode: "envoy" } }, "missing endpoint in config"),
    bad("no service_name", { http_service: { endpoint: { service_port: 80, path_prefix: "/" } } }, "endpoint service name must not be empty"),
    bad("envoy mode without path_prefix", { http_service: { endpoint: SERVICE } }, "when endpoint_mode is envoy, endpoint path_prefix must not be empty"),
    bad("forward_auth without path", { http_service: { endpoint_mode: "forward_auth", endpoint: SERVICE } }, "when endpoint_mode is forward_auth, endpoint path must not be empty"),
    bad("with_request_body with forward_auth's default GET", { http_service: { endpoint_mode: "forward_auth", endpoint: { ...SERVICE, path: "/auth" }, authorization_request: { with_request_body: true } } }, "requestMethod GET does not support with_request_body set to true"),
    bad("match_list without match_type", { http_service: endpoint, match_list: [{ match_rule_path: "/x", match_rule_type: "exact" }] }, "missing match_type in config"),
    bad("an unknown match_type", { http_service: endpoint, match_type: "graylist", match_list: [] }, "invalid match_type in config, must be 'whitelist' or 'blacklist'"),
    bad("an unknown match_rule_type", { http_service: endpoint, match_type: "whitelist", match_list: [{ match_rule_path: "/x", match_rule_type: "glob" }] }, "failed to build string matcher for match_list[0]"),
    bad("a string matcher of no known kind", { http_service: { ...endpoint, authorization_request: { allowed_headers: [{ glob: "x-*" }] } } }, "authorization_request.allowed_headers[0]: unknown string matcher type"),
    bad("a bad regex", { http_service: { ...endpoint, authorization_response: { allowed_upstream_headers: [{ regex: "x-(user" }] } } }, "authorization_response.allowed_upstream_headers[0]: error parsing regexp"),
    bad("status_on_error out of range", { http_service: endpoint, status_on_error: 1000 }, "status_on_error must be an HTTP status (100-599)"),
    bad("failure_mode_allow as a string", { http_service: endpoint, failure_mode_allow: "yes" }, "failure_mode_allow must be a boolean"),
  ],
};
