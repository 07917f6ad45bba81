/** Number formatting shared by the HTML, markdown and terminal reports. */

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatRate(perSecond: number): string {
  if (perSecond >= 100) return `${Math.round(perSecond)}/s`;
  if (perSecond >= 10) return `${perSecond.toFixed(1)}/s`;
  return `${perSecond.toFixed(2)}/s`;
}

export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  if (percent === 0) return '0%';
  if (percent < 0.01) return '<0.01%';
  return `${percent < 10 ? percent.toFixed(2) : percent.toFixed(1)}%`;
}

export function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US');
}

export function formatDecimal(value: number, digits = 2): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** A duration such as "2 h 47 min" or "16 min 40 s", for fleet projections. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '∞';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes - hours * 60} min`;
  const days = Math.floor(hours / 24);
  return `${days} d ${hours - days * 24} h`;
}

/** "10k", "100k", "1M" for fleet sizes. */
export function formatFleetSize(devices: number): string {
  if (devices >= 1_000_000 && devices % 1_000_000 === 0) return `${devices / 1_000_000}M`;
  if (devices >= 1000 && devices % 1000 === 0) return `${devices / 1000}k`;
  return formatCount(devices);
}

/** Bytes as "812 B", "14.2 KB", "1.31 MB" (1 KB = 1,024 bytes, as SIM plans count). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/** US dollars with enough digits for sub-cent per-device figures: "$0.000412", "$1,234". */
export function formatUsd(amount: number): string {
  if (amount === 0) return '$0';
  if (amount >= 1000) return `$${Math.round(amount).toLocaleString('en-US')}`;
  if (amount >= 1) return `$${amount.toFixed(2)}`;
  return `$${amount.toPrecision(3)}`;
}

/** Throttling figures of one scenario (result.json `throttling`). */
export interface ThrottlingView {
  retried: number;
  failed: number;
  pacedAttempts: number;
  pacedWaitMs: number;
}

/**
 * "throttled: 3 retried, 0 failed; 18 calls waited 4.1 s for their quota slot", or '' when
 * nothing was throttled or paced (or the result predates these figures).
 */
export function describeThrottling(figures: ThrottlingView | undefined): string {
  if (!figures || (figures.retried === 0 && figures.failed === 0 && figures.pacedAttempts === 0)) return '';
  const paced =
    figures.pacedAttempts > 0
      ? `; ${formatCount(figures.pacedAttempts)} calls waited ${(figures.pacedWaitMs / 1000).toFixed(1)} s for their quota slot`
      : '';
  return `throttled: ${formatCount(figures.retried)} retried, ${formatCount(figures.failed)} failed${paced}`;
}
