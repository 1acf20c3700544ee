import { BadRequestException } from '@nestjs/common';
import { createHash } from 'node:crypto';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** Checks an `Idempotency-Key` header: 1–200 visible ASCII characters, or absent. */
export function idempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!KEY_PATTERN.test(raw)) {
    throw new BadRequestException('Idempotency-Key must be 1-200 visible ASCII characters');
  }
  return raw;
}

/**
 * A UUID (version 5 layout, SHA-1 based) derived from a name: the same caller and key always give the
 * same id, so a retried request lands on the same row and the same workflow.
 */
export function uuidFromName(name: string): string {
  const bytes = createHash('sha1').update(`nomination-engine:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
