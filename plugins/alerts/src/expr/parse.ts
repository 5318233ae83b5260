/**
 * Parses the rule syntax: a subset of PromQL over OpenTelemetry metric names.
 *
 *   expr      := term (('+' | '-') term)*
 *   term      := factor (('*' | '/') factor)*
 *   factor    := number | '(' expr ')' | aggregate | call | selector
 *   aggregate := ('sum'|'avg'|'min'|'max'|'count') [by] '(' expr ')' [by]      by := 'by' '(' label, ... ')'
 *   call      := ('rate'|'increase') '(' selector '[' duration ']' ')'
 *              | 'histogram_quantile' '(' number ',' expr ')' | ('histogram_count'|'histogram_sum') '(' expr ')'
 *   selector  := metric ['{' label op "value", ... '}']       op := '=' | '!=' | '=~' | '!~'
 *
 * Metric and label names are OpenTelemetry names (`http.server.request.duration`,
 * `http.response.status_code`); labels are stored as the Prometheus names both engines use.
 */
import type { AggregateOp, ExprNode, LabelMatcher, MatchOp } from './ast.js';
import { labelNameOf } from './ast.js';

/** A syntax error, with the 0-based column where it was found. */
export class ExprSyntaxError extends Error {
  override readonly name = 'ExprSyntaxError';
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

type Token = { type: 'num' | 'ident' | 'str' | 'dur' | 'op' | 'end'; text: string; pos: number };

const AGGREGATES = new Set<string>(['sum', 'avg', 'min', 'max', 'count']);
const RANGE_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = source.slice(i);
    const dur = tokens.at(-1)?.text === '[' ? /^\d+(ms|s|m|h|d)/.exec(rest) : null;
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?/.exec(rest);
    const ident = /^[a-zA-Z_][a-zA-Z0-9_.]*/.exec(rest);
    const op = /^(=~|!~|!=|[-+*/(){}[\],=])/.exec(rest);
    if (dur) tokens.push({ type: 'dur', text: dur[0], pos: i });
    else if (num) tokens.push({ type: 'num', text: num[0], pos: i });
    else if (ident) tokens.push({ type: 'ident', text: ident[0], pos: i });
    else if (ch === '"' || ch === "'") {
      const end = source.indexOf(ch, i + 1);
      if (end < 0) throw new ExprSyntaxError(`unterminated string starting at column ${i + 1}`, i);
      tokens.push({ type: 'str', text: source.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    } else if (op) tokens.push({ type: 'op', text: op[0], pos: i });
    else throw new ExprSyntaxError(`unexpected character '${ch}' at column ${i + 1}`, i);
    i += tokens.at(-1)!.text.length;
  }
  tokens.push({ type: 'end', text: 'end of expression', pos: source.length });
  return tokens;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.index]!;
  }
  private next(): Token {
    return this.tokens[this.index++]!;
  }
  private fail(token: Token, expected: string): never {
    throw new ExprSyntaxError(`expected ${expected} at column ${token.pos + 1}, found '${token.text}'`, token.pos);
  }
  private expect(text: string): Token {
    const token = this.next();
    if (token.text !== text || token.type === 'str') this.fail(token, `'${text}'`);
    return token;
  }

  parseAll(): ExprNode {
    const node = this.expr();
    if (this.peek().type !== 'end') this.fail(this.peek(), 'an operator or the end of the expression');
    return node;
  }

  private expr(): ExprNode {
    let left = this.term();
    while (this.peek().type === 'op' && (this.peek().text === '+' || this.peek().text === '-')) {
      const op = this.next().text as '+' | '-';
      left = { kind: 'binary', op, left, right: this.term() };
    }
    return left;
  }

  private term(): ExprNode {
    let left = this.factor();
    while (this.peek().type === 'op' && (this.peek().text === '*' || this.peek().text === '/')) {
      const op = this.next().text as '*' | '/';
      left = { kind: 'binary', op, left, right: this.factor() };
    }
    return left;
  }

  private factor(): ExprNode {
    const token = this.peek();
    if (token.type === 'num') {
      this.next();
      return { kind: 'number', value: Number(token.text) };
    }
    if (token.type === 'op' && token.text === '(') {
      this.next();
      const inner = this.expr();
      this.expect(')');
      return inner;
    }
    if (token.type !== 'ident') this.fail(token, 'a number, a metric name or a function');
    const following = this.tokens[this.index + 1]!;
    if (AGGREGATES.has(token.text) && (following.text === '(' || following.text === 'by')) return this.aggregate();
    if (following.text === '(' && following.type === 'op') return this.call();
    return this.selector();
  }

  private by(): string[] {
    this.expect('by');
    this.expect('(');
    const labels: string[] = [];
    while (this.peek().text !== ')') {
      const label = this.next();
      if (label.type !== 'ident') this.fail(label, 'a label name');
      labels.push(labelNameOf(label.text));
      if (this.peek().text === ',') this.next();
      else if (this.peek().text !== ')') this.fail(this.peek(), "',' or ')'");
    }
    this.next();
    return labels;
  }

  private aggregate(): ExprNode {
    const op = this.next().text as AggregateOp;
    let by = this.peek().text === 'by' ? this.by() : undefined;
    this.expect('(');
    const arg = this.expr();
    this.expect(')');
    if (this.peek().text === 'by') {
      if (by) this.fail(this.peek(), 'one `by` clause, not two');
      by = this.by();
    }
    return by ? { kind: 'aggregate', op, by, arg } : { kind: 'aggregate', op, arg };
  }

  private call(): ExprNode {
    const name = this.next();
    this.expect('(');
    let node: ExprNode;
    switch (name.text) {
      case 'rate':
      case 'increase': {
        const arg = this.selector();
        if (arg.rangeMs === undefined) this.fail(this.peek(), `a window such as [5m] after the metric in ${name.text}()`);
        node = { kind: 'rate', fn: name.text, arg };
        break;
      }
      case 'histogram_quantile': {
        const q = this.next();
        if (q.type !== 'num' || Number(q.text) < 0 || Number(q.text) > 1) this.fail(q, 'a quantile between 0 and 1');
        this.expect(',');
        node = { kind: 'quantile', q: Number(q.text), arg: this.expr() };
        break;
      }
      case 'histogram_count':
      case 'histogram_sum':
        node = { kind: 'histogramPart', part: name.text === 'histogram_count' ? 'count' : 'sum', arg: this.expr() };
        break;
      default:
        throw new ExprSyntaxError(
          `unknown function '${name.text}' at column ${name.pos + 1}: use rate, increase, histogram_quantile, histogram_count, histogram_sum, sum, avg, min, max or count`,
          name.pos,
        );
    }
    this.expect(')');
    return node;
  }

  private selector(): Extract<ExprNode, { kind: 'selector' }> {
    const metric = this.next();
    if (metric.type !== 'ident') this.fail(metric, 'a metric name');
    const matchers: LabelMatcher[] = [];
    if (this.peek().text === '{') {
      this.next();
      while (this.peek().text !== '}') {
        const label = this.next();
        if (label.type !== 'ident') this.fail(label, 'a label name');
        const op = this.next();
        if (op.type !== 'op' || !['=', '!=', '=~', '!~'].includes(op.text)) this.fail(op, "'=', '!=', '=~' or '!~'");
        const value = this.next();
        if (value.type !== 'str') this.fail(value, 'a quoted value');
        if (op.text.endsWith('~')) checkRegex(value);
        matchers.push({ name: labelNameOf(label.text), op: op.text as MatchOp, value: value.text });
        if (this.peek().text === ',') this.next();
        else if (this.peek().text !== '}') this.fail(this.peek(), "',' or '}'");
      }
      this.next();
    }
    if (this.peek().text !== '[') return { kind: 'selector', metric: metric.text, matchers };
    this.next();
    const range = this.next();
    if (range.type !== 'dur') this.fail(range, 'a window such as 5m, 30s or 1h');
    this.expect(']');
    const [, amount, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(range.text)!;
    const rangeMs = Number(amount) * RANGE_UNITS[unit!]!;
    if (rangeMs <= 0) this.fail(range, 'a window longer than 0');
    return { kind: 'selector', metric: metric.text, matchers, rangeMs, rangeText: range.text };
  }
}

function checkRegex(token: Token): void {
  try {
    new RegExp(`^(?:${token.text})$`);
  } catch (err) {
    throw new ExprSyntaxError(`invalid regular expression "${token.text}" at column ${token.pos + 1}: ${(err as Error).message}`, token.pos);
  }
}

/**
 * Parses an expression; throws {@link ExprSyntaxError} naming the column and what was expected.
 *
 * @example
 * parseExpr('sum by (http.route) (rate(http.server.request.duration{http.response.status_code=~"5.."}[5m]))')
 */
export function parseExpr(source: string): ExprNode {
  if (source.trim() === '') throw new ExprSyntaxError('the expression is empty', 0);
  return new Parser(tokenize(source)).parseAll();
}
