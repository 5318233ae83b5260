import { describe, expect, it } from 'vitest';
import { parseExpr } from './parse.js';

describe('parseExpr', () => {
  it('parses aggregations, rates, matchers and arithmetic', () => {
    const node = parseExpr('sum by (http.route) (rate(http.server.request.duration{http.response.status_code=~"5..", http.request.method!="GET"}[5m])) / 2');
    expect(node).toEqual({
      kind: 'binary',
      op: '/',
      left: {
        kind: 'aggregate',
        op: 'sum',
        by: ['http_route'],
        arg: {
          kind: 'rate',
          fn: 'rate',
          arg: {
            kind: 'selector',
            metric: 'http.server.request.duration',
            matchers: [
              { name: 'http_response_status_code', op: '=~', value: '5..' },
              { name: 'http_request_method', op: '!=', value: 'GET' },
            ],
            rangeMs: 300_000,
            rangeText: '5m',
          },
        },
      },
      right: { kind: 'number', value: 2 },
    });
  });

  it('takes `by` after the parentheses too, and keeps precedence', () => {
    expect(parseExpr('max(a.b) by (x) + 1 * 2')).toEqual({
      kind: 'binary',
      op: '+',
      left: { kind: 'aggregate', op: 'max', by: ['x'], arg: { kind: 'selector', metric: 'a.b', matchers: [] } },
      right: { kind: 'binary', op: '*', left: { kind: 'number', value: 1 }, right: { kind: 'number', value: 2 } },
    });
  });

  it.each([
    ['', 'the expression is empty'],
    ['rate(x)', 'expected a window such as [5m] after the metric in rate() at column 7, found \')\''],
    ['rate(x[5q])', "expected a window such as 5m, 30s or 1h at column 8, found '5'"],
    ['histogram_quantile(2, rate(x[5m]))', "expected a quantile between 0 and 1 at column 20, found '2'"],
    ['foo(x)', "unknown function 'foo' at column 1: use rate, increase, histogram_quantile, histogram_count, histogram_sum, sum, avg, min, max or count"],
    ['x{a="b"', "expected ',' or '}' at column 8, found 'end of expression'"],
    ['x{a=~"("}', 'invalid regular expression "(" at column 6'],
    ['x y', "expected an operator or the end of the expression at column 3, found 'y'"],
  ])('refuses %j: %s', (source, message) => {
    expect(() => parseExpr(source)).toThrow(message);
  });
});
