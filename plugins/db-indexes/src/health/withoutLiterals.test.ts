import { describe, expect, it } from 'vitest';
import { withoutLiterals } from './activityChecks.js';

describe('withoutLiterals', () => {
  it('replaces string, dollar-quoted and numeric literals, keeping identifiers and parameters', () => {
    expect(withoutLiterals("ALTER ROLE app PASSWORD 'hunter2'")).toBe('ALTER ROLE app PASSWORD ?');
    expect(withoutLiterals("SELECT * FROM users WHERE username = 'o''brien' AND id = 42 AND score > -1.5e3")).toBe(
      'SELECT * FROM users WHERE username = ? AND id = ? AND score > ?',
    );
    expect(withoutLiterals('SELECT $tag$secret$tag$, $$x$$, t1.col2 FROM "table9" WHERE a = $1')).toBe('SELECT ?, ?, t1.col2 FROM "table9" WHERE a = $1');
    expect(withoutLiterals("SELECT E'\\\\x41'")).toBe('SELECT ?');
  });
});
