/** ARN builders for one account and Region, in the forms AWS IoT returns. */
export class IotArns {
  private readonly prefixes = new Map<string, string>();

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  /**
   * `prefix + id`, where the prefix is one string shared by every ARN of its kind: V8 then keeps
   * each ARN as a small pair of the shared prefix and the ID the registry already holds.
   */
  private arn(kind: string, id: string): string {
    let prefix = this.prefixes.get(kind);
    if (prefix === undefined) {
      prefix = Buffer.from(`arn:aws:iot:${this.region}:${this.accountId}:${kind}/`, 'latin1').toString(
        'latin1',
      );
      this.prefixes.set(kind, prefix);
    }
    return prefix + id;
  }

  certificate = (certificateId: string) => this.arn('cert', certificateId);
  caCertificate = (certificateId: string) => this.arn('cacert', certificateId);
  thing = (thingName: string) => this.arn('thing', thingName);
  policy = (policyName: string) => this.arn('policy', policyName);
  provisioningTemplate = (templateName: string) => this.arn('provisioningtemplate', templateName);
  topicRule = (ruleName: string) => this.arn('rule', ruleName);
  thingType = (thingTypeName: string) => this.arn('thingtype', thingTypeName);
  thingGroup = (thingGroupName: string) => this.arn('thinggroup', thingGroupName);
  roleAlias = (roleAlias: string) => this.arn('rolealias', roleAlias);

  /** `{kind, id}` of an ARN in this account and Region, or undefined for anything else. */
  parse(arn: string): { kind: string; id: string } | undefined {
    const prefix = `arn:aws:iot:${this.region}:${this.accountId}:`;
    if (!arn.startsWith(prefix)) return undefined;
    const rest = arn.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    return { kind: rest.slice(0, slash), id: rest.slice(slash + 1) };
  }
}
