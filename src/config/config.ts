import { plainToInstance } from 'class-transformer';
import { IsOptional, ValidateBy, ValidateIf, validateSync } from 'class-validator';
import * as path from 'node:path';
import type { Level } from '../logging/logger';

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

/** Read as given (a password or a name may carry spaces); every other value is trimmed. */
const UNTRIMMED = new Set([
  'NODE_ENV',
  'DATA_DIR',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'ADMIN_USERNAME',
  'ADMIN_PASSWORD',
  'DEMO_PASSWORD',
  'JWT_SECRET',
]);

/** One variable's rule: the message naming the variable when `value` breaks it, nothing when it holds. */
type Rule = (value: string, name: string) => string | undefined;

function Check(rule: Rule): PropertyDecorator {
  return ValidateBy({
    name: 'env',
    validator: {
      validate: (value: string, args) => rule(value, args!.property) === undefined,
      defaultMessage: (args) => rule(args!.value as string, args!.property) ?? '',
    },
  });
}

const digits = (v: string) => /^\d+$/.test(v);
const port: Rule = (v, name) =>
  digits(v) && Number(v) <= 65535 ? undefined : `${name} must be a port number 0-65535, got '${v}'`;
const positiveInt: Rule = (v, name) =>
  digits(v) && Number(v) > 0 ? undefined : `${name} must be a positive integer, got '${v}'`;
/** A whole number within [min, max]: a deadline of 0 would fail every call, one of hours would hang them. */
const wholeNumber =
  (min: number, max: number): Rule =>
  (v, name) =>
    digits(v) && Number(v) >= min && Number(v) <= max
      ? undefined
      : `${name} must be a whole number from ${min} to ${max}, got '${v}'`;
const BOOLEANS = { '1': true, true: true, yes: true, '0': false, false: false, no: false } as const;
const bool: Rule = (v, name) =>
  v.toLowerCase() in BOOLEANS ? undefined : `${name} must be true or false, got '${v.toLowerCase()}'`;
const hostPort: Rule = (v, name) => {
  const m = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(v);
  return m && Number(m[2]) <= 65535 ? undefined : `${name} must be host:port, got '${v}'`;
};

function parseUrl(v: string): URL | undefined {
  try {
    return new URL(v);
  } catch {
    return undefined;
  }
}

const postgresUrl: Rule = (v) => {
  const url = parseUrl(v);
  if (!url) return 'DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)';
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    return `DATABASE_URL must start with postgres:// or postgresql://, got '${url.protocol}//'`;
  if (!url.hostname || url.pathname.length <= 1)
    return 'DATABASE_URL must name a host and a database (postgres://user:password@host:port/database)';
  return undefined;
};

// The value may carry a password: the message names the scheme and never echoes the URL.
const smtpUrl: Rule = (v) => {
  const url = parseUrl(v);
  return url && (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname
    ? undefined
    : 'SMTP_URL must be smtp://[user:password@]host[:port] or smtps://…';
};

const emailAddress: Rule = (v) =>
  /@[^\s@>]+>?$/.test(v)
    ? undefined
    : `SMTP_FROM must be an address such as "Name" <no-reply@example.org>, got '${v}'`;

/** A comma-separated list of origins (`scheme://host[:port]`), each exactly as a browser sends it. */
const corsOriginList: Rule = (v) => {
  const bad = splitList(v).find((origin) => {
    const url = parseUrl(origin);
    return !url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin.replace(/\/$/, '');
  });
  return bad === undefined
    ? undefined
    : 'CORS_ORIGINS must list origins such as https://danvan.example.vn (scheme, host and port only, ' +
        `no '*'), got '${bad}'`;
};

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];
const logLevelName: Rule = (v) =>
  LOG_LEVELS.includes(v.toLowerCase())
    ? undefined
    : `LOG_LEVEL must be one of debug, info, warn, error; got '${v.toLowerCase()}'`;

const atLeast8: Rule = (v, name) => (v.length >= 8 ? undefined : `${name} must be at least 8 characters`);

/**
 * The environment the process accepts (docs/configuration.md), one property per variable; unset or blank
 * variables take their defaults in loadConfig.
 */
