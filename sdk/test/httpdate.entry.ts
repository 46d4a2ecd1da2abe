// Test entry: exposes the HTTP-date writer (and the reader, for the round trip) to Node.
import { formatHttpDate } from "../net/httpdate-format";
import { parseHttpDate } from "../net/httpdate";

/** The IMF-fixdate of epoch seconds given as decimal text. */
export function format(seconds: string): string { return formatHttpDate(I64.parseInt(seconds)); }

/** Epoch seconds of an IMF-fixdate as decimal text (-1: not one). */
export function parse(date: string): string { return parseHttpDate(date).toString(); }
