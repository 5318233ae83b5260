/** A local HTTP receiver for webhook and Alertmanager-push tests: records bodies, can fail on purpose. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receiver {
  url: string;
  bodies: unknown[];
  /** Attempts, failed ones included. */
  attempts: number;
  /** The next `n` requests answer 503. */
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  let failures = 0;
  const receiver: Omit<Receiver, 'url' | 'close'> & { failNext(n: number): void } = {
    bodies: [],
    attempts: 0,
    failNext: (n) => void (failures = n),
  };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      receiver.attempts++;
      if (failures > 0) {
        failures--;
        res.writeHead(503).end('try later');
        return;
      }
      receiver.bodies.push(JSON.parse(text));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as Receiver;
}
