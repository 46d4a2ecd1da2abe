// The case table of transformer: every operation (remove, rename, replace, add, append, map,
// dedupe) on request headers, query parameters, JSON and form bodies, and on response headers and
// JSON bodies; value types and JSON paths; the order of operations (headers, then query, then body;
// a map from the body holds the headers until the body is there); every dedupe strategy; bodies
// that are not JSON, in many chunks, or absent; bad configurations refused. Expected values follow
// Higress's code (main.go at HEAD), which differs from its README in places (see README.md).
import type { Group, PluginTable } from "../../../harness/src/plugin-table.js";

const JSON_CT: [string, string] = ["content-type", "application/json"];
const FORM_CT: [string, string] = ["content-type", "application/x-www-form-urlencoded"];

// Higress README's request header example (add/append with host_pattern / path_pattern).
const headerRules = {
  reqRules: [
    { operate: "remove", headers: [{ key: "X-remove" }] },
    { operate: "rename", headers: [{ oldKey: "X-not-renamed", newKey: "X-renamed" }] },
    { operate: "replace", headers: [{ key: "X-replace", newValue: "replaced" }] },
    { operate: "add", headers: [{ key: "X-add-append", value: "host-$1", host_pattern: "^(.*)\\.com$" }] },
    { operate: "append", headers: [{ key: "X-add-append", appendValue: "path-$1", path_pattern: "^.*?\\/(\\w+)[\\?]{0,1}.*$" }] },
    { operate: "map", headers: [{ fromKey: "X-add-append", toKey: "X-map" }] },
    {
      operate: "dedupe",
      headers: [
        { key: "X-dedupe-first", strategy: "RETAIN_FIRST" },
        { key: "X-dedupe-last", strategy: "RETAIN_LAST" },
        { key: "X-dedupe-unique", strategy: "RETAIN_UNIQUE" },
      ],
    },
  ],
};

// Higress README's query example.
const queryRules = {
  reqRules: [
    { operate: "remove", querys: [{ key: "k1" }] },
    { operate: "rename", querys: [{ oldKey: "k2", newKey: "k2-new" }] },
    { operate: "replace", querys: [{ key: "k2-new", newValue: "v2-new" }] },
    { operate: "add", querys: [{ key: "k3", value: "v31-$1", path_pattern: "^.*?\\/(\\w+)[\\?]{0,1}.*$" }] },
    { operate: "append", querys: [{ key: "k3", appendValue: "v32" }] },
    { operate: "map", querys: [{ fromKey: "k3", toKey: "k4" }] },
    { operate: "dedupe", querys: [{ key: "k4", strategy: "RETAIN_FIRST" }] },
  ],
};

const dedupeRules = {
  reqRules: [
    {
      operate: "dedupe",
      headers: [
        { key: "x-f" },
        { key: "x-l", strategy: "retain_last" },
        { key: "x-u", strategy: "RETAIN_UNIQUE" },
        { key: "x-sf", strategy: "SPLIT_AND_RETAIN_FIRST" },
        { key: "x-sl", strategy: "SPLIT_AND_RETAIN_LAST" },
      ],
      querys: [{ key: "q", strategy: "RETAIN_LAST" }, { key: "u", strategy: "RETAIN_UNIQUE" }],
      body: [{ key: "tags", strategy: "RETAIN_UNIQUE" }, { key: "ids", strategy: "RETAIN_LAST" }, { key: "csv", strategy: "SPLIT_AND_RETAIN_LAST" }, { key: "one", strategy: "RETAIN_UNIQUE" }],
    },
  ],
};

// Higress README's body example (JSON and form bodies).
const bodyRules = {
  reqRules: [
    { operate: "remove", body: [{ key: "a1" }] },
    { operate: "rename", body: [{ oldKey: "a2", newKey: "a2-new" }] },
    { operate: "replace", body: [{ key: "a3", newValue: "t3-new", value_type: "string" }] },
    { operate: "add", body: [{ key: "a1-new", value: "t1-new", value_type: "string" }] },
    { operate: "append", body: [{ key: "a1-new", appendValue: "t1-$1-append", value_type: "string", host_pattern: "^(.*)\\.com$" }] },
    { operate: "map", body: [{ fromKey: "a1-new", toKey: "a4" }] },
    { operate: "dedupe", body: [{ key: "a4", strategy: "RETAIN_FIRST" }] },
  ],
};

