import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canListen, freePort } from '../../src/runtime/ports';

/**
 * What a new user does: `npm start` with nothing configured (here with its own DATA_DIR and ports, so it
 * can run beside other tests), use it, Ctrl-C, start again. Runs the compiled entry point that `npm start`
 * runs (`npm test` builds first), with the embedded PostgreSQL and Temporal dev server it starts itself.
 */
describe('npm start (embedded default)', () => {
  const root = path.resolve(__dirname, '../..');
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
    fs.chmodSync(dataDir, 0o755); // as root, the postgres user must be able to enter it
    const [port, temporalPort, uiPort] = await Promise.all([freePort(), freePort(), freePort()]);
    // Nothing but what a user's shell has, plus a data folder and ports of its own.
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
      DATA_DIR: dataDir,
      PORT: String(port),
      TEMPORAL_DEV_SERVER_PORT: String(temporalPort),
      TEMPORAL_DEV_SERVER_UI_PORT: String(uiPort),
    };
  });
  const children: ChildProcess[] = [];
  afterAll(async () => {
    // A failed assertion must not leave an app (and its servers) running.
    for (const child of children.filter((c) => c.exitCode === null && c.signalCode === null)) {
      await stopWithCtrlC(child).catch(() => undefined);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints its URLs, serves, stops everything on Ctrl-C, and keeps state across a restart', async () => {
    const first = await startApp();
    expect(first.banner).toMatch(/API: +http:\/\/localhost:\d+/);
    expect(first.banner).toMatch(/OpenAPI \(docs\): +http:\/\/localhost:\d+\/docs/);
    expect(first.banner).toMatch(/Web pages: +http:\/\/localhost:\d+\/app/);
    expect(first.banner).toMatch(/Temporal Web UI: +http:\/\/(localhost|127\.0\.0\.1):\d+/);
    expect(first.banner).toMatch(/Administrator: +admin \/ admin-demo-password/);
    expect(first.banner).toMatch(
      /Demo users: +demo\.submitter, demo\.district, demo\.province \/ demo-password/,
    );
    const api = first.banner.match(/API: +(\S+)/)![1];
    const ui = first.banner.match(/Temporal Web UI: +(\S+)/)![1];
    expect((await fetch(`${api}/health`)).status).toBe(200);
    expect((await fetch(`${api}/docs`)).status).toBe(200);
    expect((await fetch(ui)).status).toBe(200);

    const token = await login(api);
    const get = (p: string) =>
      fetch(api + p, { headers: { authorization: `Bearer ${token}` } }).then(readJson);
    const post = (p: string, body: unknown) =>
      fetch(api + p, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(readJson);
    const [campaign] = await get('/campaigns');
    const [province] = await get('/units');
    const created = await post('/nominations', {
      campaignId: campaign.id,
      unitId: province.children[0].id,
      title: 'Mô hình "Dân vận khéo" giữ gìn an ninh trật tự',
      description: 'Tổ tự quản an ninh thôn.',
      field: 'defense_security',
      kind: 'collective',
      nomineeName: 'Tổ tự quản thôn 3',
    });
    const [task] = await get(`/tasks?nominationId=${created.id}`);
    expect((await post(`/tasks/${task.id}/decision`, { decision: 'accept' })).stage).toBe('district_review');

    const ports = [api, ui].map((u) => Number(new URL(u).port));
    await stopWithCtrlC(first.child);
    for (const port of ports) expect(await canListen(port)).toBe(true);
    expect(processesUsing(dataDir)).toEqual([]);

    // Start again: the nomination is still there, and its workflow carries on.
    const second = await startApp();
    const token2 = await login(api);
    const auth = { authorization: `Bearer ${token2}`, 'content-type': 'application/json' };
    const again = await readJson(await fetch(`${api}/nominations/${created.id}`, { headers: auth }));
    expect(again.stage).toBe('district_review');
    const [next] = await readJson(await fetch(`${api}/tasks?nominationId=${created.id}`, { headers: auth }));
    const decided = await fetch(`${api}/tasks/${next.id}/decision`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ decision: 'recognize' }),
    });
    expect((await readJson(decided)).stage).toBe('provincial_proposal');
    await stopWithCtrlC(second.child);
    expect(processesUsing(dataDir)).toEqual([]);
  });

  async function startApp(): Promise<{ child: ChildProcess; banner: string }> {
    const child = spawn(process.execPath, [path.join(root, 'dist/src/main.js')], { cwd: root, env });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${out}\n${err}`)), 90_000);
      const check = () => {
        if (out.includes('Press Ctrl-C to stop.')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${code}:\n${err}`));
      });
    });
    const start = out.indexOf('Nomination workflow engine is running.');
    return { child, banner: out.slice(start) };
  }
});

/** The parsed JSON body (JSON.parse is typed loosely on purpose: tests assert on the shape). */
async function readJson(res: Response) {
  return JSON.parse(await res.text());
}

async function login(api: string): Promise<string> {
  const res = await fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'admin-demo-password' }),
  });
  return (await readJson(res)).accessToken;
}

/** What Ctrl-C in a terminal sends; the process must stop what it started and exit 0. */
function stopWithCtrlC(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exited with ${code}`))));
    child.kill('SIGINT');
  });
}

/** Processes whose command line mentions the data directory: the embedded servers, if any were left. */
function processesUsing(dir: string): string[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return '';
      }
    })
    .filter((cmd) => cmd.includes(dir));
}
