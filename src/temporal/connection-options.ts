import * as fs from 'node:fs';
import { Connection, type TLSConfig } from '@temporalio/client';
import type { AppConfig } from '../config/config';

/** Address, TLS and API key for both the client and the worker's native connection. */
export function connectionOptions(t: AppConfig['temporal']): {
  address: string;
  tls?: TLSConfig;
  apiKey?: string;
} {
  if (!t.address) throw new Error('Temporal address is not resolved yet (embedded dev server not started?)');
  return { address: t.address, tls: t.tls ? tlsConfig(t.tls) : undefined, apiKey: t.apiKey };
}

function tlsConfig(tls: NonNullable<AppConfig['temporal']['tls']>): TLSConfig {
  const read = (p: string) => fs.readFileSync(p);
  return {
    serverNameOverride: tls.serverNameOverride,
    serverRootCACertificate: tls.serverRootCaCertPath ? read(tls.serverRootCaCertPath) : undefined,
    clientCertPair:
      tls.clientCertPath && tls.clientKeyPath
        ? { crt: read(tls.clientCertPath), key: read(tls.clientKeyPath) }
        : undefined,
  };
}

/** Connects the client, saying which address failed rather than only that a deadline passed. */
export async function connectClient(t: AppConfig['temporal']): Promise<Connection> {
  const options = connectionOptions(t);
  try {
    return await Connection.connect(options);
  } catch (err) {
    throw new Error(
      `cannot reach Temporal at ${options.address} (TEMPORAL_ADDRESS): ${(err as Error).message}`,
    );
  }
}
