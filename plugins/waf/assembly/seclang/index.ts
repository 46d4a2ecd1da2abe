// The SecLang engine: directives → RuleSet (parser.ts), one request → Transaction (engine.ts).
export { RuleSet, EngineMode, Rule } from "./rule";
export { Parser, DataFiles } from "./parser";
export { Transaction } from "./engine";
export { TxData, KV, VarRef } from "./variables";
export { parseUrlEncoded, parseJsonArgs } from "./bodies";
export { parseMultipart, readMultipart } from "./multipart";
export { parseXmlBody, XmlBody } from "./xml";
export { latin1, toByteString, forLog, lowerAscii } from "./bytes";
export { transform, isKnownTransform } from "./transforms";
