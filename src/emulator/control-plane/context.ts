import type { EmulatorPki } from '../../pki/index.js';
import type { IotRegistry } from '../registry/index.js';
import type { OperationInput } from './input.js';
import type { OperationName } from './routes.js';

/** What operation handlers share. */
export interface ControlPlaneContext {
  registry: IotRegistry;
  pki: EmulatorPki;
}

/** Returns the JSON response body, or undefined for an empty 200. Throws IotError. */
export type OperationHandler = (input: OperationInput, context: ControlPlaneContext) => unknown;

export type OperationHandlers = Partial<Record<OperationName, OperationHandler>>;
