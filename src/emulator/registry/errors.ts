/**
 * An AWS IoT error as the service encodes it: the exception name (sent as `x-amzn-ErrorType`),
 * the modelled HTTP status, a message, and extra body members (`resourceId`, `resourceArn`).
 * The registry throws these so the control plane, JITR and fleet provisioning answer alike.
 */
export class IotError extends Error {
  constructor(
    readonly code: IotErrorCode,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }

  get httpStatus(): number {
    return IOT_ERROR_STATUS[this.code];
  }
}

/** Modelled HTTP status of each AWS IoT exception (botocore service-2.json). */
export const IOT_ERROR_STATUS = {
  InvalidRequestException: 400,
  ThrottlingException: 400,
  UnauthorizedException: 401,
  ResourceNotFoundException: 404,
  ResourceAlreadyExistsException: 409,
  CertificateValidationException: 400,
  CertificateStateException: 406,
  CertificateConflictException: 409,
  RegistrationCodeValidationException: 400,
  DeleteConflictException: 409,
  LimitExceededException: 410,
  ServiceUnavailableException: 503,
  InternalFailureException: 500,
  MalformedPolicyException: 400,
  VersionConflictException: 409,
  VersionsLimitExceededException: 409,
  ConflictingResourceUpdateException: 409,
  ResourceRegistrationFailureException: 400,
  SqlParseException: 400,
  UnknownOperationException: 404,
  // Not in the model: AWS's request layer answers these before any operation runs (SigV4, IAM).
  AccessDeniedException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  IncompleteSignatureException: 403,
  MissingAuthenticationTokenException: 403,
} as const;

export type IotErrorCode = keyof typeof IOT_ERROR_STATUS;

export const notFound = (message: string) => new IotError('ResourceNotFoundException', message);
export const invalidRequest = (message: string) => new IotError('InvalidRequestException', message);
export const alreadyExists = (message: string, resourceId: string, resourceArn: string) =>
  new IotError('ResourceAlreadyExistsException', message, { resourceId, resourceArn });
