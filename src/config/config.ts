import * as path from 'node:path';
import type { Level } from '../logging/json-log';

/** Configuration from environment variables (documented in docs/configuration.md), validated once at start. */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  dataDir: string;
  /** Unset: the embedded default starts its own PostgreSQL under dataDir. */
  databaseUrl?: string;
  /** How long a request waits for a pooled PostgreSQL connection before it is answered 503. */
  databaseConnectTimeoutMs: number;
  temporal: {
    /** Unset: the embedded default starts a Temporal dev server under dataDir. */
    address?: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tls?: {
      serverNameOverride?: string;
      serverRootCaCertPath?: string;
      clientCertPath?: string;
      clientKeyPath?: string;
    };
    devServerPort: number;
    devServerUiPort: number;
    /** Where the Temporal Web UI is, for printing; the embedded dev server's when unset. */
    uiUrl?: string;
    /** The deadline of every call the API makes to Temporal (one request's start, Update, query…). */
    requestTimeoutMs: number;
  };
  admin: { username: string; password: string };
  /** On an empty database: seed the demo province, its units, a campaign and one demo user per role. */
  demo: { enabled: boolean; password: string };
  jwt: { secret: string; ttlSeconds: number };
  /**
   * Sign-in throttling (fixed windows; in memory by each API process unless a shared store is provided,
   * see src/auth/login-limiter.ts): failed sign-ins per username and attempts per client address within
   * `windowSeconds`.
   */
  login: { maxFailures: number; windowSeconds: number; maxAttemptsPerAddress: number };
  /** Origins allowed to call the API from a browser (CORS); unset: no CORS headers, same origin only. */
  corsOrigins?: string[];
  logLevel: Level;
  /** Unset: notifications stay in-app only. */
  smtp?: { url: string; from: string };
  /** How the worker's email sender drains the outbox (used only with smtp). */
  emailSender: EmailSenderConfig;
}

export interface EmailSenderConfig {
  /** Pause between rounds when the last one found fewer due emails than a batch. */
  pollIntervalMs: number;
  /** Emails claimed, and sent concurrently, per round. */
  batchSize: number;
  /** Wait after a first failed attempt, doubled after each further one up to retryMaxMs. */
  retryMinMs: number;
  retryMaxMs: number;
  /** How long a claimed email is left to its sender (EMAIL_CLAIM_MS in email-sender.ts). */
  claimMs: number;
}

export const DEFAULT_ADMIN = { username: 'admin', password: 'admin-demo-password' } as const;
export const DEFAULT_DEMO_PASSWORD = 'demo-password';
export const DEFAULT_JWT_SECRET = 'dev-only-secret-change-me';
export const DEFAULT_SMTP_FROM = '"Dân vận khéo" <no-reply@localhost>';

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, cwd = process.cwd()): AppConfig {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const tlsEnabled = bool(env, 'TEMPORAL_TLS', false);
  const tlsPaths = {
    serverNameOverride: optional(env, 'TEMPORAL_TLS_SERVER_NAME'),
    serverRootCaCertPath: optional(env, 'TEMPORAL_TLS_CA_PATH'),
    clientCertPath: optional(env, 'TEMPORAL_TLS_CERT_PATH'),
    clientKeyPath: optional(env, 'TEMPORAL_TLS_KEY_PATH'),
  };
  if (!!tlsPaths.clientCertPath !== !!tlsPaths.clientKeyPath) {
    throw new ConfigError('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
  }
  const apiKey = optional(env, 'TEMPORAL_API_KEY');
  const config: AppConfig = {
    nodeEnv,
    port: portNumber(env, 'PORT', 3000),
    dataDir: path.resolve(cwd, env.DATA_DIR || 'data'),
    databaseUrl: databaseUrl(env),
    databaseConnectTimeoutMs: boundedInt(env, 'DATABASE_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
    temporal: {
      address: hostPort(env, 'TEMPORAL_ADDRESS'),
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE || 'nominations',
      apiKey,
      // An API key (Temporal Cloud) implies TLS.
      tls: tlsEnabled || apiKey || tlsPaths.clientCertPath ? tlsPaths : undefined,
      devServerPort: portNumber(env, 'TEMPORAL_DEV_SERVER_PORT', 7233),
      devServerUiPort: portNumber(env, 'TEMPORAL_DEV_SERVER_UI_PORT', 8233),
      uiUrl: optional(env, 'TEMPORAL_UI_URL'),
      requestTimeoutMs: boundedInt(env, 'TEMPORAL_REQUEST_TIMEOUT_MS', 10_000, 100, 600_000),
    },
    admin: {
      username: env.ADMIN_USERNAME || DEFAULT_ADMIN.username,
      password: env.ADMIN_PASSWORD || DEFAULT_ADMIN.password,
    },
    demo: {
      // Demo users with a published password have no place in production unless asked for.
      enabled: bool(env, 'DEMO_DATA', nodeEnv !== 'production'),
      password: env.DEMO_PASSWORD || DEFAULT_DEMO_PASSWORD,
    },
    jwt: {
      secret: env.JWT_SECRET || DEFAULT_JWT_SECRET,
      ttlSeconds: positiveInt(env, 'JWT_TTL_SECONDS', 3600),
    },
    login: {
      maxFailures: positiveInt(env, 'LOGIN_MAX_FAILURES', 5),
      windowSeconds: positiveInt(env, 'LOGIN_WINDOW_SECONDS', 900),
      maxAttemptsPerAddress: positiveInt(env, 'LOGIN_MAX_ATTEMPTS_PER_ADDRESS', 30),
    },
    corsOrigins: corsOrigins(env),
    logLevel: logLevel(env),
    smtp: smtp(env),
    emailSender: emailSender(env),
  };
  if (config.admin.password.length < 8) throw new ConfigError('ADMIN_PASSWORD must be at least 8 characters');
  if (config.demo.password.length < 8) throw new ConfigError('DEMO_PASSWORD must be at least 8 characters');
  if (nodeEnv === 'production') {
    if (config.jwt.secret === DEFAULT_JWT_SECRET) {
      throw new ConfigError('JWT_SECRET must be set in production (the default secret is public)');
    }
    if (config.admin.password === DEFAULT_ADMIN.password) {
      throw new ConfigError('ADMIN_PASSWORD must be set in production (the default password is public)');
    }
    if (config.demo.enabled && config.demo.password === DEFAULT_DEMO_PASSWORD) {
      throw new ConfigError(
        'DEMO_PASSWORD must be set when DEMO_DATA=true in production (the default is public)',
      );
    }
  }
  return config;
}

function optional(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function portNumber(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535)
    throw new ConfigError(`${name} must be a port number 0-65535, got '${raw}'`);
  return n;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0)
    throw new ConfigError(`${name} must be a positive integer, got '${raw}'`);
  return Number(raw);
}

/** A whole number within [min, max]: a deadline of 0 would fail every call, one of hours would hang them. */
function boundedInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  return Number(raw);
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got '${raw}'`);
}

function databaseUrl(env: Env): string | undefined {
  const raw = optional(env, 'DATABASE_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL must start with postgres:// or postgresql://, got '${url.protocol}//'`,
    );
  }
  if (!url.hostname || url.pathname.length <= 1) {
    throw new ConfigError(
      'DATABASE_URL must name a host and a database (postgres://user:password@host:port/database)',
    );
  }
  return raw;
}

