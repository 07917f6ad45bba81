import type { ErrorClass } from '../../src/metrics/result-schema.js';

/** A failure seen by a simulated device, with the taxonomy class the engine counts it under. */
export class DeviceError extends Error {
  override readonly name = 'DeviceError';
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDeviceError(error: unknown): error is DeviceError {
  return error instanceof DeviceError;
}
