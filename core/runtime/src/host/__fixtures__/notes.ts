import { coreServices, definePlugin, serviceRef } from '@plugboard/plugin-api';

export const notesRef = serviceRef<{ count(): Promise<number> }>('notes.store');

/** A plugin with a migration and a provided service, to compare how each entry point boots it. */
export default definePlugin({
  name: 'notes',
  version: '1.0.0',
  core: '^0.1.0',
  provides: [notesRef],
  migrations: [
    { name: '0001-create-notes', up: async ({ sequelize }) => void (await sequelize.query('CREATE TABLE notes (id serial PRIMARY KEY)')) },
    { name: '0002-seed-notes', up: async ({ sequelize }) => void (await sequelize.query('INSERT INTO notes DEFAULT VALUES')) },
  ],
  setup(ctx) {
    const { sequelize } = ctx.get(coreServices.database);
    const count = async () => {
      const [rows] = await sequelize.query('SELECT count(*)::int AS n FROM notes');
      return (rows as { n: number }[])[0]!.n;
    };
    ctx.provide(notesRef, { count });
    ctx.http.get('/api/notes', async (c) => c.json({ count: await count() }));
  },
});
