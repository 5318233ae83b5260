import { LineCounter, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { plugboardErrorOf } from '../testing/errors.js';
import { substituteEnv } from './substituteEnv.js';

const file = '/srv/app/config/plugboard.yaml';

/** The config's values after substitution, as the loader would see them. */
function resolved(text: string, env: NodeJS.ProcessEnv): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  substituteEnv(doc, lineCounter, file, env);
  return doc.toJS();
}

describe('substituteEnv', () => {
  it('replaces set variables and uses defaults for unset or empty ones, typed like unquoted text', () => {
    const text = 'port: ${PORT}\nhost: ${HOST:-127.0.0.1}\ntoken: ${TOKEN:-}\nurl: ${URL:-postgres://x:1/db}\nwatch: ${WATCH:-false}';
    expect(resolved(text, { PORT: '8080', URL: '' })).toEqual({
      port: 8080,
      host: '127.0.0.1',
      token: null,
      url: 'postgres://x:1/db',
      watch: false,
    });
    expect(resolved('host: ${HOST:-127.0.0.1}', { HOST: '0.0.0.0' })).toEqual({ host: '0.0.0.0' });
  });

  it('keeps an empty value of a variable without default', () => {
    expect(resolved('token: ${TOKEN}', { TOKEN: '' })).toEqual({ token: null });
  });

  it('never reads a value as YAML: anchors, tags and # stay part of the string', () => {
    const text = 'a: ${A}\nb: ${B}\nc: ${C}\nd: "${D}"\ne: x-${A}';
    expect(resolved(text, { A: '&Xy9-secret', B: '!tag', C: 'abc #def', D: '123456' })).toEqual({
      a: '&Xy9-secret',
      b: '!tag',
      c: 'abc #def',
      d: '123456',
      e: 'x-&Xy9-secret',
    });
  });

  it('turns $${ into a literal ${', () => {
    expect(resolved('template: "$${USER} and ${WHO}"', { USER: 'x', WHO: 'me' })).toEqual({ template: '${USER} and me' });
  });

  it('leaves comments alone, whole-line or trailing', () => {
    expect(resolved('# set ${SECRET} in production\na: 1 # or ${OTHER}', {})).toEqual({ a: 1 });
  });

  it('reports every unset variable with its line, and malformed references', async () => {
    const err = await plugboardErrorOf(() => resolved('a: 1\nb: ${MISSING}\nc: ${ALSO_MISSING} ${bad name}\nd: ${OPEN', {}));
    expect(err.kind).toBe('configInvalid');
    expect(err.details.problems).toEqual([
      "line 2: environment variable 'MISSING' is not set; set it, or give a default with ${MISSING:-value}",
      "line 3: environment variable 'ALSO_MISSING' is not set; set it, or give a default with ${ALSO_MISSING:-value}",
      "line 3: '${bad name}' is not a variable reference; write ${NAME} or ${NAME:-default}, or $${ for a literal '${'",
      "line 4: '${OPEN' is not a variable reference; write ${NAME} or ${NAME:-default}, or $${ for a literal '${'",
    ]);
    expect(err.message).toBe(
      `Config file '${file}' has 4 problems:\n` + (err.details.problems as string[]).map((p) => `  - ${p}`).join('\n'),
    );
  });
});
