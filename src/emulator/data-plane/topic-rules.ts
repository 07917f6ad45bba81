import { findLocalFunction, type LocalFunction, type TopicRuleRecord } from './ports.js';

/** `SELECT <fields> FROM '<topic filter>' [WHERE <a = 'b' [AND ...]>]`: the subset understood. */
export interface ParsedRuleSql {
  fields: Array<{ path: string; alias: string }> | '*';
  topicFilter: string;
  where: Array<{ path: string; negate: boolean; value: string | number | boolean }>;
}

export class RuleSqlError extends Error {
  override name = 'RuleSqlError';
}

function parseLiteral(text: string): string | number | boolean {
  const trimmed = text.trim();
  if (/^'.*'$/.test(trimmed) || /^".*"$/.test(trimmed)) return trimmed.slice(1, -1);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  const number = Number(trimmed);
  if (Number.isFinite(number)) return number;
  throw new RuleSqlError(`cannot read the value ${trimmed} in WHERE; quote strings with '...'`);
}

export function parseRuleSql(sql: string): ParsedRuleSql {
  const match = /^\s*SELECT\s+(.+?)\s+FROM\s+'([^']+)'(?:\s+WHERE\s+(.+?))?\s*;?\s*$/is.exec(sql);
  if (!match) {
    throw new RuleSqlError(
      `rule SQL "${sql}" is not understood; the emulator supports SELECT <*|fields> FROM '<topic filter>' [WHERE a = 'b' AND ...]`,
    );
  }
  const [, select = '*', topicFilter = '', whereText] = match;
  const fields =
    select.trim() === '*'
      ? '*'
      : select.split(',').map((part) => {
          const [path = '', alias] = part.trim().split(/\s+AS\s+/i);
          return { path: path.trim(), alias: (alias ?? path.split('.').pop() ?? path).trim() };
        });
  const where = (whereText ? whereText.split(/\s+AND\s+/i) : []).map((clause) => {
    const condition = /^\s*([\w.]+)\s*(=|<>|!=)\s*(.+)$/.exec(clause);
    if (!condition) throw new RuleSqlError(`WHERE clause "${clause}" is not understood; use field = value`);
    return {
      path: condition[1] ?? '',
      negate: condition[2] !== '=',
      value: parseLiteral(condition[3] ?? ''),
    };
  });
  return { fields, topicFilter, where };
}

/** MQTT topic filter matching (`+` one level, `#` the rest). */
export function topicMatchesFilter(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i += 1) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

function pick(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export interface RuleInvocation {
  ruleName: string;
  target: string;
  result?: unknown;
  error?: string;
}

/**
 * Runs topic rules against published messages: rules whose SQL selects the topic (and whose
 * WHERE holds) run their actions. A `lambda` action calls a local function registered under the
 * function's ARN or name; `republish` publishes to another topic. Other actions are ignored.
 */
export class TopicRuleEngine {
  private readonly parsedSql = new Map<string, ParsedRuleSql | null>();

  constructor(
    private readonly listRules: () => TopicRuleRecord[],
    private readonly functions: ReadonlyMap<string, LocalFunction>,
    private readonly republish: (topic: string, payload: Buffer) => void,
    private readonly onInvocation: (invocation: RuleInvocation) => void = () => {},
  ) {}

  private parse(sql: string): ParsedRuleSql | null {
    let parsed = this.parsedSql.get(sql);
    if (parsed === undefined) {
      try {
        parsed = parseRuleSql(sql);
      } catch {
        parsed = null;
      }
      this.parsedSql.set(sql, parsed);
    }
    return parsed;
  }

  /** Evaluates every enabled rule for one message; actions run without blocking the caller. */
  handle(topic: string, payload: Buffer): void {
    const rules = this.listRules();
    if (rules.length === 0) return;
    let document: unknown;
    try {
      document = JSON.parse(payload.toString('utf8'));
    } catch {
      document = undefined;
    }
    for (const rule of rules) {
      if (rule.ruleDisabled) continue;
      const sql = this.parse(rule.sql);
      if (!sql || !topicMatchesFilter(sql.topicFilter, topic)) continue;
      if (sql.where.length > 0 && document === undefined) continue;
      const holds = sql.where.every(
        (clause) => (pick(document, clause.path) === clause.value) !== clause.negate,
      );
      if (!holds) continue;
      let selected: unknown = document ?? payload.toString('base64');
      if (sql.fields !== '*') {
        const out: Record<string, unknown> = {};
        for (const field of sql.fields) out[field.alias] = pick(document, field.path);
        selected = out;
      }
      for (const action of rule.actions) void this.runAction(rule.ruleName, action, selected);
    }
  }

  private async runAction(
    ruleName: string,
    action: Record<string, unknown>,
    selected: unknown,
  ): Promise<void> {
    const lambda = action.lambda as { functionArn?: string } | undefined;
    const republish = action.republish as { topic?: string } | undefined;
    if (lambda?.functionArn) {
      const target = lambda.functionArn;
      const fn = findLocalFunction(this.functions, target);
      if (!fn) {
        this.onInvocation({ ruleName, target, error: `no local function is registered for ${target}` });
        return;
      }
      try {
        const result = await fn(selected);
        this.onInvocation({ ruleName, target, result });
      } catch (error) {
        this.onInvocation({ ruleName, target, error: (error as Error).message });
      }
    } else if (republish?.topic) {
      this.republish(republish.topic, Buffer.from(JSON.stringify(selected)));
      this.onInvocation({ ruleName, target: republish.topic });
    }
  }
}
