import { createHash } from 'node:crypto';
import type { Device, RunContext } from '../../src/contract/index.js';

/** A short, stable tag for this run and scenario, valid in every AWS IoT resource name. */
export function runTag(ctx: Pick<RunContext, 'runId' | 'scenarioId'>): string {
  return createHash('sha256').update(`${ctx.runId}/${ctx.scenarioId}`).digest('hex').slice(0, 10);
}

/** Policy, rule and template names for this run: `pb-<scenario>-<tag>-<purpose>` (<= 128 chars). */
export function resourceName(ctx: Pick<RunContext, 'runId' | 'scenarioId'>, purpose: string): string {
  return `pb-${ctx.scenarioId.replace(/[^0-9A-Za-z_-]/g, '_')}-${runTag(ctx)}-${purpose}`.slice(0, 128);
}

/** Provisioning template names are limited to 36 characters of [0-9A-Za-z_-]. */
export function templateName(ctx: Pick<RunContext, 'runId' | 'scenarioId'>, purpose: string): string {
  return `pb-${runTag(ctx)}-${purpose}`.replace(/[^0-9A-Za-z_-]/g, '_').slice(0, 36);
}

/** The device's thing name, which is also its MQTT client id and certificate CN. */
export function thingNameOf(device: Pick<Device, 'name'>): string {
  return device.name;
}
