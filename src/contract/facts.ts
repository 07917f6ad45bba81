import { z } from 'zod';

/** What a scenario declares about itself, for the qualitative comparison. */
export const ScenarioFacts = z.object({
  factorySteps: z.array(z.string()),
  caToOperate: z.boolean(),
  cloudCompute: z.string().nullable(),
  bootstrapApi: z.string().nullable(),
  secretsAtManufacturing: z.array(z.string()),
  rootOfIdentity: z.string(),
});
export type ScenarioFacts = z.infer<typeof ScenarioFacts>;
