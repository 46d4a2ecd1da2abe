// The JSON Schema validator (sdk/jsonschema) against the official JSON-Schema-Test-Suite, vendored
// unmodified in third_party/JSON-Schema-Test-Suite (see its SLUICE-PIN.md). Every case of every
// required file of draft-04 and draft-07 runs; the pass rate per draft must not fall below what
// was measured when the validator landed. Files that cannot pass by design are listed in SKIPPED
// with the reason, and count as neither passed nor failed.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAsModule } from "../../harness/src/ascunit.js";
import { repoRoot } from "../../harness/src/tools.js";

const m = await loadAsModule("sdk/test/jsonschema.entry.ts");
const call = (name: string, ...args: (string | number)[]): string => {
  const ps = args.map((a) => (typeof a === "string" ? m.newString(a) : a));
  const out = (m.exports[name] as (...p: number[]) => number)(...ps);
  args.forEach((a, i) => { if (typeof a === "string") m.unpin(ps[i]); });
  return m.getString(out);
};
const validate = (schema: unknown, draft: number, instance: unknown) =>
  call("validate", JSON.stringify(schema), draft, JSON.stringify(instance));
const compileError = (schema: unknown, draft: number) => call("compileError", JSON.stringify(schema), draft);

const SUITE = join(repoRoot, "third_party/JSON-Schema-Test-Suite/tests");

/** Files left out, with why. */
export const SKIPPED: Record<string, string> = {
  "refRemote.json": "remote $ref (http://localhost:1234/...) — refused at compile time by design",
};

/** Measured pass rates (passed / run) when the validator landed; the floor for later changes. */
const FLOOR: Record<string, { passed: number; run: number }> = {
  // The 4 cases still failing in each draft refer to the draft's meta-schema by URL
  // ("http://json-schema.org/draft-07/schema#"): remote, not supported.
  draft4: { passed: 589, run: 593 },
  draft7: { passed: 879, run: 883 },
};

interface Case { description: string; schema: unknown; tests: { description: string; data: unknown; valid: boolean }[] }

function runDraft(dir: string, draft: number) {
  const files = readdirSync(join(SUITE, dir)).filter((f) => f.endsWith(".json")).sort();
  return runFiles(dir, files, draft);
}

function runFiles(dir: string, files: string[], draft: number) {
  let passed = 0, run = 0;
  const failures: string[] = [];
  for (const f of files) {
    if (SKIPPED[f]) continue;
    const groups = JSON.parse(readFileSync(join(SUITE, dir, f), "utf8")) as Case[];
    for (const g of groups) for (const t of g.tests) {
      run++;
      const out = validate(g.schema, draft, t.data);
      const got = out === "ok" ? true : out.startsWith("invalid: ") ? false : null;
      if (got === t.valid) passed++;
      else failures.push(`${f} | ${g.description} | ${t.description} | want ${t.valid} got ${out}`);
    }
  }
  return { passed, run, failures, files };
}

for (const [dir, draft] of [["draft4", 4], ["draft7", 7]] as const) {
  describe(`JSON-Schema-Test-Suite ${dir}`, () => {
    it("passes at least the measured share of the required cases", () => {
      const r = runDraft(dir, draft);
      const rate = r.passed / r.run;
      console.log(`${dir}: ${r.passed}/${r.run} passed (${(rate * 100).toFixed(2)}%), skipped: ${Object.keys(SKIPPED).join(", ")}`);
      if (process.env.JSONSCHEMA_FAILURES) console.log(r.failures.join("\n"));
      expect(r.run).toBeGreaterThanOrEqual(FLOOR[dir].run);
      expect(r.passed).toBeGreaterThanOrEqual(FLOOR[dir].passed);
    });
  });
}

/**
 * Formats (optional in the suite): asserted when compiled with assertFormat, as Higress's
 * validator does. Floors measured when format.ts landed; the formats Sluice does not know
 * (idn-*, iri*) pass every string, so their "invalid" cases fail here.
 */
const FORMAT_FLOOR: Record<string, { passed: number; run: number }> = {
  draft4: { passed: 151, run: 151 },
  // The 37 failures are all idn-email, idn-hostname, iri and iri-reference (not known, not checked).
  draft7: { passed: 386, run: 423 },
};

