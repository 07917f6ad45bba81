import { escapeMarkup as e } from './escape.js';
import { formatBytes, formatDecimal, formatMs, formatUsd } from './format.js';
import { best, chart, table } from './html-table.js';
import type { EntryView, ReportModel, RunView } from './model.js';

/**
 * Report parts about field conditions: the network profile each run simulated, data and cost
 * per device, the factory's time beside the field's, patterns side by side across profiles.
 */

function byProfile(entries: EntryView[]): Map<string, EntryView[]> {
  const groups = new Map<string, EntryView[]>();
  for (const entry of entries) groups.set(entry.network, [...(groups.get(entry.network) ?? []), entry]);
  return groups;
}

function factoryNote(entry: EntryView): string {
  if (!entry.factory) return '';
  const { bottleneckApi, devicesPerSecondLimit } = entry.projection;
  const quota =
    bottleneckApi && devicesPerSecondLimit
      ? `, and the account’s quotas hold the whole line to ${formatDecimal(devicesPerSecondLimit, 1)} devices/s (${e(bottleneckApi)})`
      : '';
  return `; its factory step takes ${formatMs(entry.factory.p50)} per device beforehand (the AWS calls it made there are not in this time)${quota}`;
}

/** Median factory time plus median field time: a device's whole path to a working connection. */
function endToEndMs(entry: EntryView): number {
  return (entry.factory?.p50 ?? 0) + entry.timeToConnected.p50;
}

function profileGlance(profile: string, entries: EntryView[]): string[] {
  const under = `under <strong>${e(profile)}</strong>`;
  const items: string[] = [];
  const field = best(entries, (entry) => entry.timeToConnected.p50);
  if (field) {
    items.push(
      `Shortest time in the field (power-on to a working connection) ${under}: <strong>${e(field.label)}</strong> (median ${formatMs(field.timeToConnected.p50)}, p99 ${formatMs(field.timeToConnected.p99)})${factoryNote(field)}.`,
    );
  }
  if (entries.some((entry) => entry.factory) && entries.length > 1) {
    const whole = best(entries, endToEndMs);
    if (whole) {
      items.push(
        `Shortest factory plus field (medians added) ${under}: <strong>${e(whole.label)}</strong> (${whole.factory ? `${formatMs(whole.factory.p50)} + ` : ''}${formatMs(whole.timeToConnected.p50)}).`,
      );
    }
  }
  const measured = entries.filter((entry) => entry.dataPerDeviceBytes !== null);
  const lightest = best(measured, (entry) => entry.dataPerDeviceBytes ?? 0);
  if (lightest && measured.length > 1) {
    items.push(
      `Least data per device ${under}: <strong>${e(lightest.label)}</strong> (${formatBytes(lightest.dataPerDeviceBytes ?? 0)} sent and received).`,
    );
  }
  const priced = entries.filter((entry) => entry.cost);
  const cheapest = best(priced, (entry) => entry.cost?.perDevice ?? 0);
  if (cheapest?.cost && priced.length > 1) {
    const unpriced = cheapest.cost.unpriced.length
      ? ` without ${cheapest.cost.unpriced.map((item) => e(item)).join(', ')} (not priced)`
      : '';
    items.push(
      `Lowest provisioning cost per device ${under}: <strong>${e(cheapest.label)}</strong> (${formatUsd(cheapest.cost.perDevice)}, ${formatUsd(cheapest.cost.perMillionDevices)} per million devices${unpriced}).`,
    );
  }
  return items;
}

/** At-a-glance lines comparing patterns within each network profile, never across them. */
export function fieldGlanceItems(ran: EntryView[]): string[] {
  return [...byProfile(ran)].flatMap(([profile, entries]) => profileGlance(profile, entries));
}

function networkOf(run: RunView): string {
  if (!run.network) return 'not recorded (loopback)';
  const figures = Object.entries(run.network.link)
    .filter(([, value]) => typeof value === 'number' || typeof value === 'string')
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  return figures ? `${run.network.profile} (${figures})` : run.network.profile;
}

/** The header line naming each run's network profile and price table. */
export function fieldHeader(model: ReportModel): string {
  const profiles = [...new Set(model.runs.map(networkOf))].join('; ');
  const tables = [...new Set(model.runs.map((run) => run.pricing?.name ?? 'default'))].join('; ');
  return `Network profile: ${e(profiles)}. Prices: ${e(tables)} (<a href="#cost">cost per pattern</a>).`;
}

/** "your account's quotas (CreateKeysAndCertificate 50, AWS default 10)" or "AWS's default quotas". */
export function quotaWording(model: ReportModel): { name: string; note: string } {
  const overrides = model.runs.flatMap((run) => run.quotaOverrides);
  if (overrides.length === 0) return { name: 'AWS quotas', note: '' };
  const listed = [
    ...new Set(overrides.map((entry) => `${entry.quota} ${entry.value} (AWS default ${entry.awsDefault})`)),
  ];
  return {
    name: 'your account’s quotas',
    note: `<p>Quotas that differ from AWS’s defaults (<code>--quota-file</code>): ${e(listed.join(', '))}.</p>`,
  };
}

