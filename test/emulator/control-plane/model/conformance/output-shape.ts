import {
  hasShapeType,
  type ServiceModel,
  type Shape,
} from '../../../../../src/emulator/control-plane/model/index.js';

function typeViolation(shape: Shape, value: unknown): string | undefined {
  // rest-json answers timestamps as epoch seconds only (requests may also send ISO 8601 text).
  const ok = shape.type === 'timestamp' ? typeof value === 'number' : hasShapeType(shape, value);
  return ok ? undefined : `is ${JSON.stringify(value)?.slice(0, 80)}, not a ${shape.type}`;
}

/**
 * What in a JSON answer breaks its output shape: a member outside the shape, a required member
 * missing, a null (AWS omits absent members), a wrong type, a string outside its enum.
 */
export function shapeViolations(
  model: ServiceModel,
  shapeName: string,
  value: unknown,
  path = '$',
): string[] {
  const shape = model.shapes[shapeName]!;
  if (value === null) return [`${path} is null: AWS omits absent members`];
  const wrongType = typeViolation(shape, value);
  if (wrongType) return [`${path} ${wrongType} (${shapeName})`];
  if (shape.type === 'string' && shape.enum && !shape.enum.includes(value as string))
    return [`${path} is '${value}', outside ${shapeName}'s enum [${shape.enum.join(', ')}]`];
  if (shape.type === 'list') {
    return (value as unknown[]).flatMap((item, index) =>
      shapeViolations(model, shape.member!.shape, item, `${path}[${index}]`),
    );
  }
  if (shape.type === 'map') {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => [
      ...shapeViolations(model, shape.key!.shape, key, `${path} key ${key}`),
      ...shapeViolations(model, shape.value!.shape, item, `${path}.${key}`),
    ]);
  }
  if (shape.type !== 'structure') return [];
  const object = value as Record<string, unknown>;
  const bodyMembers = new Map(
    Object.entries(shape.members ?? {})
      .filter(([, ref]) => ref.location === undefined)
      .map(([name, ref]) => [ref.locationName ?? name, { name, ref }]),
  );
  const violations: string[] = [];
  for (const [key, item] of Object.entries(object)) {
    const member = bodyMembers.get(key);
    if (!member) violations.push(`${path}.${key} is not a member of ${shapeName}`);
    else violations.push(...shapeViolations(model, member.ref.shape, item, `${path}.${key}`));
  }
  for (const required of shape.required ?? []) {
    const ref = shape.members![required]!;
    if (ref.location === undefined && object[ref.locationName ?? required] === undefined)
      violations.push(`${path}.${required} is required by ${shapeName} but missing`);
  }
  return violations;
}
