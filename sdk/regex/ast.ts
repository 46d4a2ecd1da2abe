// The parsed form of a pattern. Flags (i, s, m, U) are resolved by the parser, so nodes carry
// no flags: a case-insensitive letter is already a class, `.` is AnyChar or AnyNotNL, and so on.
import { CharClass } from "./charclass";

export const enum NodeKind {
  Empty,
  Literal,
  Class,
  AnyChar,
  AnyNotNL,
  BeginLine,
  EndLine,
  BeginText,
  EndText,
  WordBoundary,
  NoWordBoundary,
  Capture,
  Concat,
  Alternate,
  Repeat,
}

export class Node {
  rune: i32 = 0;
  cls: CharClass | null = null;
  /** Capture index (1-based) for Capture nodes. */
  cap: i32 = 0;
  min: i32 = 0;
  /** -1 means unbounded. */
  max: i32 = -1;
  greedy: bool = true;
  subs: Array<Node> = [];

  constructor(public kind: NodeKind) {}

  static literal(c: i32): Node {
    const n = new Node(NodeKind.Literal);
    n.rune = c;
    return n;
  }

  static cls(c: CharClass): Node {
    const n = new Node(NodeKind.Class);
    n.cls = c;
    return n;
  }

  static withSubs(kind: NodeKind, subs: Array<Node>): Node {
    const n = new Node(kind);
    n.subs = subs;
    return n;
  }

  static repeat(sub: Node, min: i32, max: i32, greedy: bool): Node {
    const n = new Node(NodeKind.Repeat);
    n.subs = [sub];
    n.min = min;
    n.max = max;
    n.greedy = greedy;
    return n;
  }
}

/** Can the node match the empty string? (Depth is bounded by the parser's nesting cap.) */
export function nullable(n: Node): bool {
  switch (n.kind) {
    case NodeKind.Literal:
    case NodeKind.Class:
    case NodeKind.AnyChar:
    case NodeKind.AnyNotNL:
      return false;
    case NodeKind.Capture:
      return nullable(n.subs[0]);
    case NodeKind.Concat: {
      for (let i = 0; i < n.subs.length; i++) if (!nullable(n.subs[i])) return false;
      return true;
    }
    case NodeKind.Alternate: {
      for (let i = 0; i < n.subs.length; i++) if (nullable(n.subs[i])) return true;
      return false;
    }
    case NodeKind.Repeat:
      return n.min == 0 || nullable(n.subs[0]);
  }
  return true; // Empty and the zero-width assertions
}
