import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type ChildSpec,
  isProcessAlive,
  onShutdown,
  stopAll,
  superviseChild,
  type SupervisedChild,
} from '../../src/runtime/supervisor';

/*
 * The supervisor on a trivial long-running Node child: what the embedded servers get from it, without
 * the servers' start-up time.
 */

type LogLine = { msg: string; level?: string };

let dir: string;
const children: SupervisedChild[] = [];
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supervisor-'))));
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A child that says "up" in its log once it runs, and then idles until stopped. */
function sleeper(logs: LogLine[], extra: Partial<ChildSpec> = {}): ChildSpec {
  const logFile = path.join(dir, 'sleeper.log');
  return {
    name: 'the sleeper',
    command: process.execPath,
    args: ['-e', 'console.log("up " + process.pid); setInterval(() => {}, 60000)'],
    logFile,
    ready: async (pid) => fs.readFileSync(logFile, 'utf8').includes(`up ${pid}`) || 'not up yet',
    readyTimeoutMs: 20_000,
    stopSignals: [
      ['SIGTERM', 5_000],
      ['SIGKILL', 5_000],
    ],
    log: (msg, _meta, level) => logs.push({ msg, level }),
    ...extra,
  };
}

async function start(spec: ChildSpec): Promise<SupervisedChild> {
  const child = await superviseChild(spec);
  children.push(child);
  return child;
}

async function eventually<T>(check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('supervised child', () => {
  it('starts once ready and stops it, leaving no process behind', async () => {
    const child = await start(sleeper([]));
    const pid = child.pid()!;
    expect(isProcessAlive(pid)).toBe(true);
    await child.stop();
    await child.stop(); // idempotent
    expect(isProcessAlive(pid)).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'sleeper.log'), 'utf8')).toMatch(/^# .* -e console.log/);
  });

  it('logs an unexpected exit with its log file', async () => {
    const logs: LogLine[] = [];
    const child = await start(sleeper(logs));
    const pid = child.pid()!;
    process.kill(pid, 'SIGKILL');
    await eventually(() => logs.find((l) => l.level === 'error'));
    expect(logs).toEqual([
      {
        msg: `the sleeper exited (SIGKILL) unexpectedly; its log: ${path.join(dir, 'sleeper.log')}`,
        level: 'error',
      },
    ]);
    expect(child.pid()).toBeUndefined();
  });

  it('says why it did not come up, with the end of its log', async () => {
    const spec = sleeper([], { args: ['-e', 'console.log("cannot bind"); process.exit(3)'] });
    await expect(superviseChild(spec)).rejects.toThrow(
      `exited (code 3) while starting; the last lines of ${spec.logFile}:\n`,
    );
    expect(fs.readFileSync(spec.logFile, 'utf8')).toContain('cannot bind');
  });

  it('is restarted with backoff after SIGKILL, and given up after the allowed restarts', async () => {
    const logs: LogLine[] = [];
    const gaveUp: string[] = [];
    const child = await start(
      sleeper(logs, {
        restart: {
          maxRestarts: 2,
          windowMs: 60_000,
          initialDelayMs: 50,
          maxDelayMs: 1_000,
          onGiveUp: (m) => gaveUp.push(m),
        },
      }),
    );
    const logFile = path.join(dir, 'sleeper.log');
    const pids = [child.pid()!];
    for (const delay of [50, 100]) {
      process.kill(pids[pids.length - 1], 'SIGKILL');
      const again = () => logs.filter((l) => l.msg.includes('is running again'));
      await eventually(() => (again().length === pids.length ? true : undefined));
      const next = child.pid()!;
      expect(pids).not.toContain(next);
      pids.push(next);
      expect(logs).toContainEqual({
        msg: `the sleeper exited (SIGKILL) unexpectedly; restarting it in ${delay} ms (restart ${pids.length - 1} of 2)`,
        level: 'warn',
      });
      expect(logs).toContainEqual({ msg: `the sleeper is running again (pid ${next})`, level: undefined });
    }

    process.kill(pids[2], 'SIGKILL');
    await eventually(() => (gaveUp.length ? true : undefined));
    const message =
      `the sleeper exited (SIGKILL) unexpectedly, after 2 restarts in 60 s: giving up on the sleeper; ` +
      `its log: ${logFile}`;
    expect(gaveUp).toEqual([message]);
    expect(logs.filter((l) => l.level === 'error')).toEqual([{ msg: message, level: 'error' }]);
    expect(child.pid()).toBeUndefined();
    expect(pids.filter(isProcessAlive)).toEqual([]);
  });

  it('leaves nothing behind when stopped while a restart waits', async () => {
    const logs: LogLine[] = [];
    const child = await start(
      sleeper(logs, { restart: { maxRestarts: 5, windowMs: 60_000, initialDelayMs: 200 } }),
    );
    process.kill(child.pid()!, 'SIGKILL');
    await eventually(() => logs.find((l) => l.msg.includes('restarting it in 200 ms')));
    await child.stop();
    await eventually(() => logs.find((l) => l.msg === 'not restarting the sleeper: it is being stopped'));
    expect(child.pid()).toBeUndefined();
    expect(logs.some((l) => l.msg.includes('running again'))).toBe(false);
  });
});

describe('stopAll', () => {
  it('stops what was started last first, and goes on past a failure', async () => {
    const order: string[] = [];
    const errors: string[] = [];
    const removals = ['PostgreSQL', 'Temporal', 'application'].map((name) =>
      onShutdown(name, async () => {
        order.push(name);
        if (name === 'Temporal') throw new Error('stuck');
      }),
    );
    await stopAll((name, err) => errors.push(`${name}: ${(err as Error).message}`));
    removals.forEach((remove) => remove());
    expect(order).toEqual(['application', 'Temporal', 'PostgreSQL']);
    expect(errors).toEqual(['Temporal: stuck']);
  });
});
