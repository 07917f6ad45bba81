import { evaluatePolicies, type PolicyContext, type PolicyDocument } from '../../policy/index.js';
import { IotArns, IotError } from '../../registry/index.js';
import type { OperationInput } from '../input.js';
import type { OperationName } from '../routes.js';
import type { IamFile } from './iam-file.js';
import { OPERATION_ACCESS } from './operation-access.js';
import { type SignedRequest, SigV4Verifier } from './sigv4.js';

export interface IamPrincipal {
  name: string;
  /** `arn:aws:iam::<account>:user/<name>`. */
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
  policies: readonly PolicyDocument[];
}

export interface IamGateOptions {
  region: string;
  accountId: string;
  now?: () => number;
}

/**
 * The control plane's front door with `--iam`: SigV4 authenticates the caller as one of the
 * file's IAM users, then the user's identity policies decide (explicit Deny wins, then Allow,
 * else denied) on the operation's action and resource (operation-access.ts).
 */
export class IamGate {
  private readonly byKey = new Map<string, IamPrincipal>();
  private readonly verifier: SigV4Verifier;
  private readonly arns: IotArns;

  constructor(
    readonly file: IamFile,
    private readonly options: IamGateOptions,
  ) {
    for (const principal of file.principals) {
      this.byKey.set(principal.accessKeyId, {
        ...principal,
        arn: `arn:aws:iam::${options.accountId}:user/${principal.name}`,
      });
    }
    this.arns = new IotArns(options.region, options.accountId);
    this.verifier = new SigV4Verifier({ region: options.region, keys: this.byKey, now: options.now });
  }

  /** The principal the emulator's own service signs as (`services.<name>` in the file). */
  serviceCredentials(service: 'krypton'): { accessKeyId: string; secretAccessKey: string } | undefined {
    const name = this.file.services?.[service];
    const principal = this.file.principals.find((each) => each.name === name);
    return principal && { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey };
  }

  /** SigV4: the IAM user who signed `request`; throws the IotError AWS answers. */
  async authenticate(request: SignedRequest): Promise<IamPrincipal> {
    const accessKeyId = await this.verifier.verify(request);
    return this.byKey.get(accessKeyId) as IamPrincipal;
  }

  /** The principal's identity policies on the operation; throws AccessDeniedException. */
  authorize(
    principal: IamPrincipal,
    operation: OperationName,
    input: OperationInput,
    sourceIp?: string,
  ): void {
    const access = OPERATION_ACCESS[operation];
    if (!access) {
      throw new IotError(
        'AccessDeniedException',
        `User: ${principal.arn} is not authorized to perform: iot:${operation}: the emulator has no IAM mapping for it`,
      );
    }
    const resource = access.resource(input, this.arns);
    const context: PolicyContext = {
      region: this.options.region,
      accountId: this.options.accountId,
      sourceIp,
      keys: {
        'aws:username': principal.name,
        'aws:principalarn': principal.arn,
        'aws:principalaccount': this.options.accountId,
        'aws:principaltype': 'User',
        'aws:requestedregion': this.options.region,
        'aws:securetransport': 'false',
        'aws:currenttime': new Date((this.options.now ?? Date.now)()).toISOString(),
      },
    };
    const decision = evaluatePolicies(principal.policies, { action: access.action, resource, context });
    if (decision.allowed) return;
    const because =
      decision.decision === 'explicit-deny'
        ? 'with an explicit deny in an identity-based policy'
        : `because no identity-based policy allows the ${access.action} action`;
    throw new IotError(
      'AccessDeniedException',
      `User: ${principal.arn} is not authorized to perform: ${access.action} on resource: ${resource} ${because}`,
    );
  }
}
