// The case table of request-validation: every row runs on a real Envoy and on the emulator (both
// targets) through harness/src/plugin-table.ts, which also demands the same answer from both.
// The first group is Higress's own end-to-end test (test/e2e/conformance/tests/
// go-wasm-request-validation.{go,yaml}): its configuration and its eleven cases, one row each.
import type { PluginTable, Row } from "../../../harness/src/plugin-table.js";

const JSON_CT: [string, string] = ["content-type", "application/json"];

/** Higress's e2e configuration (draft-04: enable_swagger). */
const higressE2E = {
  header_schema: {
    type: "object",
    required: ["enum_payload"],
    properties: { enum_payload: { type: "string", enum: ["enum_string_1", "enum_string_2"], default: "enum_string_1" } },
  },
  body_schema: {
    type: "object",
    required: ["enum_payload", "bool_payload", "integer_payload", "string_payload", "regex_payload", "array_payload"],
    properties: {
      enum_payload: { type: "string", enum: ["enum_string_1", "enum_string_2"], default: "enum_string_1" },
      bool_payload: { type: "boolean", default: true },
      integer_payload: { type: "integer", minimum: 1, maximum: 65535 },
      string_payload: { type: "string", minLength: 2, maxLength: 32 },
      regex_payload: { type: "string", minLength: 1, maxLength: 32, pattern: "^[a-zA-Z0-9]+$" },
      array_payload: { type: "array", minItems: 2, items: { type: "integer", minimum: 200, maximum: 599 }, uniqueItems: true, default: [200, 302] },
    },
  },
  rejected_code: 403,
  rejected_msg: "customize reject message",
  enable_swagger: true,
  enable_oas3: false,
};

const goodBody = { enum_payload: "enum_string_1", bool_payload: true, integer_payload: 100, string_payload: "abc", regex_payload: "abc123", array_payload: [200, 302] };
/** Higress's e2e bodies are indented JSON with surrounding whitespace; so are these. */
const body = (over: Record<string, unknown>, drop?: string) => {
  const b: Record<string, unknown> = { ...goodBody, ...over };
  if (drop) delete b[drop];
  return "\n\t\t\t\t\t\t\t" + JSON.stringify(b, null, "\t") + "\n \t\t\t\t\t\t";
};
const withHeader: [string, string][] = [["enum_payload", "enum_string_1"], JSON_CT];
const refused = { status: 403, body: "customize reject message", reachesUpstream: false };

const e2eRows: Row[] = [
  { name: "e2e: request validation pass", request: { method: "POST", path: "/foo", host: "foo.com", headers: withHeader, body: body({}) }, expect: { status: 200, reachesUpstream: true, upstreamBody: true } },
  { name: "e2e: header lack of require parameter", request: { method: "POST", path: "/foo", host: "foo.com", headers: [JSON_CT], body: body({}) }, expect: { ...refused, logs: ['validate request headers failed: /: missing required property "enum_payload"'] } },
  { name: "e2e: body lack of require parameter", request: { method: "POST", path: "/foo", host: "foo.com", headers: withHeader, body: body({}, "enum_payload") }, expect: { ...refused, logs: ['validate request body failed: /: missing required property "enum_payload"'] } },
  { name: "e2e: body enum payload not in enum list", request: { method: "POST", path: "/foo", host: "foo.com", headers: withHeader, body: body({ enum_payload: "enum_string_3" }) }, expect: refused },
  { name: "e2e: body bool payload not bool type", request: { method: "POST", path: "/foo", host: "foo.com", headers: withHeader, body: body({ bool_payload: "string" }) }, expect: { ...refused, logs: ["/bool_payload: expected boolean, but got string"] } },
  { name: "e2e: body integer payload not in range", request: { method: "POST", path: "/foo", host: "foo.com", headers: withHeader, body: body({ integer_payload: 70000 }) }, expect: { ...refused, logs: ["/integer_payload: 70000 is greater than maximum 65535"] } },
  { name: "e2e: body string payload length not in range", request: { method: "POST", path: "/foo", host: "foo.com", headers: withHeader, body: body({ string_payload: "a" }) }, expect: refused },
  { name: "e2e: body regex payload not match regex pattern", request: { method: "POST", path: "/foo", host: "foo.com", headers: withHeader, body: body({ regex_payload: "abc@123" }) }, expect: refused },
  { name: "e2e: body array payload not in array range", request: { method: "POST", path: "/foo", host: "foo.com", headers: withHeader, body: body({ array_payload: [150, 302] }) }, expect: { ...refused, logs: ["/array_payload/0: 150 is less than minimum 200"] } },
  { name: "e2e: body array payload not unique array items", request: { method: "POST", path: "/foo", host: "foo.com", headers: withHeader, body: body({ array_payload: [302, 302] }) }, expect: refused },
  { name: "e2e: body array payload length not in range", request: { method: "POST", path: "/foo", host: "foo.com", headers: withHeader, body: body({ array_payload: [302] }) }, expect: refused },
];

