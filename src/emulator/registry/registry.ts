import { randomBytes } from 'node:crypto';
import type { ParsedCertificate } from '../../pki/index.js';
import { isSignedBy, parseCertificatePem } from '../../pki/index.js';
import { IotArns } from './arn.js';
import { StoredCertificateRecord } from './certificate-record.js';
import { alreadyExists, IotError, invalidRequest, notFound } from './errors.js';
import { RegistryEvents } from './events.js';
import { randomUuid } from './ids.js';
import { MultiIndex } from './multi-index.js';
import { type Page, paginate, paginateList } from './pagination.js';
import { validatePolicyDocument } from './policy-document.js';
import type {
  AutoRegistrationStatus,
  CaCertificateRecord,
  CaCertificateStatus,
  CertificateMode,
  CertificateRecord,
  CertificateStatus,
  PolicyRecord,
  ProvisioningHook,
  ProvisioningTemplateRecord,
  RegistrationConfig,
  ThingRecord,
  TopicRuleRecord,
} from './records.js';
import type { RegistrySnapshot } from './snapshot.js';

export interface RegistryOptions {
  region: string;
  accountId: string;
  /** Account limits the registry enforces (defaults are AWS's). */
  limits?: {
    caCertificatesPerSubject?: number;
    policiesPerPrincipal?: number;
    provisioningTemplates?: number;
  };
  /** Clock, for tests. */
  now?: () => number;
}

export interface AddCertificateInput {
  certificate: ParsedCertificate;
  status: CertificateStatus;
  origin: CertificateRecord['origin'];
  caCertificateId?: string;
  certificateMode?: CertificateMode;
  expiresAt?: number;
  provisioningTemplateName?: string;
}

export interface AddCaCertificateInput {
  certificate: ParsedCertificate;
  status: CaCertificateStatus;
  autoRegistrationStatus: AutoRegistrationStatus;
  registrationConfig?: RegistrationConfig;
  certificateMode: CertificateMode;
}

export interface ThingInput {
  thingName: string;
  thingTypeName?: string;
  attributes?: Record<string, string>;
  billingGroupName?: string;
}

export interface ThingUpdate {
  thingTypeName?: string;
  removeThingType?: boolean;
  /** AttributePayload: replaces all attributes unless `merge`; with merge an empty value removes. */
  attributePayload?: { attributes?: Record<string, string>; merge?: boolean };
  expectedVersion?: number;
}

export interface ListThingsFilter {
  attributeName?: string;
  attributeValue?: string;
  usePrefixAttributeValue?: boolean;
  thingTypeName?: string;
}

export interface TemplateInput {
  templateName: string;
  description?: string;
  templateBody: string;
  enabled: boolean;
  provisioningRoleArn: string;
  preProvisioningHook?: ProvisioningHook;
  type: 'FLEET_PROVISIONING' | 'JITP';
}

export interface TemplateUpdate {
  description?: string;
  enabled?: boolean;
  defaultVersionId?: number;
  provisioningRoleArn?: string;
  preProvisioningHook?: ProvisioningHook;
  removePreProvisioningHook?: boolean;
}

/** Shared by every thing created without attributes (UpdateThing replaces, never mutates, the object). */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({});

const MANUAL_CERTIFICATE_STATUSES: ReadonlySet<string> = new Set([
  'ACTIVE',
  'INACTIVE',
  'REVOKED',
  'REGISTER_INACTIVE',
]);

/**
 * The emulated account's AWS IoT registry: certificates, CAs, things, policies, attachments,
 * provisioning templates, topic rules, tags. Every method is synchronous and either applies
 * its whole change or throws an IotError and changes nothing.
 */
export class IotRegistry {
  readonly arns: IotArns;
  readonly events = new RegistryEvents();
  readonly region: string;
  readonly accountId: string;
  private readonly now: () => number;
  private readonly limits: {
    caCertificatesPerSubject: number;
    policiesPerPrincipal: number;
    provisioningTemplates: number;
  };

  private readonly certificates = new Map<string, CertificateRecord>();
  private readonly caCertificates = new Map<string, CaCertificateRecord>();
  private readonly casBySubject = new MultiIndex<string, string>();
  private readonly parsedCas = new Map<string, ParsedCertificate>();
  private readonly things = new Map<string, ThingRecord>();
  private readonly policies = new Map<string, PolicyRecord>();
  private readonly templates = new Map<string, ProvisioningTemplateRecord>();
  private readonly topicRules = new Map<string, TopicRuleRecord>();
  private readonly tags = new Map<string, Record<string, string>>();
  /** principal ARN → thing names, and the reverse. */
  private readonly thingsByPrincipal = new MultiIndex<string, string>();
  private readonly principalsByThing = new MultiIndex<string, string>();
  /** target (cert ARN, group ARN, Cognito ID) → policy names, and the reverse. */
  private readonly policiesByTarget = new MultiIndex<string, string>();
  private readonly targetsByPolicy = new MultiIndex<string, string>();
  private registrationCode: string | undefined;
  private endpointPrefix: string;
  private sequence = 0;

