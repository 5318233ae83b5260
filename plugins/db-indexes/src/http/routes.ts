import { ApiError, parseJsonBody, parseQuery } from '@plugboard/plugin-api';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { DbReport } from '../contract.js';
import type { DbIndexes } from '../DbIndexes.js';
import { WhatIfRefusal } from '../whatif/whatIf.js';

const ReportQuery = z.strictObject({
  analyze: z.enum(['true', 'false']).optional().describe("'false' skips the EXPLAIN ANALYZE of the named queries"),
});
const WhatIfBody = z.strictObject({
  statement: z.string().min(1).max(4000).describe('one CREATE INDEX statement'),
  build: z.boolean().optional().describe('allow building the candidate in a rolled-back transaction (blocks writes) when hypopg is not installed'),
});
const Operation = z.enum(['vacuum', 'analyze']);

/**
 * The plugin's routes: reads under `/api/db`, actions that change the database (or lock it) under
 * `/admin/db`, which the host's admin bearer token guards.
 *
 * @example
 * dbRoutes(ctx.http, dbIndexes);
 */
export function dbRoutes(app: Hono, db: DbIndexes): void {
  const making = new Map<boolean, Promise<DbReport>>();
  app.get('/api/db/report', async (c) => {
    const query = parseQuery(c, ReportQuery);
    const analyzeQueries = query.analyze !== 'false';
    // Requests that arrive while a report is being made share it: each report EXPLAIN ANALYZEs
    // every named query, which many clients at once must not multiply.
    let running = making.get(analyzeQueries);
    if (running === undefined) {
      running = db.service.report({ analyzeQueries }).finally(() => making.delete(analyzeQueries));
      making.set(analyzeQueries, running);
    }
    return c.json(await running);
  });
  app.get('/api/db/report/last', (c) => {
    const last = db.service.lastReport();
    if (!last) throw new ApiError(404, 'no_report', 'No report was made yet: GET /api/db/report makes one.');
    return c.json(last);
  });
  app.get('/api/db/indexes', async (c) => c.json({ declarations: db.declarations(), ...(await db.progress()) }));
  app.get('/api/db/builds', async (c) => c.json(await db.progress()));
  app.get('/api/db/maintenance', (c) => c.json({ runs: db.maintenance.runs() }));

  // Waits for another instance's run; a client that gives up stops the wait.
  app.post('/admin/db/indexes/ensure', async (c) => c.json(await db.ensure({ includeLarge: true, wait: true, signal: c.req.raw.signal })));
  app.post('/admin/db/analyze', async (c) => c.json(await db.analyzeBeforeAfter()));
  app.post('/admin/db/maintenance/:operation', async (c) => {
    const operation = Operation.safeParse(c.req.param('operation'));
    if (!operation.success) {
      throw new ApiError(404, 'not_found', `Unknown maintenance operation '${c.req.param('operation')}': use /admin/db/maintenance/vacuum or /admin/db/maintenance/analyze.`);
    }
    return c.json({ runs: await db.maintain(operation.data) });
  });
  app.post('/admin/db/whatif', async (c) => {
    const body = await parseJsonBody(c, WhatIfBody);
    try {
      return c.json(await db.whatIf(body.statement, { build: body.build ?? false }));
    } catch (err) {
      if (err instanceof WhatIfRefusal) {
        throw new ApiError(err.reason === 'input' ? 400 : 409, err.reason === 'input' ? 'invalid_statement' : 'whatif_refused', err.message);
      }
      throw err;
    }
  });
}