const moreRows: Row[] = [
  { name: "header value outside the enum is refused before the body is read", request: { method: "POST", path: "/foo", headers: [["enum_payload", "nope"], JSON_CT], body: body({}) }, expect: { ...refused, logs: ['validate request headers failed: /enum_payload: value must be one of ["enum_string_1","enum_string_2"]'] } },
  { name: "a GET without a body passes on the headers alone", request: { path: "/foo", headers: [["enum_payload", "enum_string_2"]] }, expect: { status: 200, reachesUpstream: true } },
  { name: "the last of a repeated header is the one validated (enum_string_1 wins)", request: { path: "/foo", headers: [["enum_payload", "nope"], ["enum_payload", "enum_string_1"]] }, expect: { status: 200 } },
  { name: "the last of a repeated header is the one validated (nope wins)", request: { path: "/foo", headers: [["enum_payload", "enum_string_1"], ["enum_payload", "nope"]] }, expect: refused },
  { name: "a body that is not JSON goes on unvalidated (as Higress)", request: { method: "POST", path: "/foo", headers: withHeader, body: "hello" }, expect: { status: 200, upstreamBody: true, logs: ["unmarshal body failed: "] } },
  { name: "a JSON array body goes on unvalidated (Higress unmarshals into a map)", request: { method: "POST", path: "/foo", headers: withHeader, body: "[1,2,3]" }, expect: { status: 200, upstreamBody: true } },
  { name: "a null body is validated as null and refused", request: { method: "POST", path: "/foo", headers: withHeader, body: "null" }, expect: { ...refused, logs: ["/: expected object, but got null"] } },
  { name: "an invalid body split over 7 chunks is refused", request: { method: "POST", path: "/foo", headers: withHeader, body: body({ string_payload: "x".repeat(40) }), chunks: 7 }, expect: refused },
  { name: "a valid body split over 5 chunks reaches the upstream intact", request: { method: "POST", path: "/foo", headers: withHeader, body: body({ string_payload: "y".repeat(30) }), chunks: 5 }, expect: { status: 200, upstreamBody: true } },
  { name: "string lengths count characters, not bytes (2 CJK characters pass minLength 2)", request: { method: "POST", path: "/foo", headers: withHeader, body: body({ string_payload: "日本" }) }, expect: { status: 200 } },
  { name: "integer accepts 100.0 (a whole number)", request: { method: "POST", path: "/foo", headers: withHeader, body: body({}).replace('"integer_payload": 100', '"integer_payload": 100.0') }, expect: { status: 200 } },
  { name: "integer refuses 1.5", request: { method: "POST", path: "/foo", headers: withHeader, body: body({ integer_payload: 1.5 }) }, expect: { ...refused, logs: ["/integer_payload: expected integer, but got number"] } },
  { name: "pattern is unanchored RE2 inside the given anchors (non-ASCII letters refused)", request: { method: "POST", path: "/foo", headers: withHeader, body: body({ regex_payload: "abcé" }) }, expect: refused },
  { name: "a duplicate key: the last one is validated", request: { method: "POST", path: "/foo", headers: withHeader, body: body({}).replace('"integer_payload": 100', '"integer_payload": 0, "integer_payload": 100') }, expect: { status: 200 } },
  { name: "route rule: another schema and answer on the strict route", request: { method: "POST", path: "/strict/x", headers: [JSON_CT], body: '{"a":1}' }, expect: { status: 422, body: "", logs: ['additional property "a" is not allowed'] } },
  { name: "route rule: its own schema passes a good body without the global header", request: { method: "POST", path: "/strict/x", headers: [JSON_CT], body: '{"id":"x-1"}' }, expect: { status: 200 } },
];

