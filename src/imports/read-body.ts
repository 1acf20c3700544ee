import { PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
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
 * `limit` bytes as soon as that is known; the rest of such a body is read and discarded.
 */
export function readRawBody(req: IncomingMessage, limit = MAX_IMPORT_BYTES): Promise<Buffer> {
  const tooLarge = () =>
    new PayloadTooLargeException(
      `the file is larger than ${limit / 1024 / 1024} MB; split it into several files`,
    );
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        req.resume();
        reject(tooLarge());
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
