// Unicode classes for \p{Name} / \pN, with Go's name rules: general categories (one- and
// two-letter, plus Cn, LC and the long aliases such as Letter or Uppercase_Letter), Any,
// Assigned, ASCII and the common scripts. Names match loosely as in Go 1.25+: case, '_', '-'
// and ' ' are ignored after the first letter. Unknown names are an error, as in Go.
import { RangeBuilder, MAX_RUNE } from "./charclass";
import { NAMES, OFFSETS, DATA } from "./unicode_tables";

// Long category names (canonical form) and the category each one stands for.
const ALIASES: StaticArray<string> = [
  "Casedletter", "Lc", "Closepunctuation", "Pe", "Combiningmark", "M", "Connectorpunctuation", "Pc",
  "Control", "Cc", "Currencysymbol", "Sc", "Dashpunctuation", "Pd", "Decimalnumber", "Nd",
  "Enclosingmark", "Me", "Finalpunctuation", "Pf", "Format", "Cf", "Initialpunctuation", "Pi",
  "Letter", "L", "Letternumber", "Nl", "Lineseparator", "Zl", "Lowercaseletter", "Ll", "Mark", "M",
  "Mathsymbol", "Sm", "Modifierletter", "Lm", "Modifiersymbol", "Sk", "Nonspacingmark", "Mn",
  "Number", "N", "Openpunctuation", "Ps", "Other", "C", "Otherletter", "Lo", "Othernumber", "No",
  "Otherpunctuation", "Po", "Othersymbol", "So", "Paragraphseparator", "Zp", "Privateuse", "Co",
  "Punctuation", "P", "Separator", "Z", "Spaceseparator", "Zs", "Spacingmark", "Mc", "Surrogate", "Cs",
  "Symbol", "S", "Titlecaseletter", "Lt", "Unassigned", "Cn", "Uppercaseletter", "Lu",
  "Cntrl", "Cc", "Digit", "Nd", "Punct", "P",
];

/** Go's canonical spelling: first letter upper-case, the rest lower-case, no '_', '-' or ' '. */
function canonical(name: string): string {
  let out = "";
  let first = true;
  for (let i = 0; i < name.length; i++) {
    let c = <i32>name.charCodeAt(i);
    if (c == 0x5f || c == 0x2d || c == 0x20) continue;
    if (first) { if (c >= 0x61 && c <= 0x7a) c -= 32; first = false; }
    else if (c >= 0x41 && c <= 0x5a) c += 32;
    out += String.fromCharCode(c);
  }
  return out;
}

export function unicodeClass(out: RangeBuilder, name: string): bool {
  let c = canonical(name);
  for (let i = 0; i < ALIASES.length; i += 2) if (ALIASES[i] == c) { c = ALIASES[i + 1]; break; }
  if (c == "Any") { out.add(0, MAX_RUNE); return true; }
  if (c == "Ascii") { out.add(0, 0x7f); return true; }
  if (c == "Assigned") { addAssigned(out); return true; }
  if (c == "Cn") { addUnassigned(out); return true; }
  if (c == "Lc") { addNamed(out, "Lu"); addNamed(out, "Ll"); addNamed(out, "Lt"); return true; }
  if (c.length == 1) {
    // A one-letter category is the union of its two-letter members; Go's C includes Cn.
    let found = false;
    for (let i = 0; i < NAMES.length; i++) {
      const n = NAMES[i];
      if (n.length == 2 && n.charCodeAt(0) == c.charCodeAt(0)) { addTable(out, i); found = true; }
    }
    if (found && c == "C") addUnassigned(out);
    return found;
  }
  return addNamed(out, c);
}

function addNamed(out: RangeBuilder, name: string): bool {
  for (let i = 0; i < NAMES.length; i++) {
    if (NAMES[i] == name) { addTable(out, i); return true; }
  }
  return false;
}

function addAssigned(out: RangeBuilder): void {
  for (let i = 0; i < NAMES.length; i++) if (NAMES[i].length == 2) addTable(out, i);
}

function addUnassigned(out: RangeBuilder): void {
  const b = new RangeBuilder();
  addAssigned(b);
  b.negate();
  out.addBuilder(b);
}

function addTable(out: RangeBuilder, t: i32): void {
  let p = OFFSETS[t];
  const end = OFFSETS[t + 1];
  let prev = -1;
  while (p < end) {
    let gap = 0, shift = 0;
    while (p < end) { const b = <i32>DATA[p++]; gap |= (b & 0x7f) << shift; shift += 7; if ((b & 0x80) == 0) break; }
    let len = 0;
    shift = 0;
    while (p < end) { const b = <i32>DATA[p++]; len |= (b & 0x7f) << shift; shift += 7; if ((b & 0x80) == 0) break; }
    const lo = prev + 1 + gap;
    out.add(lo, lo + len);
    prev = lo + len;
  }
}
