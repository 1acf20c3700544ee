import { BadRequestException } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** Checks an `Idempotency-Key` header: 1–200 visible ASCII characters, or absent. */
export function idempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!KEY_PATTERN.test(raw)) {
    throw new BadRequestException('Idempotency-Key must be 1-200 visible ASCII characters');
  }
  return raw;
}

/*
 * The ids were first written by hand as SHA-1 over `nomination-engine:<name>`; rows and workflows of
 * existing nominations carry them, so they must not change. A UUID v5 is SHA-1 over namespace bytes then
 * the name: taking the first 16 bytes of that prefix as the namespace and the rest ("e:") in front of the
 * name gives exactly the same bytes to hash (test/unit/uuid-from-name.spec.ts pins known values).
 */
const NAMESPACE = new TextEncoder().encode('nomination-engine:'.slice(0, 16));
const NAME_PREFIX = 'nomination-engine:'.slice(16);

/**
 * A UUID v5 derived from a name: the same caller and key always give the same id, so a retried request
 * lands on the same row and the same workflow.
 */
export function uuidFromName(name: string): string {
  return uuidv5(NAME_PREFIX + name, NAMESPACE);
}
