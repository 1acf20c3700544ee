import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canListen, freePort } from '../../src/runtime/ports';

/**
 * What a new user does: `npm start` with nothing configured (here with its own DATA_DIR and ports, so it
 * can run beside other tests), use it, Ctrl-C, start again: one test per step. Runs the compiled entry
 * point that `npm start` runs (`npm test` builds first), with the embedded PostgreSQL and Temporal dev
 * server it starts itself.
 */
describe('npm start (embedded default)', () => {
  const root = path.resolve(__dirname, '../..');
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let ports: { api: number; temporal: number; ui: number };
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
    fs.chmodSync(dataDir, 0o755); // as root, the postgres user must be able to enter it
    const [api, temporal, ui] = await Promise.all([freePort(), freePort(), freePort()]);
    ports = { api, temporal, ui };
    // Nothing but what a user's shell has, plus a data folder and ports of its own.
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
      DATA_DIR: dataDir,
      PORT: String(api),
      TEMPORAL_DEV_SERVER_PORT: String(temporal),
      TEMPORAL_DEV_SERVER_UI_PORT: String(ui),
    };
  });
  afterAll(async () => {
    // A failed assertion must not leave an app (and its servers) running.
    for (const child of children.filter((c) => c.exitCode === null && c.signalCode === null)) {
      await stopWithCtrlC(child).catch(() => undefined);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // The three steps share one data folder, in order: each start has a test (and a time limit) of its own.
  const api = () => `http://localhost:${ports.api}`;
  let nominationId: string | undefined;

  it('prints its URLs and serves the API, its documentation and the Temporal Web UI', async () => {
    const first = await startApp();
    expect(first.banner).toMatchObject({
      API: api(),
      'OpenAPI (docs)': `${api()}/docs`,
      'Web pages': `${api()}/app`,
      Health: `${api()}/health`,
      'Temporal Web UI': `http://127.0.0.1:${ports.ui}`,
      Temporal: `127.0.0.1:${ports.temporal} (namespace default)`,
      Administrator: 'admin / admin-demo-password',
      'Demo users': 'demo.submitter, demo.district, demo.province / demo-password',
      Data: dataDir,
    });
    expect((await fetch(`${api()}/health`)).status).toBe(200);
    expect((await fetch(`${api()}/docs`)).status).toBe(200);
    expect((await fetch(first.banner['Temporal Web UI'])).status).toBe(200);

    const token = await login(api());
    const get = (p: string) =>
      fetch(api() + p, { headers: { authorization: `Bearer ${token}` } }).then(readJson);
    const post = (p: string, body: unknown) =>
      fetch(api() + p, {
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
    nominationId = created.id;
  });

  it('stops everything it started on Ctrl-C, exiting 0', async () => {
    const [running] = liveChildren();
    expect(running).toBeInstanceOf(ChildProcess);
    await stopWithCtrlC(running);
    for (const port of [ports.api, ports.ui, ports.temporal]) expect(await canListen(port)).toBe(true);
    expect(processesUsing(dataDir)).toEqual([]);
  });

  it('keeps its state across a restart: the nomination is still there and its workflow carries on', async () => {
    expect(nominationId).toEqual(expect.any(String)); // registered by the first start
    expect(liveChildren()).toEqual([]);
    const second = await startApp();
    expect(second.banner.API).toBe(api());
    const token = await login(api());
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const again = await readJson(await fetch(`${api()}/nominations/${nominationId}`, { headers: auth }));
    expect(again.stage).toBe('district_review');
    const [next] = await readJson(
      await fetch(`${api()}/tasks?nominationId=${nominationId}`, { headers: auth }),
    );
    const decided = await fetch(`${api()}/tasks/${next.id}/decision`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ decision: 'recognize' }),
    });
    expect((await readJson(decided)).stage).toBe('provincial_proposal');
    await stopWithCtrlC(second.child);
    expect(processesUsing(dataDir)).toEqual([]);
  });

  function liveChildren(): ChildProcess[] {
    return children.filter((c) => c.exitCode === null && c.signalCode === null);
  }

  /**
   * Starts the app and resolves once it prints the end of its banner (it prints it when it serves), with
   * the banner's lines by label; fails at once if the app exits first. The timer is an upper bound only.
   */
  async function startApp(): Promise<{ child: ChildProcess; banner: Record<string, string> }> {
    const child = spawn(process.execPath, [path.join(root, 'dist/src/main.js')], { cwd: root, env });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no banner within 90 s:\n${out}\n${err}`)), 90_000);
      const onExit = (code: number | null) => fail(new Error(`npm start exited with ${code}:\n${err}`));
      const check = () => {
        if (!out.includes('Press Ctrl-C to stop.')) return;
        settle();
        resolve();
      };
      const fail = (e: Error) => {
        settle();
        reject(e);
      };
      const settle = () => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.off('exit', onExit);
      };
      child.stdout!.on('data', check);
      child.once('exit', onExit);
    });
    const lines = out.slice(out.indexOf('Nomination workflow engine is running.')).split('\n');
    const banner = Object.fromEntries(
      lines.flatMap((l) => {
        const m = /^ {2}([^:]+): +(.+)$/.exec(l);
        return m ? [[m[1], m[2]]] : [];
      }),
    );
    return { child, banner };
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
