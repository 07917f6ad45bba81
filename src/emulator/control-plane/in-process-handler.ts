import { type ControlPlaneDispatcher, MAX_BODY_BYTES, RequestBodyError } from './dispatch.js';

/** The parts of a serialised, signed smithy HttpRequest the control plane reads. */
export interface SignedSdkRequest {
  method: string;
  /** Percent-encoded, as it would go on the wire. */
  path: string;
  query?: Record<string, string | Array<string | null> | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** What smithy's deserialisers read from an HttpResponse (`HttpResponse.isInstance` is structural). */
export interface SdkResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

function queryOf(query: SignedSdkRequest['query']): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const each of values) params.append(name, each ?? '');
  }
  return params;
}

function headersOf(headers: Record<string, string>): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return lower;
}

function bodyOf(body: unknown): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  throw new TypeError(
    'the in-process control-plane handler takes string or byte bodies only; use an HTTP endpoint for streaming bodies',
  );
}

function abortError(): Error {
  const error = new Error('Request aborted');
  error.name = 'AbortError';
  return error;
}

/**
 * A smithy request handler for an IoTClient co-hosted with the emulator's control plane: the SDK
 * still serialises, signs, deserialises and maps errors to its exception classes, but the signed
 * request goes straight to the control plane's dispatcher instead of through a loopback socket.
 * Quotas, the latency model, fault injection and onOperation apply exactly as over HTTP.
 */
export class InProcessRequestHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };

  constructor(private readonly dispatcher: ControlPlaneDispatcher) {}

  async handle(
    request: SignedSdkRequest,
    options?: { abortSignal?: { aborted: boolean } },
  ): Promise<{ response: SdkResponse }> {
    if (options?.abortSignal?.aborted) throw abortError();
    const body = bodyOf(request.body);
    const answer = await this.dispatcher.dispatch({
      method: request.method,
      path: request.path,
      query: queryOf(request.query),
      headers: headersOf(request.headers),
      body: async () => {
        if (body.byteLength > MAX_BODY_BYTES)
          throw new RequestBodyError(`request body is larger than ${MAX_BODY_BYTES} bytes`);
        return body;
      },
    });
    const payload = Buffer.from(answer.body, 'utf8');
    return {
      response: {
        statusCode: answer.status,
        headers: { ...answer.headers, 'content-length': String(payload.byteLength) },
        body: payload,
      },
    };
  }

  /** No sockets, timeouts or agents to configure. */
  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}
