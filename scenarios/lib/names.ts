import { createHash } from 'node:crypto';
import type { Device, RunContext } from '../../src/contract/index.js';

/**
 * Every name a run gives a resource starts with its run id (thing names do too, see the
 * engine's deviceName), so a human can tell one run's leftovers from another's.
 */

function safe(text: string): string {
  return text.replace(/[^0-9A-Za-z_-]/g, '_');
}

/** What every name the run gives a resource starts with (policy, thing, template names). */
export function runNamePrefix(ctx: Pick<RunContext, 'runId'>): string {
  return safe(ctx.runId);
}

/** A short, stable tag for this run and scenario, valid in every AWS IoT resource name. */
export function runTag(ctx: Pick<RunContext, 'runId' | 'scenarioId'>): string {
  return createHash('sha256').update(`${ctx.runId}/${ctx.scenarioId}`).digest('hex').slice(0, 10);
}

/** Policy, rule and client names for this run: `<run id>-<scenario>-<purpose>` (<= 128 chars). */
export function resourceName(ctx: Pick<RunContext, 'runId' | 'scenarioId'>, purpose: string): string {
  return `${safe(ctx.runId)}-${safe(ctx.scenarioId)}-${safe(purpose)}`.slice(0, 128);
}

/**
 * Provisioning template names are limited to 36 characters of [0-9A-Za-z_-]:
 * `<run id>-<purpose>` when it fits (a default run id does), else `pb-<tag>-<purpose>`; the
 * template's description and tags carry the run id either way.
 */
export function templateName(ctx: Pick<RunContext, 'runId' | 'scenarioId'>, purpose: string): string {
  const named = `${safe(ctx.runId)}-${safe(purpose)}`;
  return named.length <= 36 ? named : `pb-${runTag(ctx)}-${safe(purpose)}`.slice(0, 36);
}

/** What a resource's description says about who made it. */
export function runDescription(ctx: Pick<RunContext, 'runId' | 'scenarioId'>): string {
  return `provbench run ${ctx.runId}, scenario ${ctx.scenarioId}`;
}

/** The things a Krypton bootstrap creates: `<run id>-<imsi>` (the service fills in $imsi). */
export function kryptonThingNamePattern(ctx: Pick<RunContext, 'runId'>): string {
  return `${safe(ctx.runId)}-$imsi`;
}

/** The device's thing name, which is also its MQTT client id and certificate CN. */
export function thingNameOf(device: Pick<Device, 'name'>): string {
  return device.name;
}