/** Draft-07 (the default, or enable_oas3): const, if/then/else, number-form exclusive bounds, pseudo-headers. */
const draft7 = {
  enable_oas3: true,
  header_schema: JSON.stringify({
    type: "object",
    properties: { ":method": { enum: ["GET", "POST"] }, "x-tenant": { type: "string", pattern: "^[a-z]{3,8}$" } },
    required: [":path", ":method"],
  }),
  body_schema: {
    type: "object",
    properties: {
      kind: { enum: ["user", "bot"] },
      version: { const: 2 },
      score: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
      tags: { type: "array", contains: { const: "ok" }, items: { $ref: "#tag" } },
      owner: { $ref: "#/definitions/owner" },
      email: { type: "string", format: "email" },
      at: { type: "string", format: "date-time" },
      ip: { format: "ipv4" },
      note: { format: "made-up-format" },
    },
    if: { properties: { kind: { const: "bot" } }, required: ["kind"] },
    then: { required: ["owner"] },
    definitions: { owner: { type: "object", required: ["id"], properties: { id: { type: "integer", minimum: 1 } } }, tag: { $id: "#tag", type: "string", maxLength: 5 } },
    dependencies: { score: ["kind"] },
  },
  rejected_code: 700,
};

const draft7Rows: Row[] = [
  { name: "draft-07: a good body passes", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"kind":"bot","version":2,"score":0.5,"tags":["x","ok"],"owner":{"id":3}}' }, expect: { status: 200, upstreamBody: true } },
  { name: "draft-07: if/then requires owner for a bot; rejected_code 700 falls back to 403, empty message", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"kind":"bot"}' }, expect: { status: 403, body: "", logs: ['/: missing required property "owner"'] } },
  { name: "draft-07: const", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"version":3}' }, expect: { status: 403, logs: ["/version: value must be 2"] } },
  { name: "draft-07: exclusiveMaximum as a number", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"kind":"user","score":1}' }, expect: { status: 403, logs: ["/score: 1 is not less than exclusiveMaximum 1"] } },
  { name: "draft-07: contains", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"tags":["a","b"]}' }, expect: { status: 403, logs: ["/tags: no item matches the schema of contains"] } },
  { name: "draft-07: $ref into definitions", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"owner":{"id":0}}' }, expect: { status: 403, logs: ["/owner/id: 0 is less than minimum 1"] } },
  { name: "draft-07: $ref to a #name anchor ($id)", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"tags":["ok","toolong"]}' }, expect: { status: 403, logs: ["/tags/1: string has 7 characters, more than maxLength 5"] } },
  { name: "draft-07: dependencies", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"score":0.5}' }, expect: { status: 403, logs: ['property "score" requires property "kind"'] } },
  { name: "format is asserted, as Higress's validator does: email", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"email":"alice.example.com"}' }, expect: { status: 403, logs: ['/email: "alice.example.com" is not a valid email'] } },
  { name: "format: date-time with a day February does not have", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"at":"2026-02-30T10:00:00Z"}' }, expect: { status: 403, logs: ["is not a valid date-time"] } },
  { name: "format: valid email, date-time and ipv4; an unknown format passes; format ignores non-strings", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"email":"a.b@example.com","at":"2026-12-03T08:00:00.5+08:00","ip":"10.0.0.1","note":"anything"}' }, expect: { status: 200 } },
  { name: "format: ipv4 ignores a number", request: { method: "POST", path: "/d7", headers: [JSON_CT], body: '{"ip":10}' }, expect: { status: 200 } },
  { name: "headers: the :method pseudo-header is validated (DELETE refused)", request: { method: "DELETE", path: "/d7" }, expect: { status: 403, logs: ['validate request headers failed: /:method: value must be one of ["GET","POST"]'] } },
  { name: "headers: a header pattern", request: { path: "/d7", headers: [["x-tenant", "ACME"]] }, expect: { status: 403, logs: ["/x-tenant: string does not match pattern"] } },
  { name: "headers: header names are lower-case", request: { path: "/d7", headers: [["X-Tenant", "acme"]] }, expect: { status: 200 } },
];

