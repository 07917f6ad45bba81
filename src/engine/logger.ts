import { redactSecrets } from '../contract/errors.js';
import type { Logger } from '../contract/scenario.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'silent';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, silent: 99 };

/** Field names whose values are never printed (private keys, SIM secrets, tokens). */
const SECRET_FIELD = /key|secret|^ki$|^opc$|password|token|pem|credential|res$|ck$|ik$/i;

function renderFields(fields: Record<string, unknown>): string {
  const parts = Object.entries(fields).map(([name, value]) => {
    if (SECRET_FIELD.test(name)) return `${name}=[redacted]`;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `${name}=${redactSecrets(String(text))}`;
  });
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/** A Logger writing to stderr at or above `level` (PROVBENCH_LOG), redacting key material. */
export function createLogger(scope: string, level: LogLevel = logLevelFromEnv()): Logger {
  const write = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[at] < LEVELS[level]) return;
    process.stderr.write(
      `[${at}] ${scope}: ${redactSecrets(message)}${fields ? renderFields(fields) : ''}\n`,
    );
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
  };
}

export function logLevelFromEnv(): LogLevel {
  const value = process.env.PROVBENCH_LOG;
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'silent' ? value : 'warn';
}
