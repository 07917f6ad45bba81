import { randomBytes } from 'node:crypto';
import type { IamActor, IamPolicies, IamPolicyDocument } from '../contract/iam.js';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The embedded emulator's `--iam` file for one run, and who signs with which key. */
export interface RunIam {
  /** JSON for `provbench emulator --iam` (docs/emulator.md, "IAM"). */
  file: {
    principals: Array<AccessKey & { name: string; policies: IamPolicyDocument[] }>;
    services?: { krypton: string };
  };
  /** The harness itself (cleanup, actors no scenario declares): `iot:*`. */
  harness: AccessKey;
  /** Each scenario's actors' keys, by iamActorsKey (scenario and variant). */
  actors: Record<string, Partial<Record<IamActor, AccessKey>>>;
}

const HARNESS_POLICY: IamPolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }],
};

/** A fresh key in AWS's shapes: `AKIA` + 16 base-32 characters, a 40-character secret. */
function newAccessKey(): AccessKey {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = [...randomBytes(16)].map((byte) => alphabet[byte % 32]).join('');
  return { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/** `<scenario>[-<variant>]-<actor>`, in the characters IAM user names allow. */
function userName(actorsKey: string, actor: string): string {
  return `${actorsKey.replace(':', '-')}-${actor}`.replace(/[^\w+=,.@-]/g, '_').slice(0, 64);
}

/**
 * One IAM user per scenario (per variant) and actor holding exactly its declared policy, plus the
 * harness. The bootstrap service is one per emulator: it gets the declared bootstrap policies
 * of every scenario of the run, together.
 */
export function runIam(policiesByActorsKey: Record<string, IamPolicies>): RunIam {
  const harness = newAccessKey();
  const file: RunIam['file'] = {
    principals: [{ name: 'provbench-harness', ...harness, policies: [HARNESS_POLICY] }],
  };
  const actors: RunIam['actors'] = {};
  const bootstrapPolicies: IamPolicyDocument[] = [];
  const bootstrapKey = newAccessKey();
  for (const [actorsKey, policies] of Object.entries(policiesByActorsKey)) {
    const keys: Partial<Record<IamActor, AccessKey>> = {};
    for (const [actor, policy] of Object.entries(policies) as Array<[IamActor, IamPolicyDocument]>) {
      if (actor === 'bootstrap') {
        bootstrapPolicies.push(policy);
        continue;
      }
      const key = newAccessKey();
      keys[actor] = key;
      file.principals.push({ name: userName(actorsKey, actor), ...key, policies: [policy] });
    }
    actors[actorsKey] = keys;
  }
  if (bootstrapPolicies.length > 0) {
    file.principals.push({ name: 'provbench-bootstrap', ...bootstrapKey, policies: bootstrapPolicies });
    file.services = { krypton: 'provbench-bootstrap' };
  } else {
    // No pattern declares the bootstrap service's policy: it acts with the run's credentials.
    file.services = { krypton: 'provbench-harness' };
  }
  return { file, harness, actors };
}
