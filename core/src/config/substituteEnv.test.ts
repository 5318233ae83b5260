import { describe, expect, it } from 'vitest';
import { substituteEnv } from './substituteEnv.js';
import { plugboardErrorOf } from '../testing/errors.js';

const file = '/srv/app/config/plugboard.yaml';


describe('substituteEnv', () => {
  it('replaces set variables and uses defaults for unset or empty ones', () => {
    const text = 'port: ${PORT}\nhost: ${HOST:-127.0.0.1}\ntoken: ${TOKEN:-}\nurl: ${URL:-postgres://x:1/db}';
    expect(substituteEnv(text, file, { PORT: '8080', URL: '' })).toBe(
      'port: 8080\nhost: 127.0.0.1\ntoken: \nurl: postgres://x:1/db',
    );
    expect(substituteEnv('host: ${HOST:-127.0.0.1}', file, { HOST: '0.0.0.0' })).toBe('host: 0.0.0.0');
  });

  it('keeps an empty value of a variable without default', () => {
    expect(substituteEnv('token: ${TOKEN}', file, { TOKEN: '' })).toBe('token: ');
  });

  it('turns $${ into a literal ${', () => {
    expect(substituteEnv('template: "$${USER} and ${WHO}"', file, { USER: 'x', WHO: 'me' })).toBe(
      'template: "${USER} and me"',
    );
  });

  it('leaves comment lines alone', () => {
    expect(substituteEnv('# set ${SECRET} in production\na: 1', file, {})).toBe('# set ${SECRET} in production\na: 1');
  });

  it('reports every unset variable with its line, and malformed references', async () => {
    const err = await plugboardErrorOf(() => substituteEnv('a: 1\nb: ${MISSING}\nc: ${ALSO_MISSING} ${bad name}\nd: ${OPEN', file, {}));
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
