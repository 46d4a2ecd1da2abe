// The strict ext-auth mock (harness/src/mocks/ext-auth.ts) in a process of its own for `npm run
// bench` (the bench driver blocks its own event loop while wrk and h2load run): prints
// "listening <port>", answers as the mock does (Bearer good-<user> → 200), runs until killed.
import { ExtAuthMock } from "../../harness/src/mocks/ext-auth.js";

const m = await ExtAuthMock.start(["ext-auth.dns"]);
process.stdout.write(`listening ${m.port}\n`);
// The bench sends hundreds of thousands of requests: keep the record of calls from growing.
setInterval(() => { m.calls.length = 0; }, 1000).unref();
process.on("SIGTERM", async () => { await m.stop(); process.exit(0); });