const typedRules = {
  reqRules: [
    { operate: "remove", body: [{ key: "drop.me" }] },
    { operate: "rename", body: [{ oldKey: "old.k", newKey: "new.k" }] },
    { operate: "replace", body: [{ key: "items.0", newValue: "first" }, { key: "price", newValue: "9.5", value_type: "number" }] },
    {
      operate: "add",
      body: [
        { key: "n", value: "42", value_type: "number" },
        { key: "b", value: "True", value_type: "boolean" },
        { key: "o", value: '{"x":[1,2]}', value_type: "object" },
        { key: "meta.user.id", value: "u1" },
        { key: "dotted\\.key", value: "lit" },
      ],
    },
    { operate: "append", body: [{ key: "list", appendValue: "3", value_type: "number" }, { key: "scalar", appendValue: "s2" }] },
    { operate: "map", mapSource: "headers", body: [{ fromKey: "X-User", toKey: "user" }] },
    { operate: "map", mapSource: "querys", body: [{ fromKey: "lang", toKey: "prefs.lang" }] },
  ],
};

const bodyMapRules = {
  reqRules: [
    { operate: "map", mapSource: "body", headers: [{ fromKey: "userId", toKey: "x-user-id" }, { fromKey: "friends.1.first", toKey: "x-first-name" }] },
    { operate: "map", mapSource: "body", querys: [{ fromKey: "userName", toKey: "user" }] },
    { operate: "add", headers: [{ key: "x-added", value: "yes" }] },
  ],
};

const respRules = {
  respRules: [
    { operate: "remove", headers: [{ key: "X-Secret" }], body: [{ key: "secret" }] },
    { operate: "rename", headers: [{ oldKey: "x-old", newKey: "x-new" }] },
    { operate: "add", headers: [{ key: "x-added", value: "on-$1", path_pattern: "^/(\\w+)" }], body: [{ key: "served_by", value: "gw" }] },
    { operate: "replace", body: [{ key: "data.status", newValue: "200", value_type: "number" }] },
    { operate: "append", body: [{ key: "tags", appendValue: "t2" }] },
    { operate: "map", mapSource: "body", headers: [{ fromKey: "id", toKey: "x-resp-id" }] },
    { operate: "map", mapSource: "headers", body: [{ fromKey: "x-trace", toKey: "trace" }] },
    { operate: "dedupe", headers: [{ key: "x-dup", strategy: "RETAIN_LAST" }] },
  ],
};

const longQuery = Array.from({ length: 2000 }, (_, i) => `p${String(i).padStart(4, "0")}=v`).join("&");

const answer = (body: string, headers: Record<string, string> = { "content-type": "application/json" }, chunks?: number) => ({ body, headers, chunks });

