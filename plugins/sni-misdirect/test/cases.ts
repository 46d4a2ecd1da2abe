// The case table of sni-misdirect, on Envoy's TLS listener (the harness's test certificate):
// HTTP/2 requests whose :authority matches the SNI pass, others get 421 Misdirected Request with
// Higress's details; ports are ignored (IPv6 brackets kept), case is ignored; a wildcard SNI
// admits hosts containing its suffix (Higress's rule, substring and all); HTTP/1.1 over TLS and
// gRPC are not checked; a connection without SNI is a mismatch. Every row runs on a real Envoy
// (Node's http2/https clients with the row's SNI) and on the emulator (both targets, told the SNI
// and protocol), which must answer alike.
import type { Group, PluginTable, Row } from "../../../harness/src/plugin-table.js";

const MISDIRECTED = "Misdirected Request";

interface Case { name: string; sni: string; host: string; http2?: boolean; contentType?: string; status: number; details?: string }
const row = (c: Case): Row => ({
  name: c.name,
  request: { path: "/p", host: c.host, headers: c.contentType ? [["content-type", c.contentType]] : [], tls: { sni: c.sni, http2: c.http2 ?? true } },
  expect: {
    status: c.status,
    body: c.status === 421 ? MISDIRECTED : undefined,
    reachesUpstream: c.status === 200,
    // The scheme the upstream is told is https: the request came over TLS.
    upstream: c.status === 200 ? { "x-forwarded-proto": "https" } : undefined,
  },
});

const cases: Case[] = [
  { name: "HTTP/2, the authority is the SNI: passes", sni: "a.example.com", host: "a.example.com", status: 200 },
  { name: "HTTP/2, another host than the SNI: 421", sni: "a.example.com", host: "b.example.com", status: 421 },
  { name: "the authority's port is ignored", sni: "a.example.com", host: "a.example.com:8443", status: 200 },
  { name: "another host with a port: 421", sni: "a.example.com", host: "b.example.com:443", status: 421 },
  { name: "case is ignored (DNS names)", sni: "a.example.com", host: "A.Example.COM", status: 200 },
  { name: "HTTP/1.1 over TLS is not checked (as Higress)", sni: "a.example.com", host: "b.example.com", http2: false, status: 200 },
  { name: "gRPC is not checked (as Higress)", sni: "a.example.com", host: "b.example.com", contentType: "application/grpc+proto", status: 200 },
  { name: "a JSON request to another host: 421", sni: "a.example.com", host: "b.example.com", contentType: "application/json", status: 421 },
  { name: "no SNI at all: 421", sni: "", host: "a.example.com", status: 421 },
  { name: "the SNI's parent domain is another host: 421", sni: "a.example.com", host: "example.com", status: 421 },
  { name: "a host that only ends like the SNI: 421", sni: "a.example.com", host: "evila.example.com", status: 421 },
  { name: "an IPv6 authority keeps its brackets: 421 against a name", sni: "a.example.com", host: "[::1]:443", status: 421 },
];

const groups: Group[] = [{ name: "HTTP/2 and HTTP/1.1 over TLS", config: {}, downstreamTls: true, rows: cases.map(row) }];

export const table: PluginTable = {
  plugin: "sni-misdirect",
  groups,
  badConfigs: [
    { name: "a configuration that is a list, not an object", config: ["x"], message: "expected an object" },
    { name: "a configuration that is not JSON", config: "on", message: "the plugin configuration is not a valid json" },
  ],
};
