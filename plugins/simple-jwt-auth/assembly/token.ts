// Whether a token is valid the way Higress's simple-jwt-auth decides it: github.com/dgrijalva/jwt-go
// v3.2.0's jwt.Parse with the configured secret as the key for any algorithm. So: a compact JWS
// whose header names an HMAC algorithm (HS256/384/512; RS*/ES*/PS* cannot verify with a byte
// secret, `none` is refused), a signature equal to the HMAC of `header.payload` (compared in
// constant time), a JSON-object payload, and the claims jwt-go's MapClaims checks: `exp` (valid
// while now <= exp), `iat` and `nbf` (valid once now >= them), each only when it is a number other
// than 0 (a string or 0 is ignored, as there), no leeway.
import { JsonObject, JsonKind } from "@sluice/sdk";
import { parseJwt, verifyJwt, Jwk } from "@sluice/sdk/auth";

/** "" when the token is valid now, else why not (for the debug log; never the token). */
export function tokenProblem(token: string, key: Jwk, now: i64): string {
  const p = parseJwt(token);
  if (p.jwt === null) return p.error;
  const jwt = p.jwt!;
  const bad = verifyJwt(jwt, key);
  if (bad.length > 0) return bad;
  const exp = claimSeconds(jwt.claims, "exp");
  if (exp != 0 && now > exp) return "token is expired";
  const iat = claimSeconds(jwt.claims, "iat");
  if (iat != 0 && now < iat) return "token used before issued";
  const nbf = claimSeconds(jwt.claims, "nbf");
  if (nbf != 0 && now < nbf) return "token is not valid yet";
  return "";
}

/** A numeric claim truncated to whole seconds as Go's int64(float64) does; 0 when absent or not a number. */
function claimSeconds(claims: JsonObject, name: string): i64 {
  const v = claims.get(name);
  if (v === null || v.kind != JsonKind.Number || !isFinite(v.num)) return 0;
  if (v.num >= 9.2e18) return i64.MAX_VALUE;
  if (v.num <= -9.2e18) return i64.MIN_VALUE;
  return <i64>v.num;
}
