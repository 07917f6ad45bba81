import { randomUUID } from 'node:crypto';

/**
 * A random UUID held as one flat string. `randomUUID()` builds its result by concatenation,
 * and V8 keeps that as a tree of about 35 string pieces (~490 bytes instead of ~60) for as
 * long as the string lives; records keep theirs for the life of the resource.
 */
export function randomUuid(): string {
  return Buffer.from(randomUUID(), 'latin1').toString('latin1');
}
