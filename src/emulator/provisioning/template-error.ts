/**
 * Why a provisioning template could not be resolved or applied. `code` is what callers map to
 * AWS errors: RegisterThing answers InvalidRequest/ResourceRegistrationFailure, fleet
 * provisioning publishes `{statusCode, errorCode, errorMessage}` on the rejected topic.
 */
export type TemplateErrorCode =
  | 'InvalidTemplate'
  | 'MissingParameter'
  | 'InvalidParameter'
  | 'ResourceConflict'
  | 'ResourceNotFound'
  | 'AccessDenied';

export class TemplateError extends Error {
  override name = 'TemplateError';
  constructor(
    readonly code: TemplateErrorCode,
    message: string,
  ) {
    super(message);
  }
}
