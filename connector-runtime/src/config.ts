/**
 * Runtime configuration: every environment variable the runtime reads is declared here once, with
 * its type, default and documentation, and parsed once at start-up (STYLE.md pattern 8). The
 * README's configuration table is checked against `configKeys` by a test, so the two cannot drift.
 */
import { z } from 'zod';
import { partnerSystems } from './adapters/partner-adapter';
import { externalSystems } from './domain/vocabulary';
import { ValidationError } from './errors';
import { roles } from './http/auth/principal';
import { bearerTokenPattern } from './http/auth/static-tokens';
import { faultPointNames, faultPointsSchema } from './faults/fault-points';

const port = z.coerce.number().int().min(0).max(65535);
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** An optional JSON text, parsed (unset or blank: undefined). */
const optionalJson = optionalText.transform((text, context) => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    context.addIssue({ code: 'custom', message: 'not valid JSON' });
    return z.NEVER;
  }
});

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
  API_TOKENS: setting(
    optionalJson.pipe(
      z
        .record(
          z.string().min(16, 'a token of at least 16 characters').regex(bearerTokenPattern, 'a bearer token (letters, digits, -._~+/ and trailing =)'),
          z.strictObject({ tenantId: z.string().min(1).max(64), roles: z.array(z.enum(roles)).min(1), subject: z.string().min(1).max(128) }),
        )
        .refine((tokens) => Object.keys(tokens).length > 0, 'at least one token')
        .optional(),
    ),
    'JSON: static bearer tokens of the order API, each with its tenant, roles (`viewer`, `operator`, `technician`, `integration`) and subject, e.g. `{"<token>":{"tenantId":"tenant-a","roles":["operator"],"subject":"oms-console"}}`. Unset, and API_JWKS_URL unset too: `npm start` generates a demo token for SIMULATOR_TENANT with every role and prints it.',
  ),
  API_JWKS_URL: setting(
    optionalText.pipe(z.url().optional()),
    'JWKS URL of the identity provider: bearer JWTs signed by its keys are accepted (with API_TOKENS, a static token is tried first). Needs API_JWT_ISSUER and API_JWT_AUDIENCE.',
  ),
  API_JWT_ISSUER: setting(optionalText, 'The `iss` a bearer JWT must carry (required with API_JWKS_URL).'),
  API_JWT_AUDIENCE: setting(optionalText, 'An `aud` a bearer JWT must carry (required with API_JWKS_URL).'),
  API_TENANT_CLAIM: setting(z.string().trim().min(1).default('tenant_id'), 'JWT claim holding the tenant id (a claim name, not a path).', '`tenant_id`'),
  API_ROLES_CLAIM: setting(
    z.string().trim().min(1).default('roles'),
    'JWT claim holding the roles: an array or a space-separated string; roles the API does not know are ignored.',
    '`roles`',
  ),
  LOG_LEVEL: setting(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    'pino log level.',
    '`info`',
  ),
  CALLBACK_ADAPTERS: setting(
    optionalJson
      .transform((value) => value ?? {})
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
    optionalJson.pipe(z.partialRecord(z.enum(partnerSystems), z.url()).optional()),
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
  JOB_TIMEOUT_MS: setting(
    z.coerce.number().int().min(1000).max(24 * 3_600_000).default(300_000),
    'How long a job stays locked to this runtime while its handler runs, in ms; after it the engine hands the job out again (handlers are idempotent, so a slow handler costs time, not correctness).',
    '`300000`',
  ),
  FAULT_POINTS: setting(
    optionalJson.pipe(faultPointsSchema.optional()),
    `Fault-injection tests only: JSON of fault points and what happens there, e.g. \`{"task.after-partner-call":{"action":"kill"}}\`; actions \`kill\` (SIGKILL), \`throw\` (a transient error), \`delay\` (\`delayMs\`), with \`skip\` (hits let through first) and \`times\`. Points: ${faultPointNames.map((name) => `\`${name}\``).join(', ')}. Never set in production.`,
  ),
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
  // Without issuer and audience any token the provider signs, for any application, would pass.
  if (out['API_JWKS_URL'] !== undefined) {
    for (const key of ['API_JWT_ISSUER', 'API_JWT_AUDIENCE'] as const) {
      if (out[key] === undefined && !issues.some((issue) => issue.path === key)) issues.push({ path: key, message: 'required with API_JWKS_URL' });
    }
  }
  if (issues.length > 0) {
    throw new ValidationError(
      `Invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join(', ')}`,
      issues,
    );
  }
  return out as Config;
}
