-- Cross-cutting records: the transactional outbox of domain events (seed §20), HTTP idempotency
-- records for commands (DESIGN §6), and the audit log of every state change (seed §26, §28).

create table outbox (
  id bigint generated always as identity,
  event_id uuid not null,
  event_type varchar(128) not null,
  event_version integer not null default 1,
  aggregate_type varchar(64) not null,
  aggregate_id uuid not null,
  tenant_id varchar(64) not null,
  correlation_id varchar(128) not null,
  payload jsonb not null,
  headers jsonb not null default '{}',
  occurred_at timestamptz not null default now(),
  published_at timestamptz,
  attempts integer not null default 0,
  last_error text,
  constraint outbox_pkey primary key (id),
  -- Consumers deduplicate on eventId (Kafka header): it must name one event only.
  constraint outbox_event_id_key unique (event_id),
  constraint outbox_event_version_check check (event_version >= 1),
  constraint outbox_payload_check check (jsonb_typeof(payload) = 'object'),
  constraint outbox_headers_check check (jsonb_typeof(headers) = 'object'),
  constraint outbox_attempts_check check (attempts >= 0)
);
comment on table outbox is
  'Domain events in the seed §20 envelope, inserted in the transaction that changed the state they describe; OutboxRelay publishes them to Kafka (key = aggregate_id, header eventId) and sets published_at. Without Kafka the rows stay unpublished and readable.';

-- The relay claims the oldest unpublished rows with FOR UPDATE SKIP LOCKED; it never pages by
-- "id greater than last seen", since ids are assigned before commit and a later commit can hold a lower id.
create index outbox_unpublished_idx on outbox (occurred_at, id) where published_at is null;
comment on index outbox_unpublished_idx is 'Unpublished events, oldest first: what OutboxRelay claims.';

create index outbox_aggregate_idx on outbox (tenant_id, aggregate_type, aggregate_id, occurred_at);
comment on index outbox_aggregate_idx is 'Events of one aggregate in time order: the event view of the API when Kafka is absent, and the order timeline.';

create table http_idempotency_record (
  tenant_id varchar(64) not null,
  idempotency_key varchar(255) not null,
  request_method varchar(16) not null,
  request_path varchar(1024) not null,
  request_fingerprint varchar(128) not null,
  status varchar(16) not null,
  response_status integer,
  response_headers jsonb,
  response_body jsonb,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  expires_at timestamptz not null,
  constraint http_idempotency_record_pkey primary key (tenant_id, idempotency_key),
  constraint http_idempotency_record_status_check check (status in ('IN_PROGRESS', 'COMPLETED')),
  -- A completed record replays its stored response, so it must have one.
  constraint http_idempotency_record_completed_check check (
    status <> 'COMPLETED' or (response_status is not null and completed_at is not null)),
  constraint http_idempotency_record_response_status_check check (response_status between 100 and 599),
  constraint http_idempotency_record_expiry_check check (expires_at > created_at)
);
comment on table http_idempotency_record is
  'Idempotency-Key records of HTTP commands (IETF draft semantics, DESIGN §6): the request fingerprint detects a reused key with another body (422), IN_PROGRESS a concurrent repeat (409), COMPLETED the stored response to replay.';

create index http_idempotency_record_expires_idx on http_idempotency_record (expires_at);
comment on index http_idempotency_record_expires_idx is 'Expired records, for the periodic clean-up.';

create table audit_log (
  id bigint generated always as identity,
  tenant_id varchar(64) not null,
  order_id uuid,
  entity_type varchar(64) not null,
  entity_id uuid not null,
  action varchar(64) not null,
  state_before varchar(32),
  state_after varchar(32),
  details jsonb not null default '{}',
  actor varchar(128) not null,
  correlation_id varchar(128) not null,
  at timestamptz not null default now(),
  constraint audit_log_pkey primary key (id),
  constraint audit_log_details_check check (jsonb_typeof(details) = 'object')
);
comment on table audit_log is
  'Append-only trail of every state change (seed §26 stateBefore / stateAfter, §28: repairs are audited commands), written in the same transaction as the change. order_id, when the entity belongs to an order, feeds the order timeline.';

create index audit_log_entity_idx on audit_log (tenant_id, entity_type, entity_id, at);
comment on index audit_log_entity_idx is 'History of one entity in time order.';

create index audit_log_order_idx on audit_log (tenant_id, order_id, at) where order_id is not null;
comment on index audit_log_order_idx is 'Audit trail of an order and everything under it: GET /orders/{id}/timeline.';