/** Draft-04 (enable_swagger): exclusiveMaximum is a boolean beside maximum. */
const draft4 = {
  enable_swagger: "true",
  body_schema: { type: "object", properties: { n: { type: "number", maximum: 10, exclusiveMaximum: true } }, additionalProperties: false },
  rejected_code: "451",
  rejected_msg: "bad body",
};
const draft4Rows: Row[] = [
  { name: "draft-04: exclusiveMaximum true refuses the bound (string flags and code read as gjson does)", request: { method: "POST", path: "/d4", headers: [JSON_CT], body: '{"n":10}' }, expect: { status: 451, body: "bad body", logs: ["/n: 10 is greater than or equal to exclusive maximum 10"] } },
  { name: "draft-04: below the bound passes", request: { method: "POST", path: "/d4", headers: [JSON_CT], body: '{"n":9.99}' }, expect: { status: 200 } },
  { name: "draft-04: additionalProperties false", request: { method: "POST", path: "/d4", headers: [JSON_CT], body: '{"n":1,"m":2}' }, expect: { status: 451, logs: ['additional property "m" is not allowed'] } },
  { name: "draft-04: no header schema, any headers pass", request: { path: "/d4", headers: [["x-anything", "1"]] }, expect: { status: 200 } },
];

export const table: PluginTable = {
  plugin: "request-validation",
  groups: [
    { name: "Higress's e2e configuration and cases", config: { ...higressE2E, _rules_: [{ _match_route_: ["strict"], body_schema: { type: "object", properties: { id: { type: "string" } }, additionalProperties: false }, rejected_code: 422 }] }, routes: ["strict"], rows: [...e2eRows, ...moreRows] },
    { name: "draft-07 keywords and header pseudo-headers", config: draft7, rows: draft7Rows },
    { name: "draft-04 (enable_swagger)", config: draft4, rows: draft4Rows },
  ],
  badConfigs: [
    { name: "enable_swagger and enable_oas3 together", config: { enable_swagger: true, enable_oas3: true, body_schema: { type: "object" } }, message: "enable_swagger and enable_oas3 can not be true at the same time" },
    { name: "a remote $ref", config: { body_schema: { $ref: "http://example.com/schema.json" } }, message: 'body_schema: remote $ref "http://example.com/schema.json" is not supported' },
    { name: "a $ref to a missing definition", config: { body_schema: { properties: { a: { $ref: "#/definitions/nope" } } } }, message: 'body_schema: $ref "#/definitions/nope" does not point into the schema at #/properties/a' },
    { name: "a pattern RE2 cannot compile", config: { header_schema: { properties: { a: { pattern: "(?=x)" } } } }, message: "header_schema: bad pattern" },
    { name: "an unknown type", config: { body_schema: { type: "strin" } }, message: 'body_schema: unknown type "strin" at #/type' },
    { name: "a schema string that is not JSON", config: { header_schema: "{type: object" }, message: "header_schema: not a valid JSON schema" },
    { name: "a boolean subschema in draft-04", config: { enable_swagger: true, body_schema: { properties: { a: true } } }, message: "body_schema: a schema must be an object in draft-04, not a boolean at #/properties/a" },
    { name: "a negative minLength", config: { body_schema: { properties: { a: { minLength: -1 } } } }, message: 'body_schema: "minLength" must be a non-negative integer at #/properties/a/minLength' },
    { name: "invalid JSON", config: "{not json", message: "not a valid json" },
  ],
};
