import { aes256Key, ConfigError, dnsServers, flag, hostname, list, oneOf, port, positiveInteger, text, url } from './parsers';

export { ConfigError };

/**
 * An environment variable, validated once at start, with a description and
 * a sensitivity flag; sensitive values never reach logs.
 */
interface VariableSpec<T> {
  description: string;
  sensitive?: boolean;
  /** Used when the variable is unset; a function may derive it from earlier values. */
  fallback?: string | ((env: NodeJS.ProcessEnv) => string | undefined);
  /** A built-in development value that is rejected when NODE_ENV is production, even when set explicitly. */
  developmentValue?: string;
  parse: (raw: string, name: string) => T;
}

const DEV_SESSION_SECRET = 'development-only-session-secret-change-me';
const DEV_WEBHOOK_SECRET_KEY = '6465762d6f6e6c792d776562686f6f6b2d7365637265742d6b65792d30303031';

/** Returns a fallback for local runs only: in production the variable must be set. */
function unlessProduction(value: string) {
  return (env: NodeJS.ProcessEnv) => (env.NODE_ENV === 'production' ? undefined : value);
}

function appDatabaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.DATABASE_URL) return undefined;
  try {
    const parsed = new URL(env.DATABASE_URL);
    parsed.username = 'portal_app';
    parsed.password = env.APP_DATABASE_PASSWORD ?? '';
    return parsed.toString();
  } catch {
    return undefined;
  }
}