function hostPort(env: Env, name: string): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  const m = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(raw);
  if (!m || Number(m[2]) > 65535) throw new ConfigError(`${name} must be host:port, got '${raw}'`);
  return raw;
}

function smtp(env: Env): AppConfig['smtp'] {
  const raw = optional(env, 'SMTP_URL');
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  // The value may carry a password: the message names the scheme and never echoes the URL.
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw new ConfigError('SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…');
  }
  const from = optional(env, 'SMTP_FROM') ?? DEFAULT_SMTP_FROM;
  if (!/@[^\s@>]+>?$/.test(from)) {
    throw new ConfigError(
      `SMTP_FROM must be an address such as "Name" <no-reply@example.org>, got '${from}'`,
    );
  }
  return { url: raw, from };
}

function emailSender(env: Env): EmailSenderConfig {
  const config = {
    pollIntervalMs: boundedInt(env, 'EMAIL_POLL_INTERVAL_MS', 1000, 10, 600_000),
    batchSize: boundedInt(env, 'EMAIL_BATCH_SIZE', 10, 1, 100),
    retryMinMs: boundedInt(env, 'EMAIL_RETRY_MIN_MS', 10_000, 10, 3_600_000),
    retryMaxMs: boundedInt(env, 'EMAIL_RETRY_MAX_MS', 600_000, 10, 86_400_000),
    // Shorter than a send can last (the mailer's timeouts, ~35 s) risks sending an email twice.
    claimMs: boundedInt(env, 'EMAIL_CLAIM_MS', 120_000, 1_000, 3_600_000),
  };
  if (config.retryMaxMs < config.retryMinMs) {
    throw new ConfigError(
      `EMAIL_RETRY_MAX_MS must be at least EMAIL_RETRY_MIN_MS (${config.retryMinMs}), got ${config.retryMaxMs}`,
    );
  }
  return config;
}

/** A comma-separated list of origins (`scheme://host[:port]`), each exactly as a browser sends it. */
function corsOrigins(env: Env): string[] | undefined {
  const raw = optional(env, 'CORS_ORIGINS');
  if (raw === undefined) return undefined;
  const origins = raw
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    const bare = origin.replace(/\/$/, '');
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== bare) {
      throw new ConfigError(
        `CORS_ORIGINS must list origins such as https://danvan.example.vn (scheme, host and port only, ` +
          `no '*'), got '${origin}'`,
      );
    }
  }
  return origins.length ? [...new Set(origins.map((o) => o.replace(/\/$/, '')))] : undefined;
}

function logLevel(env: Env): Level {
  const raw = (optional(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!['debug', 'info', 'warn', 'error'].includes(raw)) {
    throw new ConfigError(`LOG_LEVEL must be one of debug, info, warn, error; got '${raw}'`);
  }
  return raw as Level;
}