  constructor(options: RegistryOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.arns = new IotArns(options.region, options.accountId);
    this.now = options.now ?? Date.now;
    this.limits = {
      caCertificatesPerSubject: options.limits?.caCertificatesPerSubject ?? 10,
      policiesPerPrincipal: options.limits?.policiesPerPrincipal ?? 10,
      provisioningTemplates: options.limits?.provisioningTemplates ?? 256,
    };
    this.endpointPrefix = randomBytes(7).toString('hex');
  }

  private nextSequence(): number {
    this.sequence += 1;
    return this.sequence;
  }

  private changed(): void {
    this.events.emit('changed', {});
  }

  // ---- endpoint -------------------------------------------------------------------------

  /** The account's data endpoint: `<prefix>-ats.iot.<region>.amazonaws.com` (ATS) or without `-ats`. */
  endpointAddress(type: 'iot:Data' | 'iot:Data-ATS' | 'iot:CredentialProvider' | 'iot:Jobs'): string {
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

  // ---- certificates ---------------------------------------------------------------------

  /** Hot path: a certificate by ID (including provisioning claims), or undefined. */
  getCertificate(certificateId: string): CertificateRecord | undefined {
    return this.certificates.get(certificateId);
  }

  describeCertificate(certificateId: string): CertificateRecord {
    const record = this.certificates.get(certificateId);
    if (!record || record.origin === 'provisioning-claim') {
      throw notFound(`The certificate ${certificateId} does not exist: check the certificate ID`);
    }
    return record;
  }

  /** Stores a certificate; ResourceAlreadyExists when the same certificate is already there. */
  addCertificate(input: AddCertificateInput): CertificateRecord {
    const id = input.certificate.certificateId;
    const existing = this.certificates.get(id);
    if (existing) {
      throw alreadyExists(
        'The certificate is already provisioned or registered',
        id,
        existing.certificateArn,
      );
    }
    if (input.caCertificateId && !this.caCertificates.has(input.caCertificateId)) {
      throw notFound(`The CA certificate ${input.caCertificateId} is not registered`);
    }
    const now = this.now();
    const record = new StoredCertificateRecord(
      {
        certificateId: id,
        certificateArn: this.arns.certificate(id),
        status: input.status,
        certificateMode: input.certificateMode ?? 'DEFAULT',
        origin: input.origin,
        creationDate: now,
        lastModifiedDate: now,
        customerVersion: 1,
        generationId: randomUuid(),
        validity: {
          notBefore: input.certificate.notBefore.getTime(),
          notAfter: input.certificate.notAfter.getTime(),
        },
        sequence: this.nextSequence(),
      },
      input.certificate.pem,
    );
    if (input.caCertificateId) record.caCertificateId = input.caCertificateId;
    if (input.expiresAt !== undefined) record.expiresAt = input.expiresAt;
    if (input.provisioningTemplateName !== undefined)
      record.provisioningTemplateName = input.provisioningTemplateName;
    this.certificates.set(id, record);
    this.changed();
    return record;
  }

  /**
   * UpdateCertificate. `internal` allows the statuses only AWS itself sets (PENDING_ACTIVATION,
   * PENDING_TRANSFER), for JITR and fleet provisioning.
   */
  updateCertificateStatus(
    certificateId: string,
    status: CertificateStatus,
    options: { internal?: boolean } = {},
  ): CertificateRecord {
    if (!options.internal && !MANUAL_CERTIFICATE_STATUSES.has(status)) {
      throw invalidRequest(
        `Certificate status ${status} is set by AWS IoT only: use ACTIVE, INACTIVE or REVOKED`,
      );
    }
    const record = this.describeCertificate(certificateId);
    if (record.status === 'PENDING_TRANSFER' && !options.internal) {
      throw new IotError(
        'CertificateStateException',
        `The certificate ${certificateId} is pending transfer and cannot be updated`,
      );
    }
    const previousStatus = record.status;
    if (previousStatus === status) return record;
    record.status = status;
    record.lastModifiedDate = this.now();
    record.customerVersion += 1;
    record.generationId = randomUuid();
    this.events.emit('certificateStatusChanged', { certificateId, previousStatus, status });
    this.changed();
    return record;
  }

  /** DeleteCertificate: refuses ACTIVE (406) and certificates attached to things or (without force) policies (409). */
  deleteCertificate(certificateId: string, forceDelete = false): void {
    const record = this.describeCertificate(certificateId);
    if (record.status === 'ACTIVE') {
      throw new IotError(
        'CertificateStateException',
        `Certificate ${certificateId} is ACTIVE: set it INACTIVE or REVOKED (UpdateCertificate) before deleting it`,
      );
    }
    const arn = record.certificateArn;
    if (this.thingsByPrincipal.has(arn)) {
      throw new IotError(
        'DeleteConflictException',
        `Certificate ${certificateId} is attached to one or more things: detach it (DetachThingPrincipal) first`,
      );
    }
    if (this.policiesByTarget.has(arn) && !forceDelete) {
      throw new IotError(
        'DeleteConflictException',
        `Certificate ${certificateId} has policies attached: detach them (DetachPolicy) or pass forceDelete`,
      );
    }
    for (const policyName of this.policiesByTarget.deleteKey(arn))
      this.targetsByPolicy.delete(policyName, arn);
    this.certificates.delete(certificateId);
    this.tags.delete(arn);
    this.events.emit('certificateDeleted', { certificateId, certificateArn: arn });
    this.changed();
  }

  /** Removes a provisioning claim or an unclaimed fleet-provisioning certificate (no checks). */
  removeCertificate(certificateId: string): void {
    const record = this.certificates.get(certificateId);
    if (!record) return;
    const arn = record.certificateArn;
    for (const thingName of this.thingsByPrincipal.deleteKey(arn))
      this.principalsByThing.delete(thingName, arn);
    for (const policyName of this.policiesByTarget.deleteKey(arn))
      this.targetsByPolicy.delete(policyName, arn);
    this.certificates.delete(certificateId);
    this.events.emit('certificateDeleted', { certificateId, certificateArn: arn });
    this.changed();
  }

  listCertificates(options: {
    pageSize?: number;
    marker?: string;
    ascendingOrder?: boolean;
    caCertificateId?: string;
  }): Page<CertificateRecord> {
    if (options.caCertificateId !== undefined) this.describeCaCertificate(options.caCertificateId);
    const visible = [...this.certificates.values()].filter(
      (record) =>
        record.origin !== 'provisioning-claim' &&
        (options.caCertificateId === undefined || record.caCertificateId === options.caCertificateId),
    );
    return paginate(visible, {
      pageSize: options.pageSize,
      token: options.marker,
      ascending: options.ascendingOrder ?? false,
    });
  }

  // ---- registration code and CA certificates -------------------------------------------

  /** GetRegistrationCode: 64 hex characters, the same until deleted. */
  getRegistrationCode(): string {
    if (!this.registrationCode) {
      this.registrationCode = randomBytes(32).toString('hex');
      this.changed();
    }
    return this.registrationCode;
  }

  /** The current code without creating one. */
  currentRegistrationCode(): string | undefined {
    return this.registrationCode;
  }

  deleteRegistrationCode(): void {
    if (!this.registrationCode) {
      throw notFound('There is no registration code to delete: call GetRegistrationCode to create one');
    }
    this.registrationCode = undefined;
    this.changed();
  }

  getCaCertificate(certificateId: string): CaCertificateRecord | undefined {
    return this.caCertificates.get(certificateId);
  }

  describeCaCertificate(certificateId: string): CaCertificateRecord {
    const record = this.caCertificates.get(certificateId);
    if (!record)
      throw notFound(
        `The CA certificate ${certificateId} is not registered: check the ID (ListCACertificates)`,
      );
    return record;
  }

  /** Hot path: registered CAs whose subject equals this issuer name (Node's rendering). */
  findCaCertificatesBySubject(subjectName: string): CaCertificateRecord[] {
    return this.casBySubject
      .values(subjectName)
      .map((id) => this.caCertificates.get(id)!)
      .filter(Boolean);
  }

  /**
   * Hot path: the registered CA that really signed `certificate` (issuer name matches and the
   * signature verifies), preferring ACTIVE ones; undefined when none did.
   */
  findSigningCaCertificate(certificate: ParsedCertificate): CaCertificateRecord | undefined {
    let inactiveMatch: CaCertificateRecord | undefined;
    for (const ca of this.findCaCertificatesBySubject(certificate.issuerName)) {
      const parsed = this.parsedCaCertificate(ca.certificateId);
      if (!parsed || !isSignedBy(certificate, parsed)) continue;
      if (ca.status === 'ACTIVE') return ca;
      inactiveMatch ??= ca;
    }
    return inactiveMatch;
  }

  /** JITR/JITP: registers an unknown device certificate signed by `ca` as PENDING_ACTIVATION. */
  registerPendingActivation(certificate: ParsedCertificate, ca: CaCertificateRecord): CertificateRecord {
    return this.addCertificate({
      certificate,
      status: 'PENDING_ACTIVATION',
      origin: 'registered',
      caCertificateId: ca.certificateId,
      certificateMode: ca.certificateMode,
    });
  }

  /** The parsed certificate of a registered CA (cached), to check device-certificate signatures. */
  parsedCaCertificate(certificateId: string): ParsedCertificate | undefined {
    let parsed = this.parsedCas.get(certificateId);
    if (!parsed) {
      const record = this.caCertificates.get(certificateId);
      if (!record) return undefined;
      parsed = parseCertificatePem(record.certificatePem);
      this.parsedCas.set(certificateId, parsed);
    }
    return parsed;
  }

  addCaCertificate(input: AddCaCertificateInput): CaCertificateRecord {
    const id = input.certificate.certificateId;
    const existing = this.caCertificates.get(id);
    if (existing) {
      throw alreadyExists('The CA certificate is already registered', id, existing.certificateArn);
    }
    const sameSubject = this.casBySubject.count(input.certificate.subjectName);
    if (sameSubject >= this.limits.caCertificatesPerSubject) {
      throw new IotError(
        'LimitExceededException',
        `At most ${this.limits.caCertificatesPerSubject} CA certificates with the same subject may be registered: delete one first`,
      );
    }
    const now = this.now();
    const record: CaCertificateRecord = {
      certificateId: id,
      certificateArn: this.arns.caCertificate(id),
      certificatePem: input.certificate.pem,
      subjectName: input.certificate.subjectName,
      status: input.status,
      autoRegistrationStatus: input.autoRegistrationStatus,
      registrationConfig: { ...(input.registrationConfig ?? {}) },
      certificateMode: input.certificateMode,
      creationDate: now,
      lastModifiedDate: now,
      customerVersion: 1,
      generationId: randomUuid(),
      validity: {
        notBefore: input.certificate.notBefore.getTime(),
        notAfter: input.certificate.notAfter.getTime(),
      },
      sequence: this.nextSequence(),
    };
    this.caCertificates.set(id, record);
    this.parsedCas.set(id, input.certificate);
    this.casBySubject.add(record.subjectName, id);
    this.changed();
    return record;
  }

  updateCaCertificate(
    certificateId: string,
    update: {
      newStatus?: CaCertificateStatus;
      newAutoRegistrationStatus?: AutoRegistrationStatus;
      registrationConfig?: RegistrationConfig;
      removeAutoRegistration?: boolean;
    },
  ): CaCertificateRecord {
    const record = this.describeCaCertificate(certificateId);
    if (
      update.registrationConfig?.templateName &&
      !this.templates.has(update.registrationConfig.templateName)
    ) {
      throw notFound(`The provisioning template ${update.registrationConfig.templateName} does not exist`);
    }
    const statusChanged = update.newStatus !== undefined && update.newStatus !== record.status;
    if (update.newStatus) record.status = update.newStatus;
    if (update.newAutoRegistrationStatus) record.autoRegistrationStatus = update.newAutoRegistrationStatus;
    if (update.registrationConfig) record.registrationConfig = { ...update.registrationConfig };
    if (update.removeAutoRegistration) record.registrationConfig = {};
    record.lastModifiedDate = this.now();
    record.customerVersion += 1;
    record.generationId = randomUuid();
    if (statusChanged)
      this.events.emit('caCertificateStatusChanged', { certificateId, status: record.status });
    this.changed();
    return record;
  }

  deleteCaCertificate(certificateId: string): void {
    const record = this.describeCaCertificate(certificateId);
    if (record.status === 'ACTIVE') {
      throw new IotError(
        'CertificateStateException',
        `CA certificate ${certificateId} is ACTIVE: set it INACTIVE (UpdateCACertificate newStatus=INACTIVE) before deleting it`,
      );
    }
    this.caCertificates.delete(certificateId);
    this.parsedCas.delete(certificateId);
    this.casBySubject.delete(record.subjectName, certificateId);
    this.tags.delete(record.certificateArn);
    this.changed();
  }

  listCaCertificates(options: {
    pageSize?: number;
    marker?: string;
    ascendingOrder?: boolean;
    templateName?: string;
  }): Page<CaCertificateRecord> {
    const records = [...this.caCertificates.values()].filter(
      (record) =>
        options.templateName === undefined || record.registrationConfig.templateName === options.templateName,
    );
    return paginate(records, {
      pageSize: options.pageSize,
      token: options.marker,
      ascending: options.ascendingOrder ?? false,
    });
  }

  // ---- things ---------------------------------------------------------------------------

  getThing(thingName: string): ThingRecord | undefined {
    return this.things.get(thingName);
  }

  describeThing(thingName: string): ThingRecord {
    const record = this.things.get(thingName);
    if (!record)
      throw notFound(`Thing ${thingName} cannot be found: check the name or create it (CreateThing)`);
    return record;
  }

  /** CreateThing: idempotent for an identical request, ResourceAlreadyExists otherwise. */
  createThing(input: ThingInput): ThingRecord {
    const existing = this.things.get(input.thingName);
    const attributes = input.attributes ?? {};
    if (existing) {
      const same =
        existing.thingTypeName === input.thingTypeName &&
        existing.billingGroupName === input.billingGroupName &&
        JSON.stringify(Object.entries(existing.attributes).sort()) ===
          JSON.stringify(Object.entries(attributes).sort());
      if (same) return existing;
      throw alreadyExists(
        `Thing ${input.thingName} already exists in account with different attributes`,
        existing.thingId,
        existing.thingArn,
      );
    }
    if (input.thingTypeName !== undefined) {
      throw notFound(
        `Thing type ${input.thingTypeName} does not exist: the emulator has no thing types; omit thingTypeName`,
      );
    }
    if (input.billingGroupName !== undefined) {
      throw notFound(
        `Billing group ${input.billingGroupName} does not exist: the emulator has no billing groups; omit it`,
      );
    }
    const record: ThingRecord = {
      thingName: input.thingName,
      thingId: randomUuid(),
      thingArn: this.arns.thing(input.thingName),
      attributes: Object.keys(attributes).length === 0 ? NO_ATTRIBUTES : { ...attributes },
      version: 1,
      creationDate: this.now(),
      sequence: this.nextSequence(),
    };
    this.things.set(input.thingName, record);
    this.changed();
    return record;
  }

  updateThing(thingName: string, update: ThingUpdate): ThingRecord {
    const record = this.describeThing(thingName);
    if (update.expectedVersion !== undefined && update.expectedVersion !== record.version) {
      throw new IotError(
        'VersionConflictException',
        `Thing ${thingName} is at version ${record.version}, not ${update.expectedVersion}: describe it and retry`,
      );
    }
    if (update.thingTypeName !== undefined) {
      throw notFound(`Thing type ${update.thingTypeName} does not exist: the emulator has no thing types`);
    }
    const payload = update.attributePayload;
    if (payload?.attributes) {
      const next: Record<string, string> = payload.merge ? { ...record.attributes } : {};
      for (const [name, value] of Object.entries(payload.attributes)) {
        if (payload.merge && value === '') delete next[name];
        else next[name] = value;
      }
      record.attributes = next;
    }
    if (update.removeThingType) delete record.thingTypeName;
    record.version += 1;
    this.changed();
    return record;
  }

  /** DeleteThing: succeeds for a missing thing; refuses while principals are attached. */
  deleteThing(thingName: string, expectedVersion?: number): void {
    const record = this.things.get(thingName);
    if (!record) return;
    if (expectedVersion !== undefined && expectedVersion !== record.version) {
      throw new IotError(
        'VersionConflictException',
        `Thing ${thingName} is at version ${record.version}, not ${expectedVersion}: describe it and retry`,
      );
    }
    if (this.principalsByThing.has(thingName)) {
      throw invalidRequest(
        `Cannot delete. Thing ${thingName} is still attached to one or more principals: detach them (DetachThingPrincipal) first`,
      );
    }
    this.things.delete(thingName);
    this.tags.delete(record.thingArn);
    this.changed();
  }

  listThings(options: ListThingsFilter & { maxResults?: number; nextToken?: string }): Page<ThingRecord> {
    const matches = [...this.things.values()].filter((thing) => {
      if (options.thingTypeName !== undefined && thing.thingTypeName !== options.thingTypeName) return false;
      if (options.attributeName !== undefined) {
        const value = thing.attributes[options.attributeName];
        if (value === undefined) return false;
        if (options.attributeValue !== undefined) {
          return options.usePrefixAttributeValue
            ? value.startsWith(options.attributeValue)
            : value === options.attributeValue;
        }
      }
      return true;
    });
    return paginate(matches, { pageSize: options.maxResults, token: options.nextToken, ascending: true });
  }

  /** The certificate behind a principal ARN, or ResourceNotFound. */
  private certificateForPrincipal(principal: string): CertificateRecord {
    const parsed = this.arns.parse(principal);
    const record = parsed?.kind === 'cert' ? this.certificates.get(parsed.id) : undefined;
    if (!record) {
      throw notFound(
        `The principal ${principal} does not exist: pass the ARN of a certificate in this account`,
      );
    }
    return record;
  }

  attachThingPrincipal(
    thingName: string,
    principal: string,
    thingPrincipalType?: 'EXCLUSIVE_THING' | 'NON_EXCLUSIVE_THING',
  ): void {
    const thing = this.describeThing(thingName);
    const certificate = this.certificateForPrincipal(principal);
    const attached = this.thingsByPrincipal.count(principal);
    if (
      thingPrincipalType === 'EXCLUSIVE_THING' &&
      attached > 0 &&
      (attached > 1 || !this.thingsByPrincipal.hasValue(principal, thingName))
    ) {
      throw invalidRequest(
        `Principal ${principal} is already attached to another thing; EXCLUSIVE_THING allows only one`,
      );
    }
    // The records' own strings, so the index holds no copies of the request's.
    this.thingsByPrincipal.add(certificate.certificateArn, thing.thingName);
    this.principalsByThing.add(thing.thingName, certificate.certificateArn);
    this.changed();
  }

  detachThingPrincipal(thingName: string, principal: string): void {
    this.describeThing(thingName);
    this.thingsByPrincipal.delete(principal, thingName);
    this.principalsByThing.delete(thingName, principal);
    this.changed();
  }

  listThingPrincipals(
    thingName: string,
    options: { maxResults?: number; nextToken?: string } = {},
  ): Page<string> {
    this.describeThing(thingName);
    return paginateList(this.principalsByThing.values(thingName), {
      pageSize: options.maxResults,
      token: options.nextToken,
    });
  }

  listPrincipalThings(
    principal: string,
    options: { maxResults?: number; nextToken?: string } = {},
  ): Page<string> {
    this.certificateForPrincipal(principal);
    return paginateList(this.thingsByPrincipal.values(principal), {
      pageSize: options.maxResults,
      token: options.nextToken,
    });
  }

  /** Hot path: things attached to a principal ARN. */
  thingsForPrincipal(principal: string): ThingRecord[] {
    return this.thingsByPrincipal
      .values(principal)
      .map((name) => this.things.get(name)!)
      .filter(Boolean);
  }

  thingsForCertificate(certificateId: string): ThingRecord[] {
    return this.thingsForPrincipal(this.arns.certificate(certificateId));
  }

  // ---- policies -------------------------------------------------------------------------

  getPolicy(policyName: string): PolicyRecord | undefined {
    return this.policies.get(policyName);
  }

  describePolicy(policyName: string): PolicyRecord {
    const record = this.policies.get(policyName);
    if (!record) throw notFound(`Policy ${policyName} does not exist: create it (CreatePolicy) first`);
    return record;
  }

  createPolicy(policyName: string, policyDocument: string): PolicyRecord {
    const existing = this.policies.get(policyName);
    if (existing) {
      throw alreadyExists(
        `Policy cannot be created - name already exists (name=${policyName})`,
        policyName,
        existing.policyArn,
      );
    }
    validatePolicyDocument(policyDocument);
    const now = this.now();
    const record: PolicyRecord = {
      policyName,
      policyArn: this.arns.policy(policyName),
      policyDocument,
      defaultVersionId: '1',
      creationDate: now,
      lastModifiedDate: now,
      generationId: randomUuid(),
    };
    this.policies.set(policyName, record);
    this.changed();
    return record;
  }

  deletePolicy(policyName: string): void {
    const record = this.describePolicy(policyName);
    if (this.targetsByPolicy.has(policyName)) {
      throw new IotError(
        'DeleteConflictException',
        `The policy cannot be deleted as the policy is attached to one or more principals (name=${policyName}): detach it first`,
      );
    }
    this.policies.delete(policyName);
    this.tags.delete(record.policyArn);
    this.changed();
  }

  /** AttachPolicy: the policy and (for a certificate ARN) the certificate must exist; at most 10 per target. */
  attachPolicy(policyName: string, target: string): void {
    const policy = this.describePolicy(policyName);
    const storedTarget =
      target.startsWith('arn:aws:iot:') && target.includes(':cert/')
        ? this.certificateForPrincipal(target).certificateArn
        : target;
    if (this.policiesByTarget.hasValue(target, policyName)) return;
    if (this.policiesByTarget.count(target) >= this.limits.policiesPerPrincipal) {
      throw new IotError(
        'LimitExceededException',
        `A target may have at most ${this.limits.policiesPerPrincipal} policies attached: detach one first`,
      );
    }
    this.policiesByTarget.add(storedTarget, policy.policyName);
    this.targetsByPolicy.add(policy.policyName, storedTarget);
    this.changed();
  }

  detachPolicy(policyName: string, target: string): void {
    this.policiesByTarget.delete(target, policyName);
    this.targetsByPolicy.delete(policyName, target);
    this.changed();
  }

  listAttachedPolicies(
    target: string,
    options: { pageSize?: number; marker?: string } = {},
  ): Page<PolicyRecord> {
    if (target.startsWith('arn:aws:iot:') && target.includes(':cert/')) this.certificateForPrincipal(target);
    return paginateList(this.policiesForPrincipal(target), {
      pageSize: options.pageSize,
      token: options.marker,
    });
  }

  listTargetsForPolicy(
    policyName: string,
    options: { pageSize?: number; marker?: string } = {},
  ): Page<string> {
    this.describePolicy(policyName);
    return paginateList(this.targetsByPolicy.values(policyName), {
      pageSize: options.pageSize,
      token: options.marker,
    });
  }

  /** Hot path: policies attached to a principal ARN. */
  policiesForPrincipal(principal: string): PolicyRecord[] {
    return this.policiesByTarget
      .values(principal)
      .map((name) => this.policies.get(name)!)
      .filter(Boolean);
  }

  policiesForCertificate(certificateId: string): PolicyRecord[] {
    return this.policiesForPrincipal(this.arns.certificate(certificateId));
  }

  // ---- provisioning templates -----------------------------------------------------------

  getProvisioningTemplate(templateName: string): ProvisioningTemplateRecord | undefined {
    return this.templates.get(templateName);
  }

  describeProvisioningTemplate(templateName: string): ProvisioningTemplateRecord {
    const record = this.templates.get(templateName);
    if (!record) throw notFound(`The provisioning template ${templateName} does not exist`);
    return record;
  }

  createProvisioningTemplate(input: TemplateInput): ProvisioningTemplateRecord {
    const existing = this.templates.get(input.templateName);
    if (existing) {
      throw alreadyExists(
        `Template ${input.templateName} already exists`,
        input.templateName,
        existing.templateArn,
      );
    }
    if (this.templates.size >= this.limits.provisioningTemplates) {
      throw new IotError(
        'LimitExceededException',
        `At most ${this.limits.provisioningTemplates} provisioning templates per account: delete one first`,
      );
    }
    if (input.type === 'JITP' && input.preProvisioningHook) {
      throw invalidRequest('A pre-provisioning hook is only allowed on FLEET_PROVISIONING templates');
    }
    const now = this.now();
    const record: ProvisioningTemplateRecord = {
      ...input,
      templateArn: this.arns.provisioningTemplate(input.templateName),
      defaultVersionId: 1,
      creationDate: now,
      lastModifiedDate: now,
      sequence: this.nextSequence(),
    };
    this.templates.set(input.templateName, record);
    this.changed();
    return record;
  }

  updateProvisioningTemplate(templateName: string, update: TemplateUpdate): ProvisioningTemplateRecord {
    const record = this.describeProvisioningTemplate(templateName);
    if (update.defaultVersionId !== undefined && update.defaultVersionId !== record.defaultVersionId) {
      throw invalidRequest(
        `Template ${templateName} has only version ${record.defaultVersionId}; the emulator keeps one version`,
      );
    }
    if (update.preProvisioningHook && record.type === 'JITP') {
      throw invalidRequest('A pre-provisioning hook is only allowed on FLEET_PROVISIONING templates');
    }
    if (update.description !== undefined) record.description = update.description;
    if (update.enabled !== undefined) record.enabled = update.enabled;
    if (update.provisioningRoleArn !== undefined) record.provisioningRoleArn = update.provisioningRoleArn;
    if (update.preProvisioningHook) record.preProvisioningHook = update.preProvisioningHook;
    if (update.removePreProvisioningHook) delete record.preProvisioningHook;
    record.lastModifiedDate = this.now();
    this.changed();
    return record;
  }

  deleteProvisioningTemplate(templateName: string): void {
    const record = this.describeProvisioningTemplate(templateName);
    const usedBy = [...this.caCertificates.values()].find(
      (ca) => ca.registrationConfig.templateName === templateName,
    );
    if (usedBy) {
      throw new IotError(
        'DeleteConflictException',
        `Template ${templateName} is used by CA certificate ${usedBy.certificateId}: remove it from the CA (UpdateCACertificate removeAutoRegistration) first`,
      );
    }
    this.templates.delete(templateName);
    this.tags.delete(record.templateArn);
    this.changed();
  }

  listProvisioningTemplates(
    options: { maxResults?: number; nextToken?: string } = {},
  ): Page<ProvisioningTemplateRecord> {
    return paginate(this.templates.values(), {
      pageSize: options.maxResults,
      token: options.nextToken,
      ascending: true,
    });
  }

  // ---- topic rules ----------------------------------------------------------------------

  createTopicRule(input: Omit<TopicRuleRecord, 'ruleArn' | 'createdAt'>): TopicRuleRecord {
    const existing = this.topicRules.get(input.ruleName);
    if (existing)
      throw alreadyExists(`Rule ${input.ruleName} already exists`, input.ruleName, existing.ruleArn);
    const record: TopicRuleRecord = {
      ...input,
      ruleArn: this.arns.topicRule(input.ruleName),
      createdAt: this.now(),
    };
    this.topicRules.set(input.ruleName, record);
    this.changed();
    return record;
  }

  getTopicRule(ruleName: string): TopicRuleRecord | undefined {
    return this.topicRules.get(ruleName);
  }

  deleteTopicRule(ruleName: string): void {
    const record = this.topicRules.get(ruleName);
    if (!record) return;
    this.topicRules.delete(ruleName);
    this.tags.delete(record.ruleArn);
    this.changed();
  }

  /** Hot path for the data plane: every stored rule. */
  listTopicRules(): TopicRuleRecord[] {
    return [...this.topicRules.values()];
  }

  // ---- tags -----------------------------------------------------------------------------

  /** True when an ARN names a taggable resource that exists in this registry. */
  private resourceExists(arn: string): boolean {
    const parsed = this.arns.parse(arn);
    if (!parsed) return false;
    switch (parsed.kind) {
      case 'thing':
        return this.things.has(parsed.id);
      case 'policy':
        return this.policies.has(parsed.id);
      case 'cert':
        return this.certificates.has(parsed.id);
      case 'cacert':
        return this.caCertificates.has(parsed.id);
      case 'provisioningtemplate':
        return this.templates.has(parsed.id);
      case 'rule':
        return this.topicRules.has(parsed.id);
      default:
        return false;
    }
  }

  private requireResource(arn: string): void {
    if (!this.resourceExists(arn)) {
      throw notFound(
        `Resource ${arn} does not exist: pass the ARN of a thing, policy, certificate, CA, template or rule`,
      );
    }
  }

  tagResource(resourceArn: string, tags: Record<string, string>): void {
    this.requireResource(resourceArn);
    const merged = { ...(this.tags.get(resourceArn) ?? {}), ...tags };
    if (Object.keys(merged).length > 50) {
      throw new IotError(
        'LimitExceededException',
        'A resource may have at most 50 tags: remove some (UntagResource) first',
      );
    }
    this.tags.set(resourceArn, merged);
    this.changed();
  }

  untagResource(resourceArn: string, tagKeys: string[]): void {
    this.requireResource(resourceArn);
    const current = { ...(this.tags.get(resourceArn) ?? {}) };
    for (const key of tagKeys) delete current[key];
    if (Object.keys(current).length === 0) this.tags.delete(resourceArn);
    else this.tags.set(resourceArn, current);
    this.changed();
  }

  listTagsForResource(resourceArn: string): Record<string, string> {
    this.requireResource(resourceArn);
    return { ...(this.tags.get(resourceArn) ?? {}) };
  }

  // ---- persistence ----------------------------------------------------------------------

  toSnapshot(): RegistrySnapshot {
    return {
      version: 1,
      region: this.region,
      accountId: this.accountId,
      sequence: this.sequence,
      endpointPrefix: this.endpointPrefix,
      registrationCode: this.registrationCode,
      certificates: [...this.certificates.values()],
      caCertificates: [...this.caCertificates.values()],
      things: [...this.things.values()],
      policies: [...this.policies.values()],
      provisioningTemplates: [...this.templates.values()],
      topicRules: [...this.topicRules.values()],
      tags: [...this.tags],
      thingPrincipals: [...this.principalsByThing.pairs()],
      policyTargets: [...this.targetsByPolicy.pairs()],
    };
  }

  /** Replaces this registry's contents with a snapshot (region and account must match). */
  loadSnapshot(snapshot: RegistrySnapshot): void {
    if (snapshot.region !== this.region || snapshot.accountId !== this.accountId) {
      throw new Error(
        `state was saved for ${snapshot.accountId}/${snapshot.region}, not ${this.accountId}/${this.region}: use another --state-dir`,
      );
    }
    this.sequence = snapshot.sequence;
    this.endpointPrefix = snapshot.endpointPrefix;
    this.registrationCode = snapshot.registrationCode;
    for (const record of snapshot.certificates)
      this.certificates.set(record.certificateId, StoredCertificateRecord.from(record));
    for (const record of snapshot.caCertificates) {
      this.caCertificates.set(record.certificateId, record);
      this.casBySubject.add(record.subjectName, record.certificateId);
    }
    for (const record of snapshot.things) this.things.set(record.thingName, record);
    for (const record of snapshot.policies) this.policies.set(record.policyName, record);
    for (const record of snapshot.provisioningTemplates) this.templates.set(record.templateName, record);
    for (const record of snapshot.topicRules) this.topicRules.set(record.ruleName, record);
    for (const [arn, tags] of snapshot.tags) this.tags.set(arn, tags);
    for (const [thingName, principal] of snapshot.thingPrincipals) {
      this.principalsByThing.add(thingName, principal);
      this.thingsByPrincipal.add(principal, thingName);
    }
    for (const [policyName, target] of snapshot.policyTargets) {
      this.targetsByPolicy.add(policyName, target);
      this.policiesByTarget.add(target, policyName);
    }
  }
}
