import { Command, InvalidArgumentError } from 'commander';
import { writeFleetFile } from '../../sim/fleet-file.js';
import { DEFAULT_FLEET, generateFleet } from '../../sim/generate.js';
import { positiveInteger } from '../options.js';

function digits(length: string) {
  return (value: string): string => {
    if (!new RegExp(`^\\d{${length}}$`).test(value))
      throw new InvalidArgumentError(`expected ${length} digits`);
    return value;
  };
}

function hex128(value: string): string {
  if (!/^[0-9a-fA-F]{32}$/.test(value)) throw new InvalidArgumentError('expected 32 hex digits');
  return value.toLowerCase();
}

/** `provbench fleet export`: writes a deterministic fleet.json. */
export function fleetCommand(): Command {
  const fleet = new Command('fleet').description('SIM fleets: identities and keys for simulated devices');
  fleet
    .command('export')
    .description('write a fleet.json of N SIMs (IMSI, ICCID, MSISDN, IMEI, SIM ID, group, Ki, OPc)')
    .requiredOption('--devices <n>', 'number of SIMs', positiveInteger)
    .requiredOption('--out <file>', 'fleet.json to write (mode 0600 when it holds secrets)')
    .option('--seed <n>', 'seed: the same seed gives the same fleet', String(DEFAULT_FLEET.seed))
    .option('--mcc <digits>', 'mobile country code of the IMSIs', digits('3'), DEFAULT_FLEET.mcc)
    .option('--mnc <digits>', 'mobile network code of the IMSIs', digits('2,3'), DEFAULT_FLEET.mnc)
    .option('--op <hex>', 'operator variant OP that every OPc is derived from', hex128, DEFAULT_FLEET.op)
    .option('--group <name>', 'SIM group (selects the Krypton configuration)', DEFAULT_FLEET.group)
    .option('--no-secrets', 'leave Ki and OPc out (for fleets shared with third parties)')
    .action(
      async (options: {
        devices: number;
        out: string;
        seed: string;
        mcc: string;
        mnc: string;
        op: string;
        group: string;
        secrets: boolean;
      }) => {
        const sims = generateFleet({
          devices: options.devices,
          seed: options.seed,
          mcc: options.mcc,
          mnc: options.mnc,
          op: options.op,
          group: options.group,
        });
        await writeFleetFile(options.out, sims, { omitSecrets: !options.secrets });
        const what = options.secrets ? 'with Ki/OPc (keep it private)' : 'without secrets';
        console.log(`wrote ${sims.length} SIMs to ${options.out} ${what}`);
      },
    );
  return fleet;
}
