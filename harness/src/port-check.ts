// Whether a TCP port can be listened on, checked with a plain bind. Envoy binds its listeners with
// SO_REUSEPORT, so a second gateway on a port another Envoy holds would start and share the
// traffic silently; a bind without SO_REUSEPORT is refused instead, which is what we want to know.
import { createServer } from "node:net";

/** Undefined when host:port is free, else why not ("address already in use", …). */
export async function portProblem(host: string, port: number): Promise<string | undefined> {
  if (port === 0) return undefined;
  const srv = createServer();
  const err = await new Promise<NodeJS.ErrnoException | undefined>((res) => {
    srv.once("error", (e) => res(e as NodeJS.ErrnoException));
    srv.listen({ host, port, exclusive: true }, () => res(undefined));
  });
  if (!err) {
    await new Promise((r) => srv.close(r));
    return undefined;
  }
  if (err.code === "EADDRINUSE") return "address already in use";
  if (err.code === "EADDRNOTAVAIL") return "no such local address";
  if (err.code === "EACCES") return "permission denied";
  return err.message;
}