const groups: Group[] = [
  {
    name: "request headers: every operation, host_pattern and path_pattern",
    config: headerRules,
    rows: [
      {
        name: "Higress README's example: remove, rename, replace, add ($1 of the host), append ($1 of the path), map, dedupe ×3",
        request: {
          path: "/get",
          host: "foo.bar.com",
          headers: [
            ["X-remove", "exist"], ["X-not-renamed", "test"], ["X-replace", "not-replaced"],
            ["X-dedupe-first", "1"], ["X-dedupe-first", "2"], ["X-dedupe-first", "3"],
            ["X-dedupe-last", "a"], ["X-dedupe-last", "b"], ["X-dedupe-last", "c"],
            ["X-dedupe-unique", "1"], ["X-dedupe-unique", "2"], ["X-dedupe-unique", "3"], ["X-dedupe-unique", "3"], ["X-dedupe-unique", "2"], ["X-dedupe-unique", "1"],
          ],
        },
        expect: {
          status: 200,
          upstream: {
            "x-remove": null, "x-not-renamed": null, "x-renamed": "test", "x-replace": "replaced",
            "x-add-append": "host-foo.bar, path-get", "x-map": "host-foo.bar, path-get",
            "x-dedupe-first": "1", "x-dedupe-last": "c", "x-dedupe-unique": "1, 2, 3",
          },
        },
      },
      {
        name: "replace adds an absent header; a pattern that does not match leaves the value as written",
        request: { path: "/get", host: "example.org" },
        expect: { status: 200, upstream: { "x-replace": "replaced", "x-renamed": null, "x-add-append": "host-$1, path-get", "x-map": "host-$1, path-get" } },
      },
      {
        name: "add keeps an existing header (case-insensitive), append and map still apply",
        request: { path: "/api?x=1", host: "foo.bar.com", headers: [["X-ADD-APPEND", "mine"]] },
        expect: { status: 200, upstreamPath: "/api?x=1", upstream: { "x-add-append": "mine, path-api", "x-map": "mine, path-api" } },
      },
    ],
  },
  {
    name: "query parameters",
    config: queryRules,
    rows: [
      {
        name: "Higress README's example: the query is rebuilt sorted by key",
        request: { path: "/get?k1=v11&k1=v12&k2=v2" },
        expect: { status: 200, upstreamPath: "/get?k2-new=v2-new&k3=v31-get&k3=v32&k4=v31-get" },
      },
      {
        name: "no query: replace adds k2-new, add/append/map build the rest",
        request: { path: "/get" },
        expect: { status: 200, upstreamPath: "/get?k2-new=v2-new&k3=v31-get&k3=v32&k4=v31-get" },
      },
      {
        name: "existing k3 is kept by add; values are decoded and re-encoded as Go's QueryEscape",
        request: { path: "/p?k3=a%20b&z=%E4%B8%AD+x&k2=1%2F2" },
        expect: { status: 200, upstreamPath: "/p?k2-new=v2-new&k3=a+b&k3=v32&k4=a+b&z=%E4%B8%AD+x" },
      },
      {
        name: "a query of 2,000 parameters is rebuilt (sorted, the new keys in their place)",
        request: { path: "/get?" + longQuery },
        expect: { status: 200, upstreamPath: "/get?k2-new=v2-new&k3=v31-get&k3=v32&k4=v31-get&" + longQuery },
      },
    ],
  },
  {
    name: "dedupe strategies on headers, query and a JSON body",
    config: dedupeRules,
    rows: [
      {
        name: "RETAIN_FIRST (default), RETAIN_LAST, RETAIN_UNIQUE, SPLIT_AND_RETAIN_FIRST/LAST",
        request: {
          method: "POST",
          path: "/d?q=1&q=2&u=a&u=b&u=a&x=%20y",
          headers: [
            JSON_CT, ["x-f", "1"], ["x-f", "2"], ["x-l", "1"], ["x-l", "2"], ["x-u", "a"], ["x-u", "b"], ["x-u", "a"],
            ["x-sf", "v1,v2,v3"], ["x-sl", "v1,v2,v3"],
          ],
          body: '{"tags":["a","b","a",1,"1"],"ids":[1,2,3],"csv":["x,y,z"],"one":["s","s"]}',
        },
        expect: {
          status: 200,
          upstreamPath: "/d?q=2&u=a&u=b&x=+y",
          upstream: { "x-f": "1", "x-l": "2", "x-u": "a, b", "x-sf": "v1", "x-sl": "v3" },
          upstreamBody: '{"tags":["a","b",1],"ids":3,"csv":"z","one":"s"}',
        },
      },
    ],
  },
  {
    name: "request body: JSON and form (Higress README's body example)",
    config: bodyRules,
    rows: [
      {
        name: "JSON: remove, rename, replace, add, append ($1 of the host); map reads the body as it arrived (no a4)",
        request: { method: "POST", path: "/post", host: "foo.bar.com", headers: [JSON_CT], body: '{"a1":"t1","a2":"t2","a3":"t3"}' },
        expect: { status: 200, upstreamBody: '{"a3":"t3-new","a2-new":"t2","a1-new":["t1-new","t1-foo.bar-append"]}', upstream: { "content-type": "application/json" } },
      },
      {
        name: "JSON: replace adds a3; map copies a value that was in the body as sent; bytes inside untouched values go on as sent",
        request: { method: "POST", path: "/post", host: "foo.bar.com", headers: [JSON_CT], body: '{ "a1-new" : {"deep": [1, 2]}, "keep" : true }' },
        expect: { status: 200, upstreamBody: '{"a1-new" : [{"deep": [1, 2]},"t1-foo.bar-append"],"keep" : true,"a3":"t3-new","a4":{"deep": [1, 2]}}' },
      },
      {
        name: "JSON in 7 chunks: the whole body is transformed",
        request: { method: "POST", path: "/post", host: "foo.bar.com", headers: [JSON_CT], body: '{"a1":"t1","a2":"t2","a3":"t3","pad":"' + "x".repeat(200) + '"}', chunks: 7 },
        expect: { status: 200, upstreamBody: '{"a3":"t3-new","pad":"' + "x".repeat(200) + '","a2-new":"t2","a1-new":["t1-new","t1-foo.bar-append"]}' },
      },
      {
        name: "not JSON under application/json: the body goes on untouched, a warning is logged",
        request: { method: "POST", path: "/post", host: "foo.bar.com", headers: [JSON_CT], body: "a1=t1 {not json" },
        expect: { status: 200, upstreamBody: true, logs: ["failed to transform request body: invalid json body"] },
      },
      {
        name: "a JSON array (not an object) is left untouched",
        request: { method: "POST", path: "/post", headers: [JSON_CT], body: '[{"a1":"t1"}]' },
        expect: { status: 200, upstreamBody: true, logs: ["failed to transform request body: failed to remove"] },
      },
      {
        name: "text/plain is not transformed",
        request: { method: "POST", path: "/post", headers: [["content-type", "text/plain"]], body: '{"a1":"t1"}' },
        expect: { status: 200, upstreamBody: true },
      },
      {
        name: "form: the same rules; map reads the edited form (a4 = t1-new); re-encoded sorted",
        request: { method: "POST", path: "/post", host: "foo.bar.com", headers: [FORM_CT], body: "a1=t1&a2=t2&a3=t3" },
        expect: { status: 200, upstreamBody: "a1-new=t1-new&a1-new=t1-foo.bar-append&a2-new=t2&a3=t3-new&a4=t1-new" },
      },
      {
        name: "form with a ';' (refused by Go's ParseQuery): untouched",
        request: { method: "POST", path: "/post", headers: [FORM_CT], body: "a1=t1;a2=t2" },
        expect: { status: 200, upstreamBody: true, logs: ["failed to parse request body: invalid form body"] },
      },
    ],
  },
  {
    name: "JSON body: value types, nested paths, maps from headers and query",
    config: typedRules,
    rows: [
      {
        name: "number, boolean (Go's ParseBool spelling), object; nested add/replace/remove/rename; append to array and scalar",
        request: {
          method: "POST",
          path: "/t?lang=en&lang=fr",
          headers: [JSON_CT, ["X-User", "alice"]],
          body: '{"items":["a","b"],"drop":{"me":1,"keep":2},"old":{"k":"v"},"price":"1","list":[1,2],"scalar":"s1"}',
        },
        expect: {
          status: 200,
          upstreamBody:
            '{"items":["first","b"],"drop":{"keep":2},"old":{},"price":9.5,"list":[1,2,3],"scalar":["s1","s2"],"new":{"k":"v"},"n":42,"b":true,"o":{"x":[1,2]},"meta":{"user":{"id":"u1"}},"dotted.key":"lit","user":["alice"],"prefs":{"lang":["en","fr"]}}',
        },
      },
      {
        name: "an edit that cannot be made (a path through a string) leaves the whole body as it came",
        request: { method: "POST", path: "/t", headers: [JSON_CT], body: '{"meta":"str","price":"1"}' },
        expect: { status: 200, upstreamBody: true, logs: ["failed to transform request body: failed to add"] },
      },
      {
        name: "an empty body is left alone",
        request: { method: "POST", path: "/t", headers: [JSON_CT], body: "" },
        expect: { status: 200, upstreamBody: "" },
      },
    ],
  },
  {
    name: "map from the body to headers and query (headers wait for the body)",
    config: bodyMapRules,
    rows: [
      {
        name: "JSON: a number and a nested path become headers, a string a query parameter",
        request: { method: "POST", path: "/route?a=1", headers: [JSON_CT], body: '{"userId":12,"userName":"johnlanni","friends":[{"first":"Dale"},{"first":"Roger"}]}' },
        expect: { status: 200, upstreamPath: "/route?a=1&user=johnlanni", upstream: { "x-user-id": "12", "x-first-name": "Roger", "x-added": "yes" }, upstreamBody: true },
      },
      {
        name: "JSON in 5 chunks",
        request: { method: "POST", path: "/route", headers: [JSON_CT], body: '{"userId":"u-7","pad":"' + "y".repeat(100) + '"}', chunks: 5 },
        expect: { status: 200, upstreamPath: "/route", upstream: { "x-user-id": "u-7", "x-first-name": null, "x-added": "yes" }, upstreamBody: true },
      },
      {
        name: "form body",
        request: { method: "POST", path: "/route", headers: [FORM_CT], body: "userId=12&userName=j+l" },
        expect: { status: 200, upstreamPath: "/route?user=j+l", upstream: { "x-user-id": "12" }, upstreamBody: true },
      },
      {
        name: "no body: the other edits apply, the map finds no body",
        request: { path: "/route" },
        expect: { status: 200, upstream: { "x-user-id": null, "x-added": "yes" }, logs: ["map key failed, source:body not exists"] },
      },
    ],
  },
  {
    name: "response headers and JSON body",
    config: respRules,
    rows: [
      {
        name: "headers: remove, rename, add ($1 of the request path), dedupe; body: remove, add, nested number, append, map both ways",
        request: {
          path: "/orders/1",
          answer: answer('{"id":"o-1","secret":"s","data":{"status":"ok"},"tags":"t1"}', { "content-type": "application/json", "x-secret": "s", "x-old": "o", "x-trace": "tr-1" }),
        },
        expect: {
          status: 200,
          body: '{"id":"o-1","data":{"status":200},"tags":["t1","t2"],"served_by":"gw","trace":["tr-1"]}',
          // path_pattern replaces the match inside the path: the rest of the path stays (Go's ReplaceAllString).
          headers: { "x-secret": null, "x-old": null, "x-new": "o", "x-added": "on-orders/1", "x-resp-id": "o-1", "x-trace": "tr-1" },
        },
      },
      {
        name: "an answer in 6 chunks",
        request: { path: "/r", answer: answer('{"id":"o-2","secret":"' + "z".repeat(120) + '"}', { "content-type": "application/json; charset=utf-8" }, 6) },
        expect: { status: 200, body: '{"id":"o-2","served_by":"gw","data":{"status":200},"tags":"t2"}', headers: { "x-resp-id": "o-2", "x-added": "on-r" } },
      },
      {
        name: "text/plain answer: body untouched, header edits still apply (map from the body finds none)",
        request: { path: "/r", answer: answer('{"id":"o-3","secret":"s"}', { "content-type": "text/plain", "x-secret": "s" }) },
        expect: { status: 200, body: '{"id":"o-3","secret":"s"}', headers: { "x-secret": null, "x-resp-id": null, "x-added": "on-r" }, logs: ["map key failed, source:body not exists"] },
      },
      {
        name: "an answer that is not JSON under application/json goes on untouched",
        request: { path: "/r", answer: answer("{oops", { "content-type": "application/json", "x-secret": "s" }) },
        expect: { status: 200, body: "{oops", headers: { "x-secret": null }, logs: ["failed to transform response body: invalid json body"] },
      },
    ],
  },
  {
    name: "reroute off, rename onto itself, maps from the query",
    config: {
      reroute: false,
      reqRules: [
        { operate: "rename", headers: [{ oldKey: "x-same", newKey: "X-Same" }] },
        { operate: "map", mapSource: "querys", headers: [{ fromKey: "tok", toKey: "X-Tok" }] },
      ],
      respRules: [
        { operate: "map", mapSource: "querys", headers: [{ fromKey: "a", toKey: "x-a" }] },
        { operate: "replace", headers: [{ key: "x-r", newValue: "$1", host_pattern: "^([a-z]+)\\." }] },
      ],
    },
    rows: [
      {
        name: "rename onto itself removes the header (Higress's order); every query value is mapped; the response has no query; an unanchored host_pattern keeps the rest of the host",
        request: { path: "/x?tok=1&tok=2", host: "api.example.com", headers: [["X-Same", "v"]] },
        expect: {
          status: 200,
          upstreamPath: "/x?tok=1&tok=2",
          upstream: { "x-same": null, "x-tok": "1, 2" },
          headers: { "x-r": "apiexample.com", "x-a": null },
          logs: ["map key failed, source:querys not exists"],
        },
      },
    ],
  },
];

