import { Connection } from '@temporalio/client';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../src/domain/search-attributes';
import { startTemporalDevServer } from '../../src/runtime/temporal-dev-server';

/** The embedded Temporal dev server of `npm start`, started for real. */
describe('embedded Temporal dev server', () => {
  let dataDir: string;
  beforeAll(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-dev-'))));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const start = () =>
    startTemporalDevServer({ dataDir, namespace: 'default', port: 0, uiPort: 0, log: () => undefined });

  async function searchAttributes(address: string): Promise<string[]> {
    const connection = await Connection.connect({ address });
    try {
      const res = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      return Object.keys(res.customAttributes ?? {});
    } finally {
      await connection.close();
    }
  }

  function portIsFree(address: string): Promise<boolean> {
    const [host, port] = address.split(':');
    return new Promise((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(Number(port), host, () => srv.close(() => resolve(true)));
    });
  }

  it('registers our search attributes, keeps its database file, and frees its port when stopped', async () => {
    const first = await start();
    expect(await searchAttributes(first.address)).toEqual(
      expect.arrayContaining(SEARCH_ATTRIBUTE_DEFINITIONS.map((sa) => sa.name)),
    );
    await first.stop();
    expect(await portIsFree(first.address)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);

    // A restart on the same database file, with the same registrations, comes up again.
    const second = await start();
    expect(await searchAttributes(second.address)).toEqual(
      expect.arrayContaining(SEARCH_ATTRIBUTE_DEFINITIONS.map((sa) => sa.name)),
    );
    await second.stop();
  });
});
