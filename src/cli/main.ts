import type { Command as CommanderCommand } from 'commander';
import { Command } from 'commander';
import { UsageError } from './options.js';

type CommandLoader = () => Promise<CommanderCommand>;

/**
 * Every `provbench` command, loaded on demand: each module pulls in its own part of the
 * project (engine, emulator, reports), and loading them all through tsx costs seconds.
 * Add one line per command.
 */
const COMMANDS: Readonly<Record<string, CommandLoader>> = {
  run: async () => (await import('./commands/run.js')).runCommand(),
  emulator: async () => (await import('./commands/emulator.js')).emulatorCommand(),
  report: async () => (await import('./commands/report.js')).reportCommand(),
  ci: async () => (await import('./commands/ci.js')).ciCommand(),
  trend: async () => (await import('./commands/trend.js')).trendCommand(),
  merge: async () => (await import('./commands/merge.js')).mergeCommand(),
  cleanup: async () => (await import('./commands/cleanup.js')).cleanupCommand(),
  fleet: async () => (await import('./commands/fleet.js')).fleetCommand(),
  capacity: async () => (await import('./commands/capacity.js')).capacityCommand(),
  k8s: async () => (await import('./commands/k8s.js')).k8sCommand(),
};

/**
 * Builds the `provbench` command tree. With `only`, loads just that command (when it is one);
 * otherwise all of them, as help and unknown-command errors need.
 */
export async function buildProgram(only?: string): Promise<CommanderCommand> {
  const program = new Command();
  program
    .name('provbench')
    .description('Compare and load-test IoT device provisioning patterns against AWS IoT Core')
    .showHelpAfterError()
    .exitOverride();
  const names = only !== undefined && only in COMMANDS ? [only] : Object.keys(COMMANDS);
  for (const name of names) program.addCommand(await COMMANDS[name]!());
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(argv[2]);
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    // Commander printed its own errors; ours (UsageError, exit 2) still need saying.
    if (error instanceof UsageError) console.error(`provbench: ${error.message}`);
    if (typeof code === 'number') process.exit(code);
    console.error(`provbench: ${(error as Error).message}`);
    process.exit(1);
  }
}
