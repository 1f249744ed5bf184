/**
 * Runtime configuration: every environment variable the runtime reads is declared here once, with
 * its type, default and documentation, and parsed once at start-up (STYLE.md pattern 8). The
 * README's configuration table is checked against `configKeys` by a test, so the two cannot drift.
 */
import { z } from 'zod';
import { partnerSystems } from './adapters/partner-adapter';
import { externalSystems } from './domain/vocabulary';
import { ValidationError } from './errors';

const port = z.coerce.number().int().min(0).max(65535);
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** One documented setting. */
interface Setting<T extends z.ZodType> {
  schema: T;
  doc: string;
  /** How the default reads in the README (absent: no default). */
  defaultDoc?: string;
}

function setting<T extends z.ZodType>(schema: T, doc: string, defaultDoc?: string): Setting<T> {
  return defaultDoc === undefined ? { schema, doc } : { schema, doc, defaultDoc };
}

/** Every setting, keyed by its environment variable. */
export const settings = {
  DATABASE_URL: setting(
    optionalText.pipe(z.url().optional()),
    'PostgreSQL connection string of the OMS schema. Unset: `npm start` runs an embedded PostgreSQL.',
  ),
  EMBEDDED_PG_DIR: setting(
    z.string().default('.cache/embedded-pg'),
    'Data folder of the embedded PostgreSQL (only when DATABASE_URL is unset).',
    '`.cache/embedded-pg`',
  ),
  EMBEDDED_PG_PORT: setting(port.default(5433), 'Port of the embedded PostgreSQL, on 127.0.0.1.', '`5433`'),
  KAFKA_BROKERS: setting(
    optionalText.transform((v) => (v === undefined ? undefined : v.split(',').map((b) => b.trim()).filter(Boolean))),
    'Comma-separated Kafka bootstrap brokers. Unset: events stay in the outbox and are visible through the API.',
  ),
  KAFKA_CLIENT_ID: setting(z.string().min(1).default('fulfillment-pack'), 'Kafka client id.', '`fulfillment-pack`'),
  KAFKA_TOPIC_PREFIX: setting(
    z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, dot, dash, underscore').default('oms.'),
    'Prefix of the event topics: one topic per aggregate type, e.g. `oms.fulfillment-task` (docs/architecture.md §6).',
    '`oms.`',
  ),
  HTTP_PORT: setting(port.default(3000), 'Port of the HTTP API (orders, callbacks, /metrics, /health).', '`3000`'),
  HTTP_HOST: setting(
    z.string().trim().min(1).default('127.0.0.1'),
    'Address the HTTP API listens on. The default takes connections from this machine only; `0.0.0.0` (or `::`) from every interface, e.g. in a container.',
    '`127.0.0.1`',
  ),
  LOG_LEVEL: setting(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    'pino log level.',
    '`info`',
  ),
  CALLBACK_ADAPTERS: setting(
    optionalText
      .transform((text, context) => {
        if (text === undefined) return {};
        try {
          return JSON.parse(text) as unknown;
        } catch {
          context.addIssue({ code: 'custom', message: 'not valid JSON' });
          return z.NEVER;
        }
      })
      .pipe(
        z.partialRecord(
          z.enum(externalSystems),
          z.strictObject({ tenantId: z.string().min(1).max(64), secrets: z.array(z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'a Standard Webhooks secret (whsec_...)')).min(1) }),
        ),
      ),
    'JSON: per external system, the tenant its callbacks belong to and its Standard Webhooks secrets, e.g. `{"provisioning":{"tenantId":"tenant-a","secrets":["whsec_..."]}}`; several secrets while rotating. A system not listed gets 404.',
    '`{}`',
  ),
  PARTNER_URLS: setting(
    optionalText
      .transform((text, context) => {
        if (text === undefined) return undefined;
        try {
          return JSON.parse(text) as unknown;
        } catch {
          context.addIssue({ code: 'custom', message: 'not valid JSON' });
          return z.NEVER;
        }
      })
      .pipe(z.partialRecord(z.enum(partnerSystems), z.url()).optional()),
    'JSON: base URL of each partner system, e.g. `{"inventory":"https://inventory.example/api"}`. Unset: the partner simulators run in-process and call back with signed callbacks.',
  ),
  SIMULATOR_TENANT: setting(
    z.string().min(1).max(64).default('tenant-a'),
    'Tenant the in-process partner simulators call back for (their callback secrets are generated at start and added to CALLBACK_ADAPTERS).',
    '`tenant-a`',
  ),
  SIMULATOR_CALLBACK_DELAY_MS: setting(
    z.coerce.number().int().min(0).max(3_600_000).default(300),
    'How long the in-process simulators take before an asynchronous partner calls back, in ms.',
    '`300`',
  ),
  ZEEBE_GRPC_ADDRESS: setting(
    optionalText,
    'Zeebe gateway address (e.g. `grpc://zeebe:26500`). Unset: the local engine runs in-process, its state in the same database (tables `local_engine_*`). Camunda auth settings (`CAMUNDA_AUTH_STRATEGY`, `ZEEBE_CLIENT_ID`, ...) are read by the SDK itself.',
  ),
  ZEEBE_REST_ADDRESS: setting(
    optionalText.pipe(z.url().optional()),
    'Camunda 8 REST address (user tasks), used with ZEEBE_GRPC_ADDRESS. Unset with the local engine: its own REST API.',
  ),
  LOCAL_ENGINE_GRPC_PORT: setting(port.default(26500), 'gRPC port of the in-process local engine, on 127.0.0.1 (0: any free port).', '`26500`'),
  LOCAL_ENGINE_REST_PORT: setting(port.default(8080), 'REST port of the in-process local engine, on 127.0.0.1 (0: any free port).', '`8080`'),
  DEPLOY_RESOURCES: setting(
    z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    'Deploy `bpmn/*.bpmn` and `forms/*.form` at start. Zeebe keeps an unchanged resource at its version, so a restart creates no new version.',
    '`true`',
  ),
} as const;

/** The names of every setting, in declaration order. */
export const configKeys = Object.keys(settings) as (keyof typeof settings)[];

/** Parsed configuration. */
export type Config = { [K in keyof typeof settings]: z.output<(typeof settings)[K]['schema']> };

/**
 * Parses the environment once. Every bad value is reported together, by name, so a misconfigured
 * deployment fails at start-up with one readable message.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const issues: { path: string; message: string }[] = [];
  const out: Record<string, unknown> = {};
  for (const key of configKeys) {
    const result = settings[key].schema.safeParse(env[key]);
    if (result.success) out[key] = result.data;
    else issues.push({ path: key, message: result.error.issues.map((i) => i.message).join('; ') });
  }
  if (issues.length > 0) {
    throw new ValidationError(
      `Invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join(', ')}`,
      issues,
    );
  }
  return out as Config;
}