for (const [dir, draft] of [["draft4", 4], ["draft7", 7]] as const) {
  describe(`JSON-Schema-Test-Suite ${dir}/optional/format (format asserted)`, () => {
    it("passes at least the measured share", () => {
      const sub = join(dir, "optional", "format");
      const files = readdirSync(join(SUITE, sub)).filter((f) => f.endsWith(".json")).sort();
      const r = runFiles(sub, files, draft + 100);
      console.log(`${dir}/optional/format: ${r.passed}/${r.run} passed (${((r.passed / r.run) * 100).toFixed(2)}%)`);
      if (process.env.JSONSCHEMA_FAILURES) console.log(r.failures.join("\n"));
      expect(r.run).toBeGreaterThanOrEqual(FORMAT_FLOOR[dir].run);
      expect(r.passed).toBeGreaterThanOrEqual(FORMAT_FLOOR[dir].passed);
    });
  });
}

/**
 * The other optional files (bignum, ECMAScript regex, non-BMP regex, …): measured, held as a
 * floor. Failing by design: ECMA-262 regex semantics (patterns are RE2, as Go's regexp in
 * Higress: no `\c`, ASCII-only `\s`), 1.0 being an integer (numbers are doubles), content
 * encoding/media type (annotations), a remote ref to a 2019-09 schema.
 */
const OPTIONAL_FLOOR: Record<string, { passed: number; run: number }> = {
  draft4: { passed: 85, run: 100 },
  draft7: { passed: 98, run: 118 },
};

for (const [dir, draft] of [["draft4", 4], ["draft7", 7]] as const) {
  describe(`JSON-Schema-Test-Suite ${dir}/optional (format asserted)`, () => {
    it("passes at least the measured share", () => {
      const sub = join(dir, "optional");
      const files = readdirSync(join(SUITE, sub)).filter((f) => f.endsWith(".json")).sort();
      const r = runFiles(sub, files, draft + 100);
      console.log(`${dir}/optional: ${r.passed}/${r.run} passed (${((r.passed / r.run) * 100).toFixed(2)}%)`);
      if (process.env.JSONSCHEMA_FAILURES) console.log(r.failures.join("\n"));
      expect(r.run).toBeGreaterThanOrEqual(OPTIONAL_FLOOR[dir].run);
      expect(r.passed).toBeGreaterThanOrEqual(OPTIONAL_FLOOR[dir].passed);
    });
  });
}

describe("compile errors", () => {
  it("refuses remote refs, bad patterns and malformed keywords with a clear message", () => {
    expect(compileError({ $ref: "http://example.com/s.json" }, 7)).toMatch(/remote \$ref "http:\/\/example.com\/s.json" is not supported/);
    expect(compileError({ $ref: "#/definitions/missing" }, 7)).toMatch(/does not point into the schema/);
    expect(compileError({ pattern: "(?=a)" }, 7)).toMatch(/bad pattern/);
    expect(compileError({ type: "strin" }, 7)).toBe('unknown type "strin" at #/type');
    expect(compileError({ properties: { a: { minLength: -1 } } }, 7)).toBe('"minLength" must be a non-negative integer at #/properties/a/minLength');
    expect(compileError(true, 4)).toMatch(/must be an object in draft-04/);
    expect(compileError(true, 7)).toBe("");
    expect(compileError({ exclusiveMaximum: 3 }, 4)).toMatch(/must be a boolean in draft-04/);
    expect(compileError({ exclusiveMaximum: true }, 7)).toMatch(/must be a number/);
    expect(compileError({ required: [] }, 4)).toMatch(/non-empty array/);
    expect(compileError({ required: [] }, 7)).toBe("");
    expect(compileError({ $schema: "http://json-schema.org/draft-03/schema#" }, 7)).toMatch(/unsupported "\$schema"/);
  });
});

