import type { Command as CommanderCommand } from 'commander';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { EXIT_BAD_INPUT, UsageError } from './options.js';

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
  keys: async () => (await import('./commands/keys.js')).keysCommand(),
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
  // Usage errors throw (main exits 2) in every command, not only at the top: addCommand does not
  // pass settings down.
  const throwOnUsageError = (command: CommanderCommand): void => {
    command.exitOverride();
    for (const sub of command.commands) throwOnUsageError(sub);
  };
  throwOnUsageError(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(argv[2]);
    await program.parseAsync(argv);
  } catch (error) {
    // Commander has printed its own usage errors (and help, which exits 0).
    if (error instanceof CommanderError && !(error instanceof InvalidArgumentError)) {
      process.exit(error.exitCode === 0 ? 0 : EXIT_BAD_INPUT);
    }
    console.error(`provbench: ${(error as Error).message}`);
    const badInput = error instanceof UsageError || error instanceof InvalidArgumentError;
    process.exit(badInput ? EXIT_BAD_INPUT : 1);
  }
}
