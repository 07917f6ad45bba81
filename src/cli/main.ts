import { Command } from 'commander';
import { capacityCommand } from './commands/capacity.js';
import { ciCommand } from './commands/ci.js';
import { cleanupCommand } from './commands/cleanup.js';
import { emulatorCommand } from './commands/emulator.js';
import { fleetCommand } from './commands/fleet.js';
import { k8sCommand } from './commands/k8s.js';
import { mergeCommand } from './commands/merge.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';

/** Builds the `provbench` command tree. Each command lives in its own module under ./commands. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('provbench')
    .description('Compare and load-test IoT device provisioning patterns against AWS IoT Core')
    .showHelpAfterError()
    .exitOverride();
  // Command modules register themselves here, one line each.
  program.addCommand(fleetCommand());
  program.addCommand(reportCommand());
  program.addCommand(ciCommand());
  program.addCommand(runCommand());
  program.addCommand(mergeCommand());
  program.addCommand(cleanupCommand());
  program.addCommand(emulatorCommand());
  program.addCommand(capacityCommand());
  program.addCommand(k8sCommand());
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    if (typeof code === 'number') process.exit(code);
    console.error(`provbench: ${(error as Error).message}`);
    process.exit(1);
  }
}
