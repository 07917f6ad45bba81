import { randomBytes } from 'node:crypto';
import { notFound } from './errors.js';
import type { StoreContext } from './store-context.js';

export type EndpointType = 'iot:Data' | 'iot:Data-ATS' | 'iot:CredentialProvider' | 'iot:Jobs';

/** The account-wide settings: the endpoint prefix and the CA registration code. */
export class AccountStore {
  /** Random per account, kept across restarts with the state dir. */
  endpointPrefix = randomBytes(7).toString('hex');
  registrationCode: string | undefined;

  constructor(
    private readonly context: StoreContext,
    private readonly region: string,
  ) {}

  /** The account's data endpoint: `<prefix>-ats.iot.<region>.amazonaws.com` (ATS) or without `-ats`. */
  endpointAddress(type: EndpointType): string {
    switch (type) {
      case 'iot:Data':
        return `${this.endpointPrefix}.iot.${this.region}.amazonaws.com`;
      case 'iot:Data-ATS':
        return `${this.endpointPrefix}-ats.iot.${this.region}.amazonaws.com`;
      case 'iot:CredentialProvider':
        return `${this.endpointPrefix}.credentials.iot.${this.region}.amazonaws.com`;
      case 'iot:Jobs':
        return `${this.endpointPrefix}.jobs.iot.${this.region}.amazonaws.com`;
    }
  }

  /** GetRegistrationCode: 64 hex characters, the same until deleted. */
  getRegistrationCode(): string {
    if (!this.registrationCode) {
      this.registrationCode = randomBytes(32).toString('hex');
      this.context.changed();
    }
    return this.registrationCode;
  }

  deleteRegistrationCode(): void {
    if (!this.registrationCode) {
      throw notFound('There is no registration code to delete: call GetRegistrationCode to create one');
    }
    this.registrationCode = undefined;
    this.context.changed();
  }
}