export class EnvironmentVariables {
  @IsOptional() @Check(port) PORT?: string;
  @IsOptional() @Check(postgresUrl) DATABASE_URL?: string;
  @IsOptional() @Check(wholeNumber(100, 600_000)) DATABASE_CONNECT_TIMEOUT_MS?: string;
  @IsOptional() @Check(hostPort) TEMPORAL_ADDRESS?: string;
  @IsOptional() @Check(wholeNumber(100, 600_000)) TEMPORAL_REQUEST_TIMEOUT_MS?: string;
  @IsOptional() @Check(bool) TEMPORAL_TLS?: string;
  @IsOptional() @Check(port) TEMPORAL_DEV_SERVER_PORT?: string;
  @IsOptional() @Check(port) TEMPORAL_DEV_SERVER_UI_PORT?: string;
  @IsOptional() @Check(atLeast8) ADMIN_PASSWORD?: string;
  @IsOptional() @Check(bool) DEMO_DATA?: string;
  @IsOptional() @Check(atLeast8) DEMO_PASSWORD?: string;
  @IsOptional() @Check(positiveInt) JWT_TTL_SECONDS?: string;
  @IsOptional() @Check(positiveInt) LOGIN_MAX_FAILURES?: string;
  @IsOptional() @Check(positiveInt) LOGIN_WINDOW_SECONDS?: string;
  @IsOptional() @Check(positiveInt) LOGIN_MAX_ATTEMPTS_PER_ADDRESS?: string;
  @IsOptional() @Check(corsOriginList) CORS_ORIGINS?: string;
  @IsOptional() @Check(logLevelName) LOG_LEVEL?: string;
  @IsOptional() @Check(smtpUrl) SMTP_URL?: string;
  // Checked only when it is used, i.e. with SMTP_URL.
  @ValidateIf((e: EnvironmentVariables) => e.SMTP_URL !== undefined && e.SMTP_FROM !== undefined)
  @Check(emailAddress)
  SMTP_FROM?: string;
  @IsOptional() @Check(wholeNumber(10, 600_000)) EMAIL_POLL_INTERVAL_MS?: string;
  @IsOptional() @Check(wholeNumber(1, 100)) EMAIL_BATCH_SIZE?: string;
  @IsOptional() @Check(wholeNumber(10, 3_600_000)) EMAIL_RETRY_MIN_MS?: string;
  @IsOptional() @Check(wholeNumber(10, 86_400_000)) EMAIL_RETRY_MAX_MS?: string;
  // Shorter than a send can last (the mailer's timeouts, ~35 s) risks sending an email twice.
  @IsOptional() @Check(wholeNumber(1_000, 3_600_000)) EMAIL_CLAIM_MS?: string;
}

/**
 * Checks the environment against EnvironmentVariables and the rules that tie variables together; throws a
 * ConfigError naming the first variable at fault. Returns the environment with blank values unset and
 * values trimmed (the `validate` of @nestjs/config's ConfigModule).
 */
export function validateEnv(raw: Record<string, unknown>): Env {
  const env: Env = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string') continue;
    const v = UNTRIMMED.has(name) ? value : value.trim();
    if (v !== '') env[name] = v;
  }
  const errors = validateSync(plainToInstance(EnvironmentVariables, env), { stopAtFirstError: true });
  if (errors.length) throw new ConfigError(Object.values(errors[0].constraints ?? {})[0]);
  if (!!env.TEMPORAL_TLS_CERT_PATH !== !!env.TEMPORAL_TLS_KEY_PATH) {
    throw new ConfigError('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together');
  }
  const retryMin = Number(env.EMAIL_RETRY_MIN_MS ?? 10_000);
  const retryMax = Number(env.EMAIL_RETRY_MAX_MS ?? 600_000);
  if (retryMax < retryMin) {
    throw new ConfigError(
      `EMAIL_RETRY_MAX_MS must be at least EMAIL_RETRY_MIN_MS (${retryMin}), got ${retryMax}`,
    );
  }
  if ((env.NODE_ENV ?? 'development') === 'production') {
    if ((env.JWT_SECRET ?? DEFAULT_JWT_SECRET) === DEFAULT_JWT_SECRET) {
      throw new ConfigError('JWT_SECRET must be set in production (the default secret is public)');
    }
    if ((env.ADMIN_PASSWORD ?? DEFAULT_ADMIN.password) === DEFAULT_ADMIN.password) {
      throw new ConfigError('ADMIN_PASSWORD must be set in production (the default password is public)');
    }
    // Demo users with a published password have no place in production unless asked for.
    if (
      flag(env.DEMO_DATA, false) &&
      (env.DEMO_PASSWORD ?? DEFAULT_DEMO_PASSWORD) === DEFAULT_DEMO_PASSWORD
    ) {
      throw new ConfigError(
        'DEMO_PASSWORD must be set when DEMO_DATA=true in production (the default is public)',
      );
    }
  }
  return env;
}

