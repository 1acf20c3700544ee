import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import getRawBody from 'raw-body';
import type { IncomingMessage } from 'node:http';

/** The largest file accepted: 5 MB (5,000 rows of models with long descriptions fit easily). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

/** `text/csv` is the type; spreadsheet programs and browsers also label CSV files with these. */
const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'];

/** Refuses (415) a body that is not sent as CSV text, or not in UTF-8. */
export function checkCsvContentType(contentType: string | undefined): void {
  const [type, ...params] = (contentType ?? '').split(';').map((s) => s.trim().toLowerCase());
  if (!CSV_TYPES.includes(type)) {
    throw new UnsupportedMediaTypeException(
      `send the CSV file itself as the request body with Content-Type: text/csv (got ${type || 'no Content-Type'})`,
    );
  }
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeException(`the file must be UTF-8 text (got charset=${charset})`);
  }
}

/** Refuses (415) a compressed file: the raw body is read as it comes, not inflated. */
export function checkIdentityEncoding(contentEncoding: string | undefined): void {
  const coding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (coding !== 'identity') {
    throw new UnsupportedMediaTypeException(
      `send the CSV file uncompressed (got Content-Encoding: ${coding.slice(0, 40)})`,
    );
  }
}

/**
 * Reads the raw request body (no body parser handles text/csv), refusing with 413 one larger than
 * `limit` bytes as soon as that is known (its Content-Length, or the bytes counted so far); the rest of
 * such a body is drained so the client reads the answer instead of a reset connection.
 */
export async function readRawBody(req: IncomingMessage, limit = MAX_IMPORT_BYTES): Promise<Buffer> {
  const declared = req.headers['content-length'];
  try {
    return await getRawBody(req, { limit, length: declared });
  } catch (err) {
    req.resume();
    if ((err as { type?: string }).type === 'entity.too.large') {
      throw new PayloadTooLargeException(
        `the file is larger than ${limit / 1024 / 1024} MB; split it into several files`,
      );
    }
    if ((err as { type?: string }).type === 'request.size.invalid') {
      throw new BadRequestException('the body is shorter or longer than its Content-Length');
    }
    throw err;
  }
}
