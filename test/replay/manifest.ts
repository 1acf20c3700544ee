import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Released histories are append-only (test/fixtures/histories/README.md): the manifest names every
 * history with the SHA-256 of its bytes, so a history rewritten, removed or slipped in is noticed.
 */
export const HISTORIES_DIR = path.resolve(__dirname, '../fixtures/histories');
const MANIFEST = path.join(HISTORIES_DIR, 'manifest.json');

/** A released version's folder: v3, or v2.1 for one of several recordings made under one name. */
export const VERSION_FOLDER = /^v\d+(\.\d+)?$/;

/** Relative path (`v3/campaign-completed.json`) to the SHA-256 of the file's bytes, hex. */
export type Manifest = Record<string, string>;

/** Every history on disk: each .json file under the folder except the manifest, relative, sorted. */
export function historyFiles(): string[] {
  return fs
    .readdirSync(HISTORIES_DIR, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => f.endsWith('.json') && f !== 'manifest.json')
    .sort();
}

export function sha256(file: string): string {
  return createHash('sha256')
    .update(fs.readFileSync(path.join(HISTORIES_DIR, file)))
    .digest('hex');
}

export function readManifest(): Manifest {
  return JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as Manifest;
}

/**
 * Writes a new history and adds it to the manifest; refuses a path the manifest or the disk already
 * has, so a released history is never rewritten (the manifest's other entries are left as they are).
 */
export function addHistory(file: string, content: string): void {
  const manifest = readManifest();
  if (file in manifest) throw new Error(`${file} is in the manifest: a released history is never rewritten`);
  const absolute = path.join(HISTORIES_DIR, file);
  fs.mkdirSync(path.dirname(absolute), { recursive: true });
  fs.writeFileSync(absolute, content, { flag: 'wx' }); // 'wx': fails if the file exists
  manifest[file] = sha256(file);
  const sorted = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(MANIFEST, JSON.stringify(sorted, null, 2) + '\n');
}
