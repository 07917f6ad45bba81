import {
  CreateKeysAndCertificateCommand,
  type CreateKeysAndCertificateCommandOutput,
  IoTClient,
} from '@aws-sdk/client-iot';
import {
  InProcessRequestHandler,
  type SignedSdkRequest,
} from '../../../../../src/emulator/control-plane/in-process-handler.js';
import { matchRoute } from '../../../../../src/emulator/control-plane/routes.js';
import { coHostedControlPlane } from '../../../../../src/emulator/control-plane/server.js';
import { createTestCa, type TestCa } from '../../../../support/byo-ca.js';
import { startTestEmulator, type TestEmulator } from '../../../../support/emulator.js';

/** One answer of the control plane, as it went on the wire. */
export interface RecordedAnswer {
  operation: string | undefined;
  status: number;
  /** The exception name from `x-amzn-ErrorType`, for errors. */
  errorType: string | undefined;
  /** The parsed JSON body; undefined for an empty body. */
  body: unknown;
}

/** A request sent without the SDK, for inputs the SDK would refuse to send. */
export interface RawRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

/** The in-process handler, keeping every answer so tests read what the SDK parsed away. */
class RecordingHandler extends InProcessRequestHandler {
  readonly answers: RecordedAnswer[] = [];

  override async handle(request: SignedSdkRequest, options?: { abortSignal?: { aborted: boolean } }) {
    const result = await super.handle(request, options);
    const match = matchRoute(request.method, request.path);
    const text = Buffer.from(result.response.body).toString('utf8');
    this.answers.push({
      operation: match.kind === 'match' ? match.operation : undefined,
      status: result.response.statusCode,
      errorType: result.response.headers['x-amzn-errortype']?.replace(/:.*$/, ''),
      body: text === '' ? undefined : JSON.parse(text),
    });
    return result;
  }
}

let counter = 0;

/** Shared state of the conformance cases: one emulator, an SDK client, fixtures made on demand. */
export class World {
  private constructor(
    private readonly test: TestEmulator,
    private readonly recorder: RecordingHandler,
    readonly iot: IoTClient,
  ) {}

  static async start(): Promise<World> {
    const test = await startTestEmulator({
      listeners: [],
      keyPoolSize: 2,
      deviceKeyAlgorithm: 'ec-p256',
      // DeleteThingType's success case deletes a type right after deprecating it.
      thingTypeDeletionWaitMs: 0,
    });
    const recorder = new RecordingHandler(coHostedControlPlane(test.emulator.controlPlaneUrl)!);
    const iot = new IoTClient({
      endpoint: test.emulator.controlPlaneUrl,
      region: test.emulator.region,
      credentials: { accessKeyId: 'AKIDPROVBENCHTEST', secretAccessKey: 'provbench-test-secret' },
      maxAttempts: 1,
      requestHandler: recorder,
    });
    return new World(test, recorder, iot);
  }

  async close(): Promise<void> {
    this.iot.destroy();
    await this.test.close();
  }

  get accountId(): string {
    return this.test.emulator.accountId;
  }

  get region(): string {
    return this.test.emulator.region;
  }

  /** A fresh name for a resource ("prefix_N"), valid for every IoT name pattern. */
  name(prefix: string): string {
    counter += 1;
    return `${prefix}_${counter}`;
  }

  /** How many answers so far: answersSince(mark) then reads the ones a step caused. */
  mark(): number {
    return this.recorder.answers.length;
  }

  answersSince(mark: number): RecordedAnswer[] {
    return this.recorder.answers.slice(mark);
  }

  /** Sends a request the SDK would refuse to serialise, through the same handler. */
  async raw(request: RawRequest): Promise<RecordedAnswer> {
    const signed: SignedSdkRequest = {
      method: request.method,
      path: request.path,
      query: request.query ?? {},
      headers: request.headers ?? {},
      body: request.body,
    };
    await this.recorder.handle(signed);
    return this.recorder.answers.at(-1)!;
  }

  private certificates: Promise<CreateKeysAndCertificateCommandOutput> | undefined;
  private testCa: Promise<TestCa> | undefined;

  /** An ACTIVE certificate shared by cases that only need one to exist. */
  certificate(): Promise<CreateKeysAndCertificateCommandOutput> {
    this.certificates ??= this.iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    return this.certificates;
  }

  /** A customer CA, not registered: cases register it or sign with it. */
  ca(): Promise<TestCa> {
    this.testCa ??= createTestCa('CN=Conformance CA');
    return this.testCa;
  }
}

/** One operation's cases: a call AWS accepts and one it rejects (each must send that operation). */
export interface ConformanceCase {
  operation: string;
  /** Sends an accepted request; the answer is checked against the model's output shape. */
  success(world: World): Promise<unknown>;
  /** Sends a rejected request (through the SDK, or world.raw); must fail with `errorCode`. */
  error(world: World): Promise<unknown>;
  errorCode: string;
}
