// The strict Aliyun Content Security mock in a process of its own for `npm run bench` (the bench
// driver blocks its own event loop while wrk and h2load run): prints "listening <port>", judges
// nothing risky, runs until killed.
import { AliyunGreenMock } from "../../harness/src/mocks/aliyun-green.js";

const m = await AliyunGreenMock.start();
process.stdout.write(`listening ${m.port}\n`);
process.on("SIGTERM", async () => { await m.stop(); process.exit(0); });
