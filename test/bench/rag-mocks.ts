// ai-rag's two services for `npm run bench`, in a process of their own (the bench driver blocks
// its own event loop while wrk and h2load run): the strict DashScope embedding mock and the
// strict DashVector mock (harness/src/mocks). Prints "listening <embedding port> <dashvector port>".
// The question (the bench chat body's last message, given as argv[2]) embeds along axis 0; the
// collection "news" holds two documents near it and one far away, so each request recalls two.
import { EmbeddingMock } from "../../harness/src/mocks/embedding.js";
import { DashVectorMock } from "../../harness/src/mocks/dashvector.js";

const axis = (i: number, lean = 0) => Array.from({ length: 8 }, (_, k) => (k === i ? 1 : k === i + 1 ? lean : 0));
const embed = await EmbeddingMock.start("sk-dashscope-bench");
embed.vectors.set(process.argv[2], axis(0));
const dv = await DashVectorMock.start("sk-dashvector-bench");
dv.collections.set("news", {
  dimension: 8,
  docs: [
    { id: "d1", vector: axis(0), fields: { raw: "Sluice answers benchmark greetings with a short hello." } },
    { id: "d2", vector: axis(0, 0.3), fields: { raw: "The benchmark runs on a shared machine with two cores." } },
    { id: "d3", vector: axis(4), fields: { raw: "Unrelated: a bakery opened in Haikou." } },
  ],
});
process.stdout.write(`listening ${embed.port} ${dv.port}\n`);
// Hundreds of thousands of requests: keep the mocks' records of calls from growing.
setInterval(() => { embed.calls.length = 0; dv.calls.length = 0; }, 1000).unref();
process.on("SIGTERM", async () => { await embed.stop(); await dv.stop(); process.exit(0); });
