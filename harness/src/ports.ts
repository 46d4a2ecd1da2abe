// A loopback port free at the time of asking, for services the harness starts itself (Redis,
// Chroma, nginx). The service may still lose it to another process before it binds: callers that
// cannot tolerate that retry their start.
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}
