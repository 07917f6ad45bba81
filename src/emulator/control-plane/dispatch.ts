import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IotError, invalidRequest } from '../registry/index.js';
import type { ControlPlaneContext, OperationHandler, OperationHandlers } from './context.js';
import type { FaultInjector } from './fault-model.js';
import type { IamGate } from './iam/iam-gate.js';
import type { OperationInput } from './input.js';
import { compileValidators, type OperationValidator, serviceModel } from './model/index.js';
import { accountOperations } from './operations/account.js';
import { caCertificateOperations } from './operations/ca-certificates.js';
import { certificateOperations } from './operations/certificates.js';
import { policyOperations } from './operations/policies.js';
import { policyVersionOperations } from './operations/policy-versions.js';
import { provisioningOperations } from './operations/provisioning.js';
import { roleAliasOperations } from './operations/role-aliases.js';
import { thingGroupOperations } from './operations/thing-groups.js';
import { thingTypeOperations } from './operations/thing-types.js';
import { thingOperations } from './operations/things.js';
import type { QuotaGate } from './quota-gate.js';
import type { LatencyModel } from './resilience.js';
import { matchRoute, type OperationName, ROUTES } from './routes.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export const OPERATION_HANDLERS: OperationHandlers = {
  ...certificateOperations,
  ...caCertificateOperations,
  ...thingOperations,
  ...policyOperations,
  ...policyVersionOperations,
  ...roleAliasOperations,
  ...provisioningOperations,
  ...accountOperations,
  ...thingTypeOperations,
  ...thingGroupOperations,
};

export interface ControlPlaneServerOptions extends ControlPlaneContext {
  /** Token buckets; absent with `--quotas none`. */
  quotas?: QuotaGate;
  latency?: LatencyModel;
  faults?: FaultInjector;
  /** SigV4 and IAM (`--iam`); absent: any credentials are accepted. */
  iam?: IamGate;
  /** Called once per completed operation (metrics, logging). */
  onOperation?: (operation: OperationName, status: number) => void;
}

let routeValidators: Map<string, OperationValidator> | undefined;

/**
 * The model's input checks for every operation in ROUTES, compiled once per process (the first
 * dispatcher pays for reading the model and compiling its patterns).
 */
export function modelValidators(): Map<string, OperationValidator> {
  routeValidators ??= compileValidators(
    serviceModel(),
    ROUTES.map(([, , operation]) => operation),
  );
  return routeValidators;
}

/** A body past MAX_BODY_BYTES; answered as InvalidRequestException. */
export class RequestBodyError extends Error {}

/** One AWS IoT API request, whatever carried it (node:http or the in-process SDK handler). */
export interface ControlPlaneRequest {
  method: string;
  /** As sent: still percent-encoded, without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** Read only once the path names an operation; rejects with RequestBodyError past the limit. */
  body(): Promise<Uint8Array>;
  /** The caller's address (`aws:SourceIp`), when a socket carried the request. */
  sourceIp?: string;
}

export interface ControlPlaneResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text, or '' for an empty 200. */
  body: string;
}

function parseJsonBody(raw: Uint8Array): Record<string, unknown> {
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch (error) {
    throw invalidRequest(
      `The request body is not valid JSON (${(error as Error).message}): send a JSON object`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('The request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function respond(status: number, body: unknown, headers: Record<string, string> = {}): ControlPlaneResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** AWS's error encoding: `x-amzn-ErrorType` names the exception, the body carries the message. */
export function errorResponse(error: IotError): ControlPlaneResponse {
  return respond(
    error.httpStatus,
    { message: error.message, ...error.extra },
    { 'x-amzn-errortype': `${error.code}:` },
  );
}

/**
 * The control plane's request logic without a transport: route, body, quotas, fault injection,
 * the model's input validation, the operation, the latency model and onOperation, for node:http and the in-process handler alike.
 */
export class ControlPlaneDispatcher {
  private readonly validators = modelValidators();

  constructor(private readonly options: ControlPlaneServerOptions) {}

  async dispatch(request: ControlPlaneRequest): Promise<ControlPlaneResponse> {
    const { method, path } = request;
    const match = matchRoute(method, path);
    let operation: OperationName | undefined;
    let status = 200;
    try {
      if (match.kind === 'bad-encoding')
        throw invalidRequest(`The path segment "${match.segment}" is not valid percent-encoding`);
      if (match.kind === 'method-not-allowed') {
        throw new IotError(
          'UnknownOperationException',
          `${method} ${path} is not an AWS IoT operation (allowed: ${match.allowed.join(', ')})`,
        );
      }
      if (match.kind === 'not-found') {
        throw new IotError(
          'UnknownOperationException',
          `${method} ${path} is not an AWS IoT operation the emulator knows; see docs/fidelity.md`,
        );
      }
      operation = match.operation;
      let raw: Uint8Array;
      try {
        raw = await request.body();
      } catch (error) {
        if (error instanceof RequestBodyError) throw invalidRequest(error.message);
        throw error;
      }
      const principal = await this.options.iam?.authenticate({
        method,
        path,
        query: request.query,
        headers: request.headers,
        body: raw,
      });
      const body = parseJsonBody(raw);
      const input: OperationInput = {
        labels: match.labels,
        query: request.query,
        headers: request.headers,
        body,
      };
      if (principal) this.options.iam?.authorize(principal, operation, input, request.sourceIp);
      if (this.options.quotas && !this.options.quotas.admit(operation)) {
        throw new IotError('ThrottlingException', 'Rate exceeded');
      }
      const fault = this.options.faults?.pick(operation);
      if (fault) {
        throw new IotError(
          fault.error,
          fault.message ?? `Injected fault (${fault.error}) for ${operation}: fault injection is on`,
        );
      }
      // AWS's service model first (InvalidRequestException, every constraint it breaks), then
      // the handler's own checks where AWS goes beyond the model.
      this.validators.get(operation)!.validate(input);
      const handler = OPERATION_HANDLERS[operation] as OperationHandler;
      const result = await handler(input, this.options);
      await this.delay(operation);
      return respond(200, result);
    } catch (caught) {
      let error: IotError;
      if (caught instanceof IotError) error = caught;
      else {
        console.error(`provbench control plane: ${(caught as Error).stack ?? String(caught)}`);
        error = new IotError('InternalFailureException', 'Internal failure in the emulator; see its log');
      }
      status = error.httpStatus;
      if (operation) await this.delay(operation);
      return errorResponse(error);
    } finally {
      if (operation) this.options.onOperation?.(operation, status);
    }
  }

  private async delay(operation: string): Promise<void> {
    const ms = this.options.latency?.sample(operation) ?? 0;
    if (ms > 0) await sleep(ms);
  }
}
