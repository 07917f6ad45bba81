import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * A device's field link: what the radio network adds between a device and AWS. Every figure is
 * a property of the access network, not of the server; they add to the real path's own delay
 * (on `--target aws`) or to loopback's (embedded, localstack).
 */
export const NetworkProfileSchema = z
  .object({
    /** Short name, shown in reports (`lte-m`, `my-site`). */
    name: z.string().min(1).max(64),
    description: z.string().max(400).optional(),
    /** Round-trip time added to every exchange: median and 95th percentile (lognormal between). */
    rttMs: z
      .object({ median: z.number().nonnegative().finite(), p95: z.number().nonnegative().finite() })
      .refine((rtt) => rtt.p95 >= rtt.median, { message: 'p95 must be at least the median' }),
    /** Device to network, kilobits (1,000 bits) per second; null: not limited. */
    uplinkKbps: z.number().positive().finite().nullable(),
    /** Network to device, kilobits per second; null: not limited. */
    downlinkKbps: z.number().positive().finite().nullable(),
    /** Probability that a packet is lost (and retransmitted after one RTO), 0..0.5. */
    packetLoss: z.number().min(0).max(0.5),
    /** Radio idle to connected (random access, RRC connection setup) before a device's first packet. */
    radioSetupMs: z.number().nonnegative().finite(),
    /** Where each figure comes from: field name -> citation. */
    sources: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export type NetworkProfile = z.infer<typeof NetworkProfileSchema>;

/** Thrown for a profile that cannot be used: the CLI turns it into exit code 2. */
export class NetworkProfileError extends Error {
  override readonly name = 'NetworkProfileError';
  /** Bad input: the CLI exits with this code. */
  readonly exitCode = 2;
}

/** Validates a custom profile; the message names the bad field and what it must be. */
export function parseNetworkProfile(json: unknown, source: string): NetworkProfile {
  const parsed = NetworkProfileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new NetworkProfileError(
    `${source} is not a network profile: ${where}: ${issue?.message ?? 'invalid'}; expected {name, rttMs: {median, p95}, uplinkKbps, downlinkKbps, packetLoss, radioSetupMs} (see docs/field-conditions.md)`,
  );
}

export function loadNetworkProfileFile(path: string): NetworkProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new NetworkProfileError(`cannot read network profile ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NetworkProfileError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return parseNetworkProfile(json, path);
}

/** A profile that adds nothing (`none`): connections go straight to the socket, only counted. */
export function isTransparent(profile: NetworkProfile): boolean {
  return (
    profile.rttMs.median === 0 &&
    profile.rttMs.p95 === 0 &&
    profile.uplinkKbps === null &&
    profile.downlinkKbps === null &&
    profile.packetLoss === 0 &&
    profile.radioSetupMs === 0
  );
}
