// Unicode classes for \p{Name}: placeholder until the generated tables land.
import { RangeBuilder } from "./charclass";

export function unicodeClass(out: RangeBuilder, name: string): bool {
  if (name == "Any") { out.add(0, 0x10ffff); return true; }
  return false;
}