describe("error values", () => {
  it("names the instance path and the reason", () => {
    const s = { type: "object", properties: { a: { type: "array", items: { minimum: 200 } } } };
    expect(validate(s, 7, { a: [200, 150] })).toBe("invalid: /a/1: 150 is less than minimum 200");
    expect(validate(s, 7, { a: [200] })).toBe("ok");
    expect(validate({ required: ["x"] }, 7, {})).toBe('invalid: /: missing required property "x"');
    expect(validate({ maxLength: 2 }, 7, "😀😀")).toBe("ok");
    expect(validate({ maxLength: 1 }, 7, "😀😀")).toMatch(/2 characters, more than maxLength 1/);
    expect(validate({ $ref: "#" }, 7, 1)).toMatch(/too deep/);
    expect(validate({ exclusiveMinimum: true, minimum: 5 }, 4, 5)).toMatch(/exclusive minimum 5/);
    expect(validate({ exclusiveMinimum: true, minimum: 5 }, 4, 6)).toBe("ok");
    const many = { properties: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}`, { type: "integer", maximum: i }])) };
    expect(validate(many, 7, { p3: 3, p19: 19, other: "x" })).toBe("ok");
    expect(validate(many, 7, { p3: 3, p17: 18 })).toBe("invalid: /p17: 18 is greater than maximum 17");
    expect(validate({ multipleOf: 0.0001 }, 7, 0.0075)).toBe("ok");
    expect(validate({ format: "email" }, 7, "nope")).toBe("ok");
    expect(validate({ format: "email" }, 107, "nope")).toBe('invalid: /: "nope" is not a valid email');
    expect(validate({ format: "date-time" }, 104, "2026-02-29T00:00:00Z")).toMatch(/not a valid date-time/);
    expect(validate({ format: "made-up" }, 107, "x")).toBe("ok");
    expect(validate({ multipleOf: 0.0001 }, 7, 0.00751)).toMatch(/not a multiple/);
  });
  it("validates the deepest instance the JSON parser accepts against a recursive schema without trapping", () => {
    const tree = { type: "array", items: { $ref: "#" } };
    let deep: unknown = [];
    for (let i = 0; i < 127; i++) deep = [deep];
    expect(validate(tree, 7, deep)).toBe("ok");
    let bad: unknown = [1];
    for (let i = 0; i < 126; i++) bad = [bad];
    expect(validate(tree, 7, bad)).toMatch(/^invalid: (\/0){127}: expected array, but got integer$/);
  });
});

describe("uniqueItems on long arrays (canonical keys instead of pairwise comparison)", () => {
  it("agrees with the pairwise rule: numbers by value, objects regardless of key order", () => {
    const long = (extra: unknown[]) => [...Array.from({ length: 40 }, (_, i) => ({ i, s: String(i) })), ...extra];
    expect(validate({ uniqueItems: true }, 7, long([]))).toBe("ok");
    expect(validate({ uniqueItems: true }, 7, long([{ s: "3", i: 3.0 }]))).toBe("invalid: /: items 3 and 40 are equal (uniqueItems)");
    expect(validate({ uniqueItems: true }, 7, long([1, "1", [1], { a: 1 }, true, null, 0]))).toBe("ok");
    expect(validate({ uniqueItems: true }, 7, long([0, -0]))).toMatch(/items 40 and 41 are equal/);
    expect(validate({ uniqueItems: true }, 7, long([{ a: [1, { b: 2, c: 3 }] }, { a: [1, { c: 3, b: 2 }] }]))).toMatch(/items 40 and 41 are equal/);
    expect(validate({ uniqueItems: true }, 7, Array.from({ length: 20000 }, (_, i) => i))).toBe("ok");
  });
});

describe("never traps", () => {
  // Schemas built from the keywords (with wrong-typed values too) and random instances.
  const { schema } = fc.letrec((tie) => ({
    schema: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.boolean(),
      fc.dictionary(
        fc.constantFrom("type", "enum", "const", "properties", "required", "additionalProperties", "patternProperties", "items", "additionalItems",
          "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
          "multipleOf", "minProperties", "maxProperties", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependencies", "propertyNames",
          "contains", "$ref", "definitions", "format", "$schema"),
        fc.oneof(
          tie("schema"),
          fc.array(tie("schema"), { maxLength: 3 }),
          fc.dictionary(fc.constantFrom("a", "b", "^a", "[", "a/b", "~"), tie("schema"), { maxKeys: 3 }),
          fc.constantFrom("#", "#/definitions/a", "#/properties/a", "#/allOf/0", "#/definitions/%61", "#/x~1y", "other.json", "#foo"),
          fc.constantFrom("string", "integer", "object", ["null", "number"], "nope"),
          fc.constantFrom(0, 1, -1, 2.5, 1e308, 0.0001),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        { maxKeys: 5 },
      ),
    ),
  }));
  it("compiles and validates random schemas and instances without a trap", () => {
    fc.assert(
      fc.property(schema, fc.constantFrom(4, 7), fc.jsonValue({ maxDepth: 4 }), (s, d, v) => {
        const out = validate(s, d, v);
        expect(out).toMatch(/^(ok|invalid: |schema: )/);
      }),
      { numRuns: 3000, seed: 20261203 },
    );
  });
});
