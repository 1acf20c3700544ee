import { historyFiles, readManifest, sha256, VERSION_FOLDER } from './manifest';

/**
 * A released version's histories are what its in-flight workflows look like: once committed they are
 * never rewritten, removed or renamed, and a new one is added deliberately (npm run record:histories
 * adds it to the manifest). A failure here is not fixed by editing the manifest.
 */
describe('released workflow histories are append-only', () => {
  const manifest = readManifest();
  const onDisk = historyFiles();

  it('keeps every history the manifest names, byte for byte', () => {
    const changed = Object.entries(manifest)
      .filter(([file, hash]) => !onDisk.includes(file) || sha256(file) !== hash)
      .map(([file]) => file);
    expect(changed).toEqual([]);
  });

  it('has no history the manifest does not name', () => {
    expect(onDisk.filter((file) => !(file in manifest))).toEqual([]);
  });

  it('keeps each history in the folder of its released version', () => {
    const misplaced = Object.keys(manifest).filter((file) => {
      const parts = file.split('/');
      return parts.length !== 2 || !VERSION_FOLDER.test(parts[0]);
    });
    expect(misplaced).toEqual([]);
  });
});
