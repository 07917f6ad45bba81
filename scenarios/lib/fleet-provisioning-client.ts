import { z } from 'zod';
import { ClassifiedError, classifyHttpStatus, ProtocolError } from '../../src/contract/index.js';
import type { DeviceMqttConnection } from './mqtt-device.js';

/** The device side of AWS IoT fleet provisioning's MQTT API (JSON format). */

const Rejected = z.object({
  statusCode: z.number().int(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
});

const CreateKeysAccepted = z.object({
  certificateId: z.string(),
  certificatePem: z.string(),
  privateKey: z.string(),
  certificateOwnershipToken: z.string(),
});
export type CreateKeysAccepted = z.infer<typeof CreateKeysAccepted>;

const CreateFromCsrAccepted = z.object({
  certificateId: z.string(),
  certificatePem: z.string(),
  certificateOwnershipToken: z.string(),
});
export type CreateFromCsrAccepted = z.infer<typeof CreateFromCsrAccepted>;

const RegisterThingAccepted = z.object({
  thingName: z.string(),
  deviceConfiguration: z.record(z.string(), z.unknown()).optional(),
});
export type RegisterThingAccepted = z.infer<typeof RegisterThingAccepted>;

async function call<T>(
  connection: DeviceMqttConnection,
  topic: string,
  request: unknown,
  accepted: z.ZodType<T>,
): Promise<T> {
  const response = await connection.request(topic, JSON.stringify(request));
  let body: unknown;
  try {
    body = JSON.parse(response.payload.toString('utf8'));
  } catch {
    throw new ProtocolError(`${response.topic}: payload is not JSON`);
  }
  if (!response.accepted) {
    const rejected = Rejected.safeParse(body);
    if (!rejected.success)
      throw new ProtocolError(`${response.topic}: not a {statusCode, errorCode, errorMessage} payload`);
    const { statusCode, errorCode, errorMessage } = rejected.data;
    throw new ClassifiedError(
      classifyHttpStatus(statusCode) ?? 'protocol_error',
      `${topic} rejected: ${statusCode} ${errorCode ?? ''} ${errorMessage ?? ''}`.trim(),
    );
  }
  const parsed = accepted.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProtocolError(
      `${response.topic}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'unexpected payload'}`,
    );
  }
  return parsed.data;
}

export function createKeysAndCertificate(connection: DeviceMqttConnection): Promise<CreateKeysAccepted> {
  return call(connection, '$aws/certificates/create/json', {}, CreateKeysAccepted);
}

export function createCertificateFromCsr(
  connection: DeviceMqttConnection,
  certificateSigningRequest: string,
): Promise<CreateFromCsrAccepted> {
  return call(
    connection,
    '$aws/certificates/create-from-csr/json',
    { certificateSigningRequest },
    CreateFromCsrAccepted,
  );
}

export function registerThing(
  connection: DeviceMqttConnection,
  templateName: string,
  certificateOwnershipToken: string,
  parameters: Record<string, string>,
): Promise<RegisterThingAccepted> {
  return call(
    connection,
    `$aws/provisioning-templates/${templateName}/provision/json`,
    { certificateOwnershipToken, parameters },
    RegisterThingAccepted,
  );
}
