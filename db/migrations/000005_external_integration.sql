-- Talking to external systems (seed §9, §10, §11): requests submitted with an external idempotency
-- key, signed callbacks deduplicated in an inbox, and the evidence both leave on a task.

create table external_call_attempt (
  tenant_id varchar(64) not null,
  id uuid not null,
  order_id uuid not null,
  fulfillment_task_id uuid,
  compensation_task_id uuid,
  external_system varchar(128) not null,
  external_correlation_id varchar(256) not null,
  idempotency_key varchar(160) not null,
  request_hash varchar(128) not null,
  response_hash varchar(128),
  status varchar(32) not null,
  failure_code varchar(128),
  failure_message text,
  version bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  submitted_at timestamptz,
  completed_at timestamptz,
  constraint external_call_attempt_pkey primary key (tenant_id, id),
  -- A callback names the external system and its correlation id; together they find one request.
  constraint external_call_attempt_correlation_key unique (tenant_id, external_system, external_correlation_id),
  -- The external idempotency key (tenantId:orderId:taskId:attemptPurpose, seed §9) is sent once per system.
  constraint external_call_attempt_idempotency_key_key unique (tenant_id, external_system, idempotency_key),
  constraint external_call_attempt_order_fkey foreign key (tenant_id, order_id) references customer_order (tenant_id, id),
  constraint external_call_attempt_task_fkey foreign key (tenant_id, fulfillment_task_id)
    references fulfillment_task (tenant_id, id),
  constraint external_call_attempt_compensation_task_fkey foreign key (tenant_id, compensation_task_id)
    references compensation_task (tenant_id, id),
  -- A request is made for exactly one task: a fulfillment task or a compensation step.
  constraint external_call_attempt_one_task_check check (num_nonnulls(fulfillment_task_id, compensation_task_id) = 1),
  constraint external_call_attempt_status_check check (status in ('STARTED', 'SUBMITTED', 'SUCCEEDED', 'FAILED', 'TIMED_OUT')),
  constraint external_call_attempt_version_check check (version >= 0)
);
comment on table external_call_attempt is
  'A request submitted to an external system for an asynchronous task (seed §10): correlation id, request hash and status. The callback handler finds it by (external system, external correlation id) and records the result.';

create index external_call_attempt_task_idx on external_call_attempt (tenant_id, fulfillment_task_id)
  where fulfillment_task_id is not null;
comment on index external_call_attempt_task_idx is 'External requests of a fulfillment task: result application, timeout handling and the task view.';

create index external_call_attempt_compensation_task_idx on external_call_attempt (tenant_id, compensation_task_id)
  where compensation_task_id is not null;
comment on index external_call_attempt_compensation_task_idx is 'External requests of a compensation step.';

create table callback_inbox (
  tenant_id varchar(64) not null,
  id uuid not null,
  source_system varchar(128) not null,
  webhook_id varchar(256) not null,
  webhook_timestamp timestamptz,
  headers jsonb not null default '{}',
  raw_payload text not null,
  payload jsonb,
  payload_hash varchar(128) not null,
  external_correlation_id varchar(256),
  external_call_attempt_id uuid,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  processing_error text,
  constraint callback_inbox_pkey primary key (tenant_id, id),
  constraint callback_inbox_attempt_fkey foreign key (tenant_id, external_call_attempt_id)
    references external_call_attempt (tenant_id, id),
  constraint callback_inbox_headers_check check (jsonb_typeof(headers) = 'object')
);
comment on table callback_inbox is
  'Every verified partner callback, stored before it is acted on (seed §10, §11): the raw body as signed, so it can be re-verified and replayed, deduplicated on the Standard Webhooks webhook-id. processed_at stays null until its effects are committed.';

-- A partner re-sends a webhook until it sees a 2xx: the second delivery must be recognised, not re-applied.
create unique index callback_inbox_dedupe_idx on callback_inbox (tenant_id, source_system, webhook_id);
comment on index callback_inbox_dedupe_idx is 'Inbox dedupe: one row per (tenant, source system, webhook-id); a duplicate delivery hits this key.';

create index callback_inbox_unprocessed_idx on callback_inbox (received_at, id) where processed_at is null;
comment on index callback_inbox_unprocessed_idx is 'Callbacks received but not yet processed, oldest first: recovery after a crash between receipt and processing.';

create table task_evidence (
  tenant_id varchar(64) not null,
  id uuid not null,
  order_id uuid not null,
  fulfillment_task_id uuid,
  compensation_task_id uuid,
  evidence_kind varchar(64) not null,
  source_system varchar(128) not null,
  external_correlation_id varchar(256),
  external_call_attempt_id uuid,
  callback_inbox_id uuid,
  reference varchar(256),
  summary jsonb not null default '{}',
  evidence_hash varchar(128) not null,
  recorded_by varchar(128) not null,
  recorded_at timestamptz not null default now(),
  constraint task_evidence_pkey primary key (tenant_id, id),
  constraint task_evidence_order_fkey foreign key (tenant_id, order_id) references customer_order (tenant_id, id),
  constraint task_evidence_task_fkey foreign key (tenant_id, fulfillment_task_id) references fulfillment_task (tenant_id, id),
  constraint task_evidence_compensation_task_fkey foreign key (tenant_id, compensation_task_id)
    references compensation_task (tenant_id, id),
  constraint task_evidence_attempt_fkey foreign key (tenant_id, external_call_attempt_id)
    references external_call_attempt (tenant_id, id),
  constraint task_evidence_callback_fkey foreign key (tenant_id, callback_inbox_id) references callback_inbox (tenant_id, id),
  constraint task_evidence_one_task_check check (num_nonnulls(fulfillment_task_id, compensation_task_id) = 1),
  constraint task_evidence_summary_check check (jsonb_typeof(summary) = 'object')
);
comment on table task_evidence is
  'Proof that a task''s effect happened or did not (seed §2, §30): an adapter response, a callback, a manual decision''s document reference, a timeout. Large payloads stay in callback_inbox or with the partner; summary holds the small normalised facts.';

create index task_evidence_task_idx on task_evidence (tenant_id, fulfillment_task_id, recorded_at)
  where fulfillment_task_id is not null;
comment on index task_evidence_task_idx is 'Evidence of a task in time order: manual task UI, fallout cases and the order timeline.';
