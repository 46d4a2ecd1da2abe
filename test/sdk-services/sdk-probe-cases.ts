// The sdk-probe test plugin's case table: HTTP callouts, shared data and queues, each row on a
// real Envoy and on the emulator (both targets), which must answer alike.
import type { PluginTable } from "../../harness/src/plugin-table.js";

export const table: PluginTable = {
  plugin: "sdk-probe",
  testPlugin: true,
  groups: [
    {
      name: "HTTP callout, shared data, queues",
      config: { upstream_cluster: "up" },
      rows: [
        { name: "callout result is carried upstream", request: { path: "/callout/a", headers: [["x-probe-callout-path", "/seen?q=1"]] }, expect: { status: 200, upstream: { "x-callout-status": "200", "x-callout-echo-path": "/seen?q=1" } } },
        { name: "callout POST with a body", request: { path: "/callout/b", headers: [["x-probe-callout-method", "POST"], ["x-probe-callout-path", "/p"], ["x-probe-callout-body", "payload"]] }, expect: { status: 200, upstream: { "x-callout-echo-body": "payload" } } },
        { name: "callout to an unknown cluster is refused", request: { path: "/callout/c", headers: [["x-probe-callout-cluster", "nope"]] }, expect: { status: 503 } },
        { name: "shared data set", request: { path: "/shared/set", headers: [["x-key", "diff"], ["x-value", "v"]] }, expect: { status: 200, body: "v" } },
        // SharedQueue.resolve("", name): does an empty vm_id find this VM's queue?
        { name: "shared queue resolved with an empty vm_id", request: { path: "/queue/enqueue", headers: [["x-value", "m"]] }, expect: { status: 200 } },
        // The SDK reads x-request-id as the request headers hook ends: by the answer's headers
        // Envoy has forgotten the request's header map (its headers hook returned Continue).
        { name: "log lines written after the request headers carry the request id", request: { path: "/log" }, expect: { status: 200, logs: ["[sdk-probe] [nil] [RID] probe line from the response"] } },
      ],
    },
  ],
};
