// Builds tiny Wasm modules byte by byte, for emulator tests that need a module the SDK would
// never produce (a missing ABI marker, an unknown import, a hook that traps).
const I32 = 0x7f;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const str = (s: string) => [...uleb(Buffer.byteLength(s)), ...Buffer.from(s)];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

export interface FuncSpec {
  /** Export name. */
  name: string;
  params: number;
  result: boolean;
  /** Body: "unreachable", a constant to return, or raw instruction bytes (without the end). */
  body: "unreachable" | number | number[];
}

export interface ModuleSpec {
  imports?: { module: string; name: string; params: number; result: boolean }[];
  funcs: FuncSpec[];
  /** Export a 1-page memory as "memory". */
  memory?: boolean;
}

/** A module whose exported functions take/return i32 only. */
export function buildModule(spec: ModuleSpec): Uint8Array {
  const types: string[] = [];
  const typeIndex = (params: number, result: boolean) => {
    const key = `${params}:${result}`;
    let i = types.indexOf(key);
    if (i < 0) { types.push(key); i = types.length - 1; }
    return i;
  };
  const imports = spec.imports ?? [];
  const importEntries = imports.map((im) => [...str(im.module), ...str(im.name), 0x00, ...uleb(typeIndex(im.params, im.result))]);
  const funcTypes = spec.funcs.map((f) => uleb(typeIndex(f.params, f.result)));
  const typeEntries = types.map((t) => {
    const [p, r] = t.split(":");
    return [0x60, ...uleb(Number(p)), ...Array(Number(p)).fill(I32), ...(r === "true" ? [1, I32] : [0])];
  });
  const exports = spec.funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(imports.length + i)]);
  if (spec.memory !== false) exports.push([...str("memory"), 0x02, 0]);
  const codes = spec.funcs.map((f) => {
    let body: number[];
    if (f.body === "unreachable") body = [0x00];
    else if (typeof f.body === "number") body = f.result ? [0x41, ...sleb(f.body)] : [];
    else body = f.body;
    const fn = [0 /* no locals */, ...body, 0x0b];
    return [...uleb(fn.length), ...fn];
  });
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(typeEntries)),
    ...(imports.length ? section(2, vec(importEntries)) : []),
    ...section(3, vec(funcTypes)),
    ...(spec.memory !== false ? section(5, vec([[0x00, 0x01]])) : []),
    ...section(7, vec(exports)),
    ...section(10, vec(codes)),
  ];
  return new Uint8Array(bytes);
}

/** The smallest plugin a host accepts: ABI marker, allocator, lifecycle hooks returning true. */
export function minimalPlugin(extra: FuncSpec[] = [], marker = "proxy_abi_version_0_2_1", imports: ModuleSpec["imports"] = []): Uint8Array {
  return buildModule({
    imports,
    funcs: [
      { name: marker, params: 0, result: false, body: 0 },
      // A bump allocator would need globals; a fixed address is enough for these tests.
      { name: "malloc", params: 1, result: true, body: 1024 },
      { name: "proxy_on_context_create", params: 2, result: false, body: 0 },
      { name: "proxy_on_vm_start", params: 2, result: true, body: 1 },
      { name: "proxy_on_configure", params: 2, result: true, body: 1 },
      ...extra,
    ],
  });
}
