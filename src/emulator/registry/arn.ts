/** ARN builders for one account and Region, in the forms AWS IoT returns. */
export class IotArns {
  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  private arn(resource: string): string {
    return `arn:aws:iot:${this.region}:${this.accountId}:${resource}`;
  }

  certificate = (certificateId: string) => this.arn(`cert/${certificateId}`);
  caCertificate = (certificateId: string) => this.arn(`cacert/${certificateId}`);
  thing = (thingName: string) => this.arn(`thing/${thingName}`);
  policy = (policyName: string) => this.arn(`policy/${policyName}`);
  provisioningTemplate = (templateName: string) => this.arn(`provisioningtemplate/${templateName}`);
  topicRule = (ruleName: string) => this.arn(`rule/${ruleName}`);

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