/** The typed configuration the application injects (APP_CONFIG), from the validated environment. */
export function loadConfig(rawEnv: Env = process.env, cwd = process.cwd()): AppConfig {
  const env = validateEnv(rawEnv);
  const nodeEnv = env.NODE_ENV ?? 'development';
  const int = (name: string, fallback: number) => (env[name] === undefined ? fallback : Number(env[name]));
  const tlsPaths = {
    serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME,
    serverRootCaCertPath: env.TEMPORAL_TLS_CA_PATH,
    clientCertPath: env.TEMPORAL_TLS_CERT_PATH,
    clientKeyPath: env.TEMPORAL_TLS_KEY_PATH,
  };
  const apiKey = env.TEMPORAL_API_KEY;
  const corsOrigins = env.CORS_ORIGINS
    ? [...new Set(splitList(env.CORS_ORIGINS).map((o) => o.replace(/\/$/, '')))]
    : [];
  return {
    nodeEnv,
    port: int('PORT', 3000),
    dataDir: path.resolve(cwd, env.DATA_DIR ?? 'data'),
    databaseUrl: env.DATABASE_URL,
    databaseConnectTimeoutMs: int('DATABASE_CONNECT_TIMEOUT_MS', 5000),
    temporal: {
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'nominations',
      apiKey,
      // An API key (Temporal Cloud) implies TLS.
      tls: flag(env.TEMPORAL_TLS, false) || apiKey || tlsPaths.clientCertPath ? tlsPaths : undefined,
      devServerPort: int('TEMPORAL_DEV_SERVER_PORT', 7233),
      devServerUiPort: int('TEMPORAL_DEV_SERVER_UI_PORT', 8233),
      uiUrl: env.TEMPORAL_UI_URL,
      requestTimeoutMs: int('TEMPORAL_REQUEST_TIMEOUT_MS', 10_000),
    },
    admin: {
      username: env.ADMIN_USERNAME ?? DEFAULT_ADMIN.username,
      password: env.ADMIN_PASSWORD ?? DEFAULT_ADMIN.password,
    },
    demo: {
      enabled: flag(env.DEMO_DATA, nodeEnv !== 'production'),
      password: env.DEMO_PASSWORD ?? DEFAULT_DEMO_PASSWORD,
    },
    jwt: { secret: env.JWT_SECRET ?? DEFAULT_JWT_SECRET, ttlSeconds: int('JWT_TTL_SECONDS', 3600) },
    login: {
      maxFailures: int('LOGIN_MAX_FAILURES', 5),
      windowSeconds: int('LOGIN_WINDOW_SECONDS', 900),
      maxAttemptsPerAddress: int('LOGIN_MAX_ATTEMPTS_PER_ADDRESS', 30),
    },
    corsOrigins: corsOrigins.length ? corsOrigins : undefined,
    logLevel: (env.LOG_LEVEL ?? 'info').toLowerCase() as Level,
    smtp: env.SMTP_URL ? { url: env.SMTP_URL, from: env.SMTP_FROM ?? DEFAULT_SMTP_FROM } : undefined,
    emailSender: {
      pollIntervalMs: int('EMAIL_POLL_INTERVAL_MS', 1000),
      batchSize: int('EMAIL_BATCH_SIZE', 10),
      retryMinMs: int('EMAIL_RETRY_MIN_MS', 10_000),
      retryMaxMs: int('EMAIL_RETRY_MAX_MS', 600_000),
      claimMs: int('EMAIL_CLAIM_MS', 120_000),
    },
  };
}

function flag(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : BOOLEANS[value.toLowerCase() as keyof typeof BOOLEANS];
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
}