const SPEC = {
  NODE_ENV: {
    description: 'Runtime mode: development, test or production.',
    fallback: 'development',
    parse: oneOf(['development', 'test', 'production'] as const),
  },
  DATABASE_URL: {
    description:
      'PostgreSQL URL of the migrating user, which owns the schema through portal_owner. Migrations and provisioning use it. Required in production.',
    sensitive: true,
    fallback: unlessProduction('postgres://postgres@127.0.0.1:5432/portal'),
    parse: url(['postgres:', 'postgresql:']),
  },
  APP_DATABASE_URL: {
    description:
      'PostgreSQL URL the apps connect with, as portal_app. Defaults to DATABASE_URL with the user portal_app and APP_DATABASE_PASSWORD.',
    sensitive: true,
    fallback: appDatabaseUrl,
    parse: url(['postgres:', 'postgresql:']),
  },
  DATABASE_POOL_SIZE: {
    description: 'Maximum PostgreSQL connections per process.',
    fallback: '10',
    parse: positiveInteger,
  },
  REDIS_URL: {
    description: 'Redis URL for sessions, rate limits, cache invalidation and queues. Required in production.',
    sensitive: true,
    fallback: unlessProduction('redis://127.0.0.1:6379'),
    parse: url(['redis:', 'rediss:']),
  },
  LISTEN_HOST: {
    description:
      'Address the apps listen on: 127.0.0.1 outside production, so a development machine does not serve its network; 0.0.0.0 in production.',
    fallback: (env: NodeJS.ProcessEnv) => (env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    parse: text,
  },
  PORTAL_PORT: { description: 'TCP port of the customer portal.', fallback: '3000', parse: port },
  SMTP_URL: {
    description: 'SMTP server the worker sends email through, such as smtp://user:password@mail.example.com:587.',
    sensitive: true,
    fallback: 'smtp://127.0.0.1:1025',
    parse: url(['smtp:', 'smtps:']),
  },
  MAIL_FROM_ADDRESS: {
    description: "Sender address of every email; the display name is the tenant's company name.",
    fallback: 'no-reply@portal.localhost',
    parse: (raw: string, name: string) => {
      if (!/^[^\s@<>]+@[^\s@<>]+$/.test(raw)) throw new ConfigError(`${name} must be an email address, got "${raw}"`);
      return raw;
    },
  },
  CONSOLE_PORT: { description: 'TCP port of the staff console.', fallback: '3001', parse: port },
  WORKER_PORT: { description: 'TCP port of the worker health endpoint.', fallback: '3002', parse: port },
  PORTAL_BASE_DOMAIN: {
    description: 'Platform domain: tenant portals are served on {slug}.{PORTAL_BASE_DOMAIN}.',
    fallback: 'localhost',
    parse: hostname,
  },
  PORTAL_PUBLIC_URL_TEMPLATE: {
    description:
      'URL of a tenant portal as customers reach it, with {host} for the hostname. Links in pages, emails and PDFs use it.',
    fallback: (env: NodeJS.ProcessEnv) =>
      env.NODE_ENV === 'production' ? 'https://{host}' : `http://{host}:${env.PORTAL_PORT ?? '3000'}`,
    parse: (raw: string, name: string) => {
      if (!raw.includes('{host}')) throw new ConfigError(`${name} must contain {host}, got "${raw}"`);
      return raw;
    },
  },
  CONSOLE_HOST: {
    description: 'Hostname of the staff console.',
    fallback: 'console.localhost',
    parse: hostname,
  },
  CONSOLE_PUBLIC_URL: {
    description: 'URL of the staff console as staff reach it. Links in staff emails use it.',
    fallback: (env: NodeJS.ProcessEnv) => {
      const host = env.CONSOLE_HOST || 'console.localhost';
      return env.NODE_ENV === 'production' ? `https://${host}` : `http://${host}:${env.CONSOLE_PORT || '3001'}`;
    },
    parse: (raw: string, name: string) => {
      if (!/^https?:\/\/[^/?#\s]+$/.test(raw)) throw new ConfigError(`${name} must be an http(s) origin with no path, got "${raw}"`);
      return raw;
    },
  },
  EMAIL_CONCURRENCY: {
    description: 'Emails one worker process sends at the same time; each holds a database connection while it sends.',
    fallback: '4',
    parse: positiveInteger,
  },
  INVITATION_TTL_HOURS: {
    description: 'How long an invitation or a staff-issued set-password link stays valid, in hours.',
    fallback: '168',
    parse: positiveInteger,
  },
  PASSWORD_RESET_TTL_MINUTES: {
    description: 'How long a self-service "forgot password" link stays valid, in minutes.',
    fallback: '60',
    parse: positiveInteger,
  },
  PASSWORD_RESET_MAX_REQUESTS: {
    description: 'Password reset requests allowed per email address, and ten times that per client address, per hour.',
    fallback: '5',
    parse: positiveInteger,
  },
  SESSION_SECRET: {
    description: 'Secret that signs session cookies; at least 32 characters. Required in production.',
    sensitive: true,
    fallback: (env: NodeJS.ProcessEnv) => (env.NODE_ENV === 'production' ? undefined : DEV_SESSION_SECRET),
    parse: (raw: string, name: string) => {
      if (raw.length < 32) throw new ConfigError(`${name} must be at least 32 characters long`);
      return raw;
    },
  },
  SESSION_TTL_MINUTES: {
    description: 'Lifetime of a portal session in minutes, counted from sign-in.',
    fallback: '480',
    parse: positiveInteger,
  },
  COOKIE_SECURE: {
    description: 'Whether cookies are Secure and __Host- prefixed: true behind HTTPS.',
    fallback: (env: NodeJS.ProcessEnv) => (env.NODE_ENV === 'production' ? 'true' : 'false'),
    parse: (raw: string, name: string) => oneOf(['true', 'false'] as const)(raw, name) === 'true',
  },
  TRUSTED_PROXIES: {
    description:
      'Comma-separated proxy addresses or CIDR ranges whose X-Forwarded-Host and X-Forwarded-For are believed. Empty trusts none.',
    fallback: '',
    parse: list,
  },
  LOGIN_MAX_ATTEMPTS: {
    description: 'Sign-in attempts allowed per account within LOGIN_WINDOW_SECONDS; a success resets the count.',
    fallback: '5',
    parse: positiveInteger,
  },
  LOGIN_MAX_ATTEMPTS_PER_ADDRESS: {
    description:
      'Failed sign-in attempts allowed per client address and tenant within LOGIN_WINDOW_SECONDS. Offices share one address, so it is higher.',
    fallback: '50',
    parse: positiveInteger,
  },
  LOGIN_WINDOW_SECONDS: {
    description: 'Length of the login rate-limit window in seconds.',
    fallback: '900',
    parse: positiveInteger,
  },
  HOST_CACHE_SECONDS: {
    description: 'How long a resolved hostname stays cached when no invalidation arrives.',
    fallback: '300',
    parse: positiveInteger,
  },
  CHROMIUM_PATH: {
    description: 'Chromium executable the worker renders PDFs with (Debian package chromium).',
    fallback: '/usr/bin/chromium',
    parse: text,
  },
  PDF_RENDER_TIMEOUT_MS: {
    description: 'Longest one PDF render may take, in milliseconds, before the page is closed and the job retried.',
    fallback: '30000',
    parse: positiveInteger,
  },
  PDF_PAGE_POOL_SIZE: {
    description: 'Browser pages one worker process renders with at the same time.',
    fallback: '2',
    parse: positiveInteger,
  },
  DOCUMENT_LOCK_DURATION_MS: {
    description:
      "How long a render job's lock lasts without renewal, in milliseconds (BullMQ lockDuration). The worker renews it at half this interval, so the job of a worker that died counts as stalled once this time has passed.",
    fallback: '30000',
    parse: positiveInteger,
  },
  DOCUMENT_STALLED_INTERVAL_MS: {
    description:
      'How often the documents queue is checked for stalled render jobs, in milliseconds (BullMQ stalledInterval). A stalled job returns to the queue within about two intervals.',
    fallback: '30000',
    parse: positiveInteger,
  },
  DOCUMENT_RENDERS_PER_MINUTE: {
    description: 'New PDF renders one signed-in user may queue per minute; requests beyond it get 429 until the minute ends.',
    fallback: '20',
    parse: positiveInteger,
  },
  SERVICE_REQUESTS_PER_HOUR: {
    description: 'Service requests one portal user may submit per hour; further submissions get 429 until the hour ends.',
    fallback: '10',
    parse: positiveInteger,
  },
  API_RATE_LIMIT_PER_MINUTE: {
    description:
      'Requests one integration API key may make per minute; later requests get 429 with Retry-After until the minute ends.',
    fallback: '600',
    parse: positiveInteger,
  },
  STORAGE_DRIVER: {
    description: 'Where documents are stored: local (a folder, STORAGE_LOCAL_DIR) or s3 (the S3_* settings).',
    fallback: 'local',
    parse: oneOf(['local', 's3'] as const),
  },
  STORAGE_LOCAL_DIR: {
    description: 'Folder of the local storage driver; relative paths start at the working directory.',
    fallback: '.data/storage',
    parse: text,
  },
  S3_ENDPOINT: {
    description: 'S3 API endpoint URL, for S3-compatible services; empty means AWS for S3_REGION.',
    fallback: '',
    parse: (raw: string, name: string) => (raw === '' ? '' : url(['http:', 'https:'])(raw, name)),
  },
  S3_REGION: { description: 'S3 region.', fallback: 'us-east-1', parse: text },
  S3_BUCKET: {
    description: 'S3 bucket for documents; required when STORAGE_DRIVER is s3.',
    fallback: (env: NodeJS.ProcessEnv) => (env.STORAGE_DRIVER === 's3' ? undefined : ''),
    parse: text,
  },
  S3_FORCE_PATH_STYLE: {
    description: 'Whether to address the bucket in the path (true for most S3-compatible servers) instead of the hostname.',
    fallback: 'false',
    parse: (raw: string, name: string) => oneOf(['true', 'false'] as const)(raw, name) === 'true',
  },
  S3_ACCESS_KEY_ID: { description: 'S3 access key id; empty uses the SDK default credential chain.', fallback: '', parse: text },
  S3_SECRET_ACCESS_KEY: {
    description: 'S3 secret access key; empty uses the SDK default credential chain.',
    sensitive: true,
    fallback: '',
    parse: text,
  },
  PORTAL_METRICS_PORT: {
    description: 'Port of the portal process Prometheus listener (GET /metrics), apart from the public port; 0 picks a free port.',
    fallback: '9464',
    parse: port,
  },
  CONSOLE_METRICS_PORT: { description: 'Port of the console process Prometheus listener.', fallback: '9465', parse: port },
  WORKER_METRICS_PORT: { description: 'Port of the worker process Prometheus listener.', fallback: '9466', parse: port },
  SHUTDOWN_TIMEOUT_MS: {
    description:
      'Milliseconds from SIGTERM to a forced exit; requests and jobs in flight get this long to finish. Keep it below the orchestrator grace period.',
    fallback: '25000',
    parse: positiveInteger,
  },
  SHUTDOWN_DRAIN_DELAY_MS: {
    description:
      'Milliseconds an app keeps accepting connections after SIGTERM, with readiness failing, before it stops listening; part of SHUTDOWN_TIMEOUT_MS.',
    fallback: '3000',
    parse: (raw: string, name: string) => (raw === '0' ? 0 : positiveInteger(raw, name)),
  },
  WEBHOOK_SECRET_KEY: {
    description:
      'AES-256-GCM key that encrypts webhook signing secrets in the database: 32 random bytes as 64 hex digits or base64. Required in production, where the built-in development key is rejected. Changing it makes stored secrets unreadable, so every endpoint needs a new secret.',
    sensitive: true,
    fallback: (env: NodeJS.ProcessEnv) => (env.NODE_ENV === 'production' ? undefined : DEV_WEBHOOK_SECRET_KEY),
    developmentValue: DEV_WEBHOOK_SECRET_KEY,
    parse: aes256Key,
  },
  WEBHOOK_ALLOW_PRIVATE_TARGETS: {
    description:
      'Whether webhook URLs may reach loopback, private, link-local and other internal addresses. Only for development, such as a receiver on 127.0.0.1.',
    fallback: 'false',
    parse: flag,
  },
  WEBHOOK_TIMEOUT_MS: {
    description: 'Maximum time one webhook request may take, from connecting to the end of the response, in milliseconds.',
    fallback: '10000',
    parse: positiveInteger,
  },
  WEBHOOK_MAX_ATTEMPTS: {
    description: 'Attempts per webhook delivery, the first included, before it is marked failed.',
    fallback: '10',
    parse: positiveInteger,
  },
  WEBHOOK_BACKOFF_MS: {
    description: 'Delay before the first retry of a webhook delivery, in milliseconds; each later retry waits twice as long as the one before.',
    fallback: '30000',
    parse: positiveInteger,
  },
  WEBHOOK_CONCURRENCY: {
    description: 'Webhook requests one worker process sends at the same time. A request holds no database connection while it waits for the receiver.',
    fallback: '16',
    parse: positiveInteger,
  },
  WEBHOOK_TENANT_CONCURRENCY: {
    description:
      "Webhook requests of one tenant in progress at the same time, across all worker processes. A tenant's further deliveries wait, so slow receivers of one tenant cannot take every slot.",
    fallback: '4',
    parse: positiveInteger,
  },
  DOMAIN_RECHECK_SECONDS: {
    description:
      'Delay before the worker checks a pending custom domain again after a failed check, in seconds. Pending domains are re-checked for 7 days after they were added.',
    fallback: '600',
    parse: positiveInteger,
  },
  DNS_SERVERS: {
    description:
      'Comma-separated DNS servers that webhook host names and custom domain verification records are resolved with, such as 127.0.0.1:5353. Empty uses the servers of the operating system (/etc/resolv.conf).',
    fallback: '',
    parse: dnsServers,
  },
  LOG_LEVEL: {
    description: 'pino log level.',
    fallback: 'info',
    parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
  },
} satisfies Record<string, VariableSpec<unknown>>;

type Spec = typeof SPEC;
export type AppConfig = { readonly [K in keyof Spec]: ReturnType<Spec[K]['parse']> };

/** Names of the variables that must never be logged. */
export const SENSITIVE_VARIABLES = Object.entries(SPEC)
  .filter(([, spec]) => (spec as VariableSpec<unknown>).sensitive)
  .map(([name]) => name);

/**
 * Reads and validates every variable. Collects all problems first, so one
 * start names every missing or malformed variable at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const resolved: NodeJS.ProcessEnv = { ...env };
  const values: Record<string, unknown> = {};
  const problems: string[] = [];

  for (const [name, entry] of Object.entries(SPEC)) {
    const spec = entry as VariableSpec<unknown>;
    let raw = env[name];
    if (raw === undefined || raw === '') {
      raw = typeof spec.fallback === 'function' ? spec.fallback(resolved) : spec.fallback;
    }
    if (raw === undefined) {
      problems.push(`${name} is missing: ${spec.description}`);
      continue;
    }
    resolved[name] = raw;
    if (spec.developmentValue !== undefined && raw === spec.developmentValue && resolved.NODE_ENV === 'production') {
      problems.push(`${name} is set to the built-in development value, which production rejects: ${spec.description}`);
      continue;
    }
    try {
      values[name] = spec.parse(raw, name);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
    }
  }

  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return Object.freeze(values) as AppConfig;
}

/** Returns the configuration for a start-up log line, with sensitive values masked. */
export function printableConfig(config: AppConfig): Record<string, unknown> {
  const sensitive = new Set(SENSITIVE_VARIABLES);
  return Object.fromEntries(
    Object.entries(config).map(([name, value]) => [name, sensitive.has(name) ? '[set]' : value]),
  );
}
