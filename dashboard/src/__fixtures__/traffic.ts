/** Real HTTP traffic against a server, until stopped: what makes the charts move. */
export function traffic(baseUrl: string, paths: string[], concurrency = 4): { stop(): Promise<number> } {
  let running = true;
  let sent = 0;
  const worker = async (n: number) => {
    while (running) {
      const path = paths[(sent + n) % paths.length]!;
      sent += 1;
      await fetch(`${baseUrl}${path}`).then((r) => r.arrayBuffer()).catch(() => undefined);
    }
  };
  const workers = Array.from({ length: concurrency }, (_, n) => worker(n));
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return sent;
    },
  };
}
