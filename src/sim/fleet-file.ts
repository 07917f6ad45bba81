import { open, readFile } from 'node:fs/promises';
import { fleetSchema, type SimRecord, withoutSecrets } from './sim-record.js';

export class FleetFileError extends Error {
  override readonly name = 'FleetFileError';
}

/** Parses fleet.json text; errors name the SIM index and field to fix. */
export function parseFleet(text: string, source = 'fleet.json'): SimRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FleetFileError(
      `${source} is not valid JSON (${(error as Error).message}); regenerate it with \`provbench fleet export\``,
    );
  }
  const parsed = fleetSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `[${issue.path.join('.')}] ${issue.message}`)
      .join('; ');
    throw new FleetFileError(`${source} is not a valid fleet (a JSON array of SIMs): ${issues}`);
  }
  return parsed.data;
}

export async function readFleetFile(path: string): Promise<SimRecord[]> {
  return parseFleet(await readFile(path, 'utf8'), path);
}

/**
 * Writes fleet.json. With secrets the file holds every SIM's Ki/OPc, so it is created with mode
 * 0600; `omitSecrets` writes a fleet that is safe to share.
 */
export async function writeFleetFile(
  path: string,
  sims: SimRecord[],
  options: { omitSecrets?: boolean } = {},
): Promise<void> {
  const records = options.omitSecrets ? sims.map(withoutSecrets) : sims;
  const mode = options.omitSecrets ? 0o644 : 0o600;
  const file = await open(path, 'w', mode);
  try {
    await file.chmod(mode);
    await file.writeFile(`${JSON.stringify(records, null, 2)}\n`);
  } finally {
    await file.close();
  }
}
