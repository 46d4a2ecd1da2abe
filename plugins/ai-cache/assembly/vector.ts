// The semantic cache's threshold test: Higress's `thresholdRelation` between a Chroma distance
// and the configured threshold. The Chroma calls themselves are the SDK's (@sluice/sdk/ai).
import { VectorConfig, Relation } from "./config";

export function passes(v: VectorConfig, score: f64): bool {
  switch (v.relation) {
    case Relation.Lt: return score < v.threshold;
    case Relation.Lte: return score <= v.threshold;
    case Relation.Gt: return score > v.threshold;
    default: return score >= v.threshold;
  }
}