function costCell(entry: EntryView): string {
  return entry.cost ? formatUsd(entry.cost.perDevice) : '–';
}

function pricesUsed(model: ReportModel): string {
  const run = model.runs.find((candidate) => candidate.pricing);
  if (!run?.pricing) return '';
  const rows = Object.entries(run.pricing.entries).map(([id, entry]) => [
    `<code>${e(id)}</code>`,
    entry.value === null ? '<span class="muted">not priced</span>' : e(String(entry.value)),
    e(entry.unit),
    e(entry.description),
    e(entry.source),
    e(entry.read),
  ]);
  const others = model.runs.filter((other) => other.pricing && other.pricing.name !== run.pricing?.name);
  const note = others.length
    ? `<p class="warning">Runs priced with other tables: ${others.map((other) => `${e(other.runId)} (${e(other.pricing?.name ?? '')})`).join(', ')}.</p>`
    : '';
  return `${note}${table(['Entry', 'Value', 'Unit', 'What', 'Source', 'Read'], rows, `Prices used: ${e(run.pricing.name)}`, [2, 3, 4, 5])}`;
}

export function costSection(model: ReportModel): string {
  const priced = model.entries.filter((entry) => entry.cost);
  if (priced.length === 0) return '';
  const blocks = priced.map((entry) => {
    const cost = entry.cost!;
    const rows = cost.items.map((item) => [
      e(item.item),
      `${formatDecimal(item.quantity, item.quantity < 1 ? 4 : 2)} ${e(item.unit)}`,
      item.perDevice === null ? '<span class="muted">not priced</span>' : formatUsd(item.perDevice),
      item.perDevice === null ? '–' : formatUsd(item.perDevice * 1_000_000),
      e(item.basis),
      e(item.prices.join(', ')),
    ]);
    rows.push([
      '<strong>total</strong>',
      '',
      `<strong>${formatUsd(cost.perDevice)}</strong>`,
      `<strong>${formatUsd(cost.perMillionDevices)}</strong>`,
      '',
      '',
    ]);
    return `<h3>${e(entry.label)} <span class="muted">${e(entry.title)}</span></h3>${table(
      ['Item', 'Per device', 'Cost per device', 'Per million devices', 'Basis', 'Prices'],
      rows,
      undefined,
      [4, 5],
    )}`;
  });
  return `<section id="cost"><h2>Cost per pattern</h2>
<p>Provisioning cost per device from what the run measured (calls, connection-minutes, 5 KB message units, activator invocations, bytes on the SIM), at the prices below. Basis: <em>measured</em> in this run, <em>planned</em> from the pattern’s declared calls the harness cannot see, <em>estimated</em> from call counts where the run recorded no traffic. Re-price with <code>provbench report --pricing prices.json</code>.</p>
${blocks.join('\n')}
${pricesUsed(model)}</section>`;
}

/** Summary columns: factory time, data and cost per device. */
export function fieldSummaryCells(entry: EntryView): string[] {
  return [
    entry.factory ? formatMs(entry.factory.p50) : '<span class="muted">none</span>',
    entry.dataPerDeviceBytes === null ? '–' : formatBytes(entry.dataPerDeviceBytes),
    costCell(entry),
  ];
}

export const FIELD_SUMMARY_HEADERS = [
  'Factory p50 (per device, before shipping)',
  'Data per device',
  'Cost per device',
];

/** Whether the report compares the same patterns under several network profiles. */
export function hasProfileComparison(model: ReportModel): boolean {
  return model.profiles.length > 1;
}

/** Each pattern under each profile, side by side: the chart and the data-per-device table. */
export function profilesSection(model: ReportModel): string {
  if (!hasProfileComparison(model)) return '';
  const scenarios = [...new Set(model.entries.map((entry) => entry.scenario))];
  const find = (scenario: string, profile: string) =>
    model.entries.find((entry) => entry.scenario === scenario && entry.network === profile);
  const rows = scenarios.map((scenario) => [
    `<span class="pattern">${e(scenario)}</span>`,
    ...model.profiles.map((profile) => {
      const entry = find(scenario, profile);
      if (!entry) return '–';
      const data = entry.dataPerDeviceBytes === null ? '–' : formatBytes(entry.dataPerDeviceBytes);
      const time = entry.timeToConnected.count === 0 ? '–' : formatMs(entry.timeToConnected.p50);
      return `${data}<br><span class="muted">${time} p50 · ${costCell(entry)}</span>`;
    }),
  ]);
  return `<section id="profiles"><h2>Patterns under each network profile</h2>
${chart('chart-profiles', 'Time to connected p50 and p99 per pattern, one series per network profile (ms, log scale)')}
${table(['Pattern', ...model.profiles.map((profile) => e(profile))], rows, 'Data per device (sent + received on the field link); below: time to connected p50 and cost per device')}</section>`;
}
