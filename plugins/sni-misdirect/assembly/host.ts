// Host names as sni-misdirect compares them: the port is cut from the authority as Higress's
// stripPortFromHost does (the last ':' unless it sits inside an IPv6 literal's brackets), and both
// names are compared without regard to case (DNS names are case-insensitive, RFC 4343; an SNI is
// ASCII).

/** The authority without its port: "a.com:443" → "a.com", "[::1]:443" → "[::1]", "[::1]" → "[::1]". */
export function stripPort(authority: string): string {
  const colon = authority.lastIndexOf(":");
  if (colon < 0) return authority;
  const v6End = authority.lastIndexOf("]");
  if (v6End >= 0 && v6End > colon) return authority;
  return authority.substring(0, colon);
}

/** "" when the host fits the SNI, else the reason (Higress's detail suffix). */
export function mismatch(sni: string, authority: string): string {
  const name = sni.toLowerCase();
  const host = stripPort(authority).toLowerCase();
  if (name == host) return "";
  if (!name.startsWith("*.")) return "mismatched.non_wildcard";
  // Higress: the host must contain the SNI without its '*' (".example.com").
  return host.includes(name.substring(1)) ? "" : "mismatched.wildcard";
}
