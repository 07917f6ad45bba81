/**
 * The layers of provbench, checked by `npm run deps` (part of `npm run check` and CI).
 * From top to bottom, each layer may import only the layers below it:
 *   cli  ->  engine, capacity, report  ->  scenarios  ->  targets, emulator
 *        ->  contract, metrics, pricing, network, pki, sim, tls, quotas
 * targets and the emulator never import each other; `src/contract` imports nothing else of
 * provbench. Type-only imports count: a cycle through `import type` is still a cycle.
 * The architecture page (docs/design.md) explains the layers.
 */
const TOP = '^src/cli/';
const ORCHESTRATION = '^src/(engine|capacity|report)/';
const SCENARIOS = '^scenarios/';
const ADAPTERS = '^src/(targets|emulator)/';
const ABOVE_BOTTOM = `${TOP}|${ORCHESTRATION}|${SCENARIOS}|${ADAPTERS}`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle (type-only imports included): move the shared types to the lower module.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'The CLI is the top layer: only bin/ (and tests) may import it.',
      from: { pathNot: '^(src/cli|bin|test)/' },
      to: { path: TOP },
    },
    {
      name: 'scenarios-below-engine',
      severity: 'error',
      comment: 'Scenarios import the contract (src/contract), not the engine that runs them.',
      from: { path: SCENARIOS },
      to: { path: `${TOP}|${ORCHESTRATION}` },
    },
    {
      name: 'targets-below-scenarios',
      severity: 'error',
      comment: 'Targets never import the engine, the scenarios or the emulator (they start it as a process).',
      from: { path: '^src/targets/' },
      to: { path: `${TOP}|${ORCHESTRATION}|${SCENARIOS}|^src/emulator/` },
    },
    {
      name: 'emulator-stands-alone',
      severity: 'error',
      comment: 'The emulator never imports the engine, the CLI, the scenarios or the targets.',
      from: { path: '^src/emulator/' },
      to: { path: `${TOP}|${ORCHESTRATION}|${SCENARIOS}|^src/targets/` },
    },
    {
      name: 'bottom-layer-imports-down-only',
      severity: 'error',
      comment: 'contract, metrics, pricing, network, pki, sim, tls and quotas are the bottom layer: they import nothing above it.',
      from: { path: '^src/(contract|metrics|pricing|network|pki|sim|tls|quotas)/' },
      to: { path: ABOVE_BOTTOM },
    },
    {
      name: 'contract-imports-nothing',
      severity: 'error',
      comment: 'The scenario contract depends on no other provbench module.',
      from: { path: '^src/contract/' },
      to: { path: '^(src|scenarios|bin)/', pathNot: '^src/contract/' },
    },
    {
      name: 'product-never-imports-tests',
      severity: 'error',
      comment: 'src/, scenarios/ and bin/ never import tests or benchmarks.',
      from: { path: '^(src|scenarios|bin)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|reports)/' },
  },
};
