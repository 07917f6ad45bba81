import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceModel } from '../../../../src/emulator/control-plane/model/index.js';
import { ROUTES } from '../../../../src/emulator/control-plane/routes.js';
import { CONFORMANCE_CASES } from './conformance/cases/index.js';
import { shapeViolations } from './conformance/output-shape.js';
import type { World as ConformanceWorld, RecordedAnswer } from './conformance/world.js';
import { World } from './conformance/world.js';

const model = serviceModel();
const routed = [...new Set(ROUTES.map(([, , operation]) => operation))];

describe('every routed operation has conformance cases', () => {
  it('has exactly one case entry per operation in ROUTES', () => {
    const covered = CONFORMANCE_CASES.map((entry) => entry.operation);
    expect(routed.filter((operation) => !covered.includes(operation))).toEqual([]);
    expect(covered.filter((operation) => !routed.includes(operation as (typeof routed)[number]))).toEqual([]);
    expect(covered.length).toBe(new Set(covered).size);
  });
});

/** The last answer of `operation` among those since `mark`. */
function answerOf(world: ConformanceWorld, mark: number, operation: string): RecordedAnswer {
  const answers = world.answersSince(mark).filter((answer) => answer.operation === operation);
  expect(answers.length, `the step never sent ${operation}`).toBeGreaterThan(0);
  return answers.at(-1)!;
}

describe('answers conform to AWS IoT service model', () => {
  let world: ConformanceWorld;

  beforeAll(async () => {
    world = await World.start();
  });

  afterAll(async () => {
    await world?.close();
  });

  describe.each(CONFORMANCE_CASES)('$operation', (entry) => {
    const operation = model.operations[entry.operation]!;

    it('answers a valid request with the output shape', async () => {
      const mark = world.mark();
      await entry.success(world);
      const answer = answerOf(world, mark, entry.operation);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      if (operation.output) {
        expect(shapeViolations(model, operation.output.shape, answer.body ?? {})).toEqual([]);
      } else {
        expect(answer.body).toBeUndefined();
      }
    });

    it(`rejects an invalid request with ${entry.errorCode}, an error the model declares`, async () => {
      const mark = world.mark();
      const outcome = await entry.error(world).then(
        () => undefined,
        (error: Error) => error,
      );
      const answer = answerOf(world, mark, entry.operation);
      expect(answer.errorType, JSON.stringify(answer.body)).toBe(entry.errorCode);
      if (outcome) expect(outcome.name).toBe(entry.errorCode);
      const declared = (operation.errors ?? []).map((error) => error.shape);
      expect(declared).toContain(answer.errorType);
      const errorShape = model.shapes[answer.errorType!]!;
      expect(answer.status).toBe(errorShape.error?.httpStatusCode);
      expect(shapeViolations(model, answer.errorType!, answer.body)).toEqual([]);
    });
  });
});
