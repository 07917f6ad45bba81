import { z } from 'zod';
import { TemplateError } from './template-error.js';

/** A template value before intrinsics are resolved: any JSON. */
export type TemplateValue =
  | string
  | number
  | boolean
  | null
  | TemplateValue[]
  | { [key: string]: TemplateValue };

const templateValue: z.ZodType<TemplateValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(templateValue),
    z.record(z.string(), templateValue),
  ]),
);

export const resourceTypes = ['AWS::IoT::Thing', 'AWS::IoT::Certificate', 'AWS::IoT::Policy'] as const;
export type ResourceType = (typeof resourceTypes)[number];

const parameterSchema = z.object({
  Type: z.string().default('String'),
  Default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  Description: z.string().optional(),
  AllowedValues: z.array(z.string()).optional(),
});

const resourceSchema = z.object({
  Type: z.enum(resourceTypes),
  Properties: z.record(z.string(), templateValue).default({}),
  OverrideSettings: z.record(z.string(), z.enum(['DO_NOTHING', 'REPLACE', 'FAIL', 'MERGE'])).optional(),
  Condition: z.string().optional(),
});

export const templateSchema = z.object({
  Parameters: z.record(z.string(), parameterSchema).default({}),
  Mappings: z.record(z.string(), z.record(z.string(), z.record(z.string(), templateValue))).default({}),
  Conditions: z.record(z.string(), templateValue).default({}),
  Resources: z.record(z.string(), resourceSchema),
  DeviceConfiguration: z.record(z.string(), templateValue).default({}),
});

export type ProvisioningTemplate = z.infer<typeof templateSchema>;
export type TemplateResource = z.infer<typeof resourceSchema>;
export type OverrideSetting = 'DO_NOTHING' | 'REPLACE' | 'FAIL' | 'MERGE';

/** Parses a template body (JSON text as AWS stores it, or an object). */
export function parseTemplate(body: string | unknown): ProvisioningTemplate {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch (error) {
      throw new TemplateError(
        'InvalidTemplate',
        `template body is not valid JSON (${(error as Error).message}); fix the JSON and retry`,
      );
    }
  }
  const parsed = templateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TemplateError(
      'InvalidTemplate',
      `template is invalid at ${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'unknown problem'}`,
    );
  }
  return parsed.data;
}
