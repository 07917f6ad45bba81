import { invalidRequest } from '../../registry/index.js';
import type { OperationInput } from '../input.js';
import { ConstraintCompiler, failed, type ValueCheck } from './constraints.js';
import { operationNamed, type ServiceModel, type Shape, type ShapeRef, shapeNamed } from './service-model.js';

/** Reads one top-level input member from where the model says it travels. */
type MemberReader = (input: OperationInput) => unknown;

interface InputMember {
  name: string;
  required: boolean;
  read: MemberReader;
  check: ValueCheck;
}

/**
 * Path labels, query parameters and headers are text on the wire; the model types them.
 * Text that is not of the type is passed on as text, so the type check names it.
 */
function typedText(shape: Shape, text: string): unknown {
  switch (shape.type) {
    case 'integer':
    case 'long':
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'float':
    case 'double':
      return text.trim() !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    default:
      return text;
  }
}

function headerText(input: OperationInput, name: string): string | undefined {
  const value = input.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function reader(model: ServiceModel, name: string, ref: ShapeRef, payload: string | undefined): MemberReader {
  const shape = shapeNamed(model, ref.shape);
  const wireName = ref.locationName ?? name;
  switch (ref.location) {
    case 'uri':
      return (input) => {
        const text = input.labels[wireName];
        return text === undefined ? undefined : typedText(shape, text);
      };
    case 'querystring': {
      if (shape.type === 'list') {
        const member = shapeNamed(model, shape.member!.shape);
        return (input) => {
          const texts = input.query.getAll(wireName);
          return texts.length === 0 ? undefined : texts.map((text) => typedText(member, text));
        };
      }
      // A map in the query string takes every parameter not bound to another member; none
      // of the emulator's operations has one, so it is read as absent.
      if (shape.type === 'map') return () => undefined;
      return (input) => {
        const text = input.query.get(wireName);
        return text === null ? undefined : typedText(shape, text);
      };
    }
    case 'header':
      if (ref.jsonvalue) return () => undefined;
      return (input) => {
        const text = headerText(input, wireName);
        return text === undefined ? undefined : typedText(shape, text);
      };
    case 'headers':
    case 'statusCode':
      return () => undefined;
    default:
      if (name === payload) return (input) => input.body;
      return (input) => input.body[wireName];
  }
}

/** One operation's request checks, compiled from its input shape. */
export class OperationValidator {
  private readonly members: InputMember[];

  constructor(
    readonly operation: string,
    model: ServiceModel,
    compiler: ConstraintCompiler,
  ) {
    const inputShape = operationNamed(model, operation).input?.shape;
    const shape = inputShape === undefined ? undefined : shapeNamed(model, inputShape);
    this.members = Object.entries(shape?.members ?? {}).map(([name, ref]) => ({
      name,
      required: shape?.required?.includes(name) ?? false,
      read: reader(model, name, ref, shape?.payload),
      check: compiler.check(ref.shape),
    }));
  }

  /** Every constraint the request breaks, in AWS's wording. */
  violations(input: OperationInput): string[] {
    const errors: string[] = [];
    for (const member of this.members) {
      const value = member.read(input);
      if (value === undefined || value === null) {
        if (member.required) errors.push(failed(null, member.name, 'Member must not be null'));
      } else member.check(value, member.name, errors);
    }
    return errors;
  }

  /** Throws InvalidRequestException ("N validation error(s) detected: ...") when the request breaks any. */
  validate(input: OperationInput): void {
    const errors = this.violations(input);
    if (errors.length === 0) return;
    const count = errors.length === 1 ? '1 validation error' : `${errors.length} validation errors`;
    throw invalidRequest(`${count} detected: ${errors.join('; ')}`);
  }
}

/** Validators for a set of operations, compiled at once (shared shapes compile once). */
export function compileValidators(
  model: ServiceModel,
  operations: readonly string[],
): Map<string, OperationValidator> {
  const compiler = new ConstraintCompiler(model);
  return new Map(
    operations.map((operation) => [operation, new OperationValidator(operation, model, compiler)]),
  );
}
