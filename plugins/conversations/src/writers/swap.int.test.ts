import { afterAll, beforeAll, expect, it } from 'vitest';
import { conversationWriterRef, type ConversationWriter } from '../refs.js';
import { exchange, postJson, startApp, type TestApp } from '../testSupport.js';
import type { NewConversation } from '../types.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.close());

const stored = async (id: unknown): Promise<number> => {
  const [rows] = await app.db.sequelize.query('SELECT count(*)::int AS n FROM conversations WHERE id = $1', { bind: [id] });
  return (rows as { n: number }[])[0]!.n;
};

/** Records what it receives; each write waits until the test releases it. */
class HeldWriter implements ConversationWriter {
  readonly received: NewConversation[] = [];
  private release!: () => void;
  readonly released = new Promise<void>((resolve) => (this.release = resolve));
  private arrived!: () => void;
  readonly firstArrived = new Promise<void>((resolve) => (this.arrived = resolve));

  async write(c: NewConversation): Promise<boolean> {
    this.received.push(c);
    this.arrived();
    await this.released;
    return true;
  }

  releaseAll(): void {
    this.release();
  }
}

it('sends writes to a higher-ranked writer, and back to the direct one when it is withdrawn, without a failed request', async () => {
  const held = new HeldWriter();
  const registration = app.kernel.provide(conversationWriterRef, held, { ranking: 10 });

  // A request whose write is in flight on the test writer...
  const first = exchange({ user_id: 9001 });
  const firstRequest = postJson(app.kernel, '/api/conversations', first);
  await held.firstArrived;
  expect(held.received.map((c) => c.id)).toEqual([first.id]);

  // ...while the test writer is withdrawn: it drains, and new requests go to the direct writer at once.
  let drained = false;
  const withdrawn = registration.unregister().then(() => (drained = true));
  const second = exchange({ user_id: 9001 });
  expect(await postJson(app.kernel, '/api/conversations', second)).toMatchObject({ status: 201 });
  expect(await stored(second.id)).toBe(1);
  expect(held.received.map((c) => c.id)).toEqual([first.id]);
  expect(drained).toBe(false);

  held.releaseAll();
  expect(await firstRequest).toMatchObject({ status: 201, json: { data: { id: first.id, created: true } } });
  await withdrawn;
  // The test writer kept the first conversation to itself: the direct writer never saw it.
  expect(await stored(first.id)).toBe(0);
});
