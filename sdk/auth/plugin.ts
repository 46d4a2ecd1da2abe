// The configuration flow every consumer-model auth plugin shares: the global configuration holds
// the consumers, and each `_rules_` entry derives from it. Plugin.parseConfig is called with
// `global == null` both for the global config and for a rule whose global config failed; a rule
// in that case reports the global config's error, so the operator sees the cause, not a symptom.
import { Plugin, ConfigError } from "../api/plugin";
import { JsonObject } from "../json/value";
import { isRuleObject } from "./consumer";

export abstract class ConsumerAuthPlugin<C> extends Plugin<C> {
  private globalError: string = "";

  /** Parses the global configuration (consumers, `global_auth`, plugin options). */
  abstract parseGlobal(json: JsonObject, err: ConfigError): C | null;
  /** Parses a rule (its `allow` list) on top of a valid global configuration. */
  abstract parseRule(json: JsonObject, global: C, err: ConfigError): C | null;
  /** What the global configuration must hold, as named in a rule's error. */
  globalContents(): string { return "consumers"; }

  parseConfig(json: JsonObject, global: C | null, err: ConfigError): C | null {
    if (global === null && !isRuleObject(json)) {
      const c = this.parseGlobal(json, err);
      this.globalError = c === null ? err.message : "";
      return c;
    }
    if (global === null) {
      return err.fail<C>("the global configuration (" + this.globalContents() + ") is missing or invalid" + (this.globalError.length > 0 ? ": " + this.globalError : ""));
    }
    return this.parseRule(json, global, err);
  }
}