export const table: PluginTable = {
  plugin: "transformer",
  groups,
  badConfigs: ([
    ["no rules at all", { reroute: true }, "transformer rule not exist in yaml"],
    ["reqRules not an array", { reqRules: "remove" }, "reqRules must be an array of rules"],
    ["an unknown operate", { reqRules: [{ operate: "delete", headers: [{ key: "a" }] }] }, 'reqRules[0]: invalid operate type "delete"'],
    ["an unknown mapSource", { reqRules: [{ operate: "map", mapSource: "cookies", headers: [{ fromKey: "a", toKey: "b" }] }] }, 'reqRules[0]: invalid map source "cookies"'],
    ["an unknown value_type", { respRules: [{ operate: "add", body: [{ key: "a", value: "1", value_type: "integer" }] }] }, 'respRules[0].body[0]: invalid body params type "integer"'],
    ["a value that is not a number", { reqRules: [{ operate: "add", body: [{ key: "a", value: "ten", value_type: "number" }] }] }, "reqRules[0].body[0]: 'value' is not a number"],
    ["a value that is not a boolean", { reqRules: [{ operate: "replace", body: [{ key: "a", newValue: "yes", value_type: "boolean" }] }] }, "reqRules[0].body[0]: 'newValue' is not a boolean"],
    ["object JSON that does not parse", { reqRules: [{ operate: "append", body: [{ key: "a", appendValue: "{x", value_type: "object" }] }] }, "'appendValue' is not valid JSON for value_type object"],
    ["a bad host_pattern", { reqRules: [{ operate: "add", headers: [{ key: "a", value: "$1", host_pattern: "(.*" }] }] }, "reqRules[0].headers[0]: failed to new reg: error parsing regexp"],
    ["an unknown dedupe strategy", { reqRules: [{ operate: "dedupe", headers: [{ key: "a", strategy: "RETAIN_ALL" }] }] }, 'unknown dedupe strategy "RETAIN_ALL"'],
    ["rename without newKey", { reqRules: [{ operate: "rename", querys: [{ oldKey: "a" }] }] }, "reqRules[0].querys[0]: 'newKey' is required"],
    ["remove without key", { respRules: [{ operate: "remove", headers: [{ oldKey: "a" }] }] }, "respRules[0].headers[0]: 'key' is required"],
    ["a gjson wildcard path", { reqRules: [{ operate: "remove", body: [{ key: "items.*.id" }] }] }, "is not a supported JSON path"],
    ["headers not an array", { reqRules: [{ operate: "remove", headers: { key: "a" } }] }, "reqRules[0].headers must be an array"],
  ] as const).map(([name, config, message]) => ({ name, config, message })),
};
