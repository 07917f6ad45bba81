import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/main.js';

interface ComposeService {
  image?: string;
  command?: string[] | string;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const COMPOSE_FILE = resolve(import.meta.dirname, '../../docker-compose.yml');

async function compose(): Promise<ComposeFile> {
  return parse(await readFile(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile;
}

function script(service: ComposeService | undefined): string {
  const command = service?.command;
  expect(Array.isArray(command) && command.slice(0, 2)).toEqual(['sh', '-c']);
  return (command as string[])[2] ?? '';
}

/** `--flag value` pairs of a `provbench <command>` invocation inside a shell script. */
function flagsOf(shellScript: string, subcommand: string): Map<string, string> {
  const invocation = shellScript.split('&&').find((part) => part.includes(`provbench ${subcommand}`)) ?? '';
  const words = invocation.trim().split(/\s+/);
  const flags = new Map<string, string>();
  words.forEach((word, index) => {
    if (word.startsWith('--')) flags.set(word, words[index + 1] ?? '');
  });
  return flags;
}

async function knownOptions(path: string[]): Promise<string[]> {
  let command = await buildProgram();
  for (const name of path) {
    const next = command.commands.find((candidate) => candidate.name() === name);
    if (!next) throw new Error(`provbench has no command ${path.join(' ')}`);
    command = next;
  }
  return command.options.map((option) => option.long ?? '');
}

describe('docker-compose.yml (structure only: no Docker engine here)', () => {
  it('runs the emulator from a node:20 image with npx provbench, fixed published ports and a ready file on a volume', async () => {
    const file = await compose();
    const emulator = file.services.emulator;
    expect(emulator?.image).toMatch(/^node:20\b/);
    const emulatorScript = script(emulator);
    expect(emulatorScript).toContain('npx provbench emulator');
    const flags = flagsOf(emulatorScript, 'emulator');
    for (const flag of flags.keys()) expect(await knownOptions(['emulator']), flag).toContain(flag);
    expect(flags.get('--host')).toBe('0.0.0.0');
    const ports = ['--port', '--mqtt-port', '--krypton-port', '--credentials-port'].map((flag) =>
      flags.get(flag),
    );
    for (const port of ports) expect(Number(port)).toBeGreaterThan(0);
    expect(emulator?.ports?.map((mapping) => mapping.split(':').pop())).toEqual(ports);
    for (const mapping of emulator?.ports ?? []) expect(mapping.startsWith('127.0.0.1:')).toBe(true);

    const readyFile = flags.get('--ready-file') ?? '';
    const shared = emulator?.volumes?.find((volume) => readyFile.startsWith(`${volume.split(':')[1]}/`));
    expect(shared, 'the ready file lies on a mounted volume').toBeDefined();
    expect(emulator?.healthcheck?.test).toContain(readyFile);
    expect(emulator?.depends_on?.setup?.condition).toBe('service_completed_successfully');
  });

  it('exports the fleet the emulator loads, with real provbench flags', async () => {
    const file = await compose();
    const setupScript = script(file.services.setup);
    const exportFlags = flagsOf(setupScript, 'fleet export');
    for (const flag of exportFlags.keys())
      expect(await knownOptions(['fleet', 'export']), flag).toContain(flag);
    expect(exportFlags.get('--out')).toBe(flagsOf(script(file.services.emulator), 'emulator').get('--fleet'));
  });

  it('offers LocalStack with its auth token from the environment, and no k6 service', async () => {
    const file = await compose();
    const localstack = file.services.localstack;
    expect(localstack?.image).toMatch(/^localstack\/localstack-pro/);
    expect(localstack?.environment?.LOCALSTACK_AUTH_TOKEN).toMatch(/^\$\{LOCALSTACK_AUTH_TOKEN\b/);
    expect(localstack?.profiles).toEqual(['localstack']);
    for (const [name, service] of Object.entries(file.services)) {
      expect(name).not.toMatch(/k6/i);
      expect(service.image ?? '').not.toMatch(/k6/i);
    }
  });
});
