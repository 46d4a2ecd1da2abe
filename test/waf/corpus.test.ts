// The generated WAF corpus: large enough, every class present, each payload where its label says,
// and reproducible from its seed (the differential report compares two WAFs on the same bytes).
import { describe, expect, it } from "vitest";
import { CLASS_COUNTS, generateCorpus } from "../../harness/src/waf-corpus.js";

const strings = (v: unknown): string[] => (typeof v === "string" ? [v] : v && typeof v === "object" ? Object.values(v).flatMap(strings) : []);

describe("WAF request corpus", () => {
  const corpus = generateCorpus(19);

  it("has at least 5,000 requests with the planned count per class", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(5000);
    for (const [cls, n] of Object.entries(CLASS_COUNTS)) expect(corpus.filter((c) => c.class === cls).length).toBe(n);
  });

  it("puts attack payloads in query args, form bodies, JSON bodies, cookies and headers", () => {
    for (const cls of ["sqli", "xss", "lfi", "rce", "php", "java", "benign"]) {
      const locations = new Set(corpus.filter((c) => c.class === cls).map((c) => c.location));
      expect([...locations].sort()).toEqual(["cookie", "form", "header", "json", "query"]);
    }
  });

  it("writes each request where its label says", () => {
    for (const c of corpus.slice(0, 500)) {
      const text = c.bytes.toString("utf8");
      const [head, body] = [text.slice(0, text.indexOf("\r\n\r\n")), text.slice(text.indexOf("\r\n\r\n") + 4)];
      expect(head).toMatch(/^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/);
      if (c.location === "json") expect(JSON.stringify(JSON.parse(body))).toContain(JSON.stringify(c.payload).slice(1, -1));
      if (c.location === "form") expect(decodeURIComponent(body.replace(/\+/g, " "))).toContain(c.payload);
      if (c.location === "query") expect(decodeURIComponent(head.split(" ")[1].replace(/\+/g, " "))).toContain(c.payload);
      if (c.location === "cookie") expect(decodeURIComponent(/\r\nCookie: ([^\r]*)/.exec(head)![1])).toContain(c.payload);
      if (c.location === "header" && c.class !== "scanner") expect(head).toContain(c.payload.replace(/[\r\n]/g, " "));
      // A body's length is what Content-Length says.
      const cl = /\r\nContent-Length: (\d+)/.exec(head);
      if (cl && c.class !== "protocol") expect(Buffer.byteLength(body)).toBe(Number(cl[1]));
    }
  });

  it("is the same for the same seed and differs for another", () => {
    const again = generateCorpus(19);
    expect(again.every((c, i) => c.bytes.equals(corpus[i].bytes) && c.class === corpus[i].class)).toBe(true);
    const other = generateCorpus(20);
    expect(other.filter((c, i) => c.bytes.equals(corpus[i].bytes)).length).toBeLessThan(corpus.length / 10);
  });
});
