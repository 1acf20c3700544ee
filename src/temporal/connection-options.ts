import * as fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
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
