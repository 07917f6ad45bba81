/**
 * The scenario contract, in one place: what a scenario module implements (`Scenario`), what it
 * gets (`RunContext`, `Device`, `IoTEndpoint`, `Ledger`), the error taxonomy it throws and the
 * retry helpers it may use. Scenario authors import from here. src/contract sits at the bottom
 * of the layers and imports nothing from the rest of provbench; it also holds the ready-file
 * schema (./ready-file.ts) the emulator writes and the embedded target reads.
 */
export * from './errors.js';
export * from './facts.js';
export * from './iam.js';
export * from './ledger.js';
export * from './retry.js';
export * from './scenario.js';
