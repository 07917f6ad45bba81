/**
 * The scenario contract, in one place: what a scenario module implements (`Scenario`), what it
 * gets (`RunContext`, `Device`, `IoTEndpoint`, `Ledger`), the error taxonomy it throws and the
 * retry helpers it may use. Scenario authors import from here. This module sits at the bottom
 * of the layers: it imports nothing from the rest of provbench.
 */
export * from './errors.js';
export * from './facts.js';
export * from './ledger.js';
export * from './ready-file.js';
export * from './retry.js';
export * from './scenario.js';
