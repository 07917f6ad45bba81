export * from './aka.js';
export * from './fleet-file.js';
export * from './generate.js';
export * from './identifiers.js';
export * from './milenage.js';
export * from './sim-card.js';
export * from './sim-record.js';
export * from './sqn.js';
