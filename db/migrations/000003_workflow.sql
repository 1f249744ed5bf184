-- Workflow bookkeeping (seed §6, §21): starting the process exactly once per plan, the link from an
-- order to its process instance, the execution record, task attempts and message correlations.
-- The four seed tables keep the seed's columns and keys; the added columns are commented.

create table workflow_start_request (
  tenant_id varchar(64) not null,
  id uuid not null,
  order_id uuid not null,
  fulfillment_plan_id uuid not null,
  business_key varchar(256) not null,
  process_id varchar(128) not null,
  variables jsonb not null default '{}',
  status varchar(32) not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  process_instance_key varchar(128),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  constraint workflow_start_request_pkey primary key (tenant_id, id),
  -- The start is idempotent per business key: a second request for the same plan is the same start.
  constraint workflow_start_request_business_key_key unique (tenant_id, business_key),
  constraint workflow_start_request_plan_fkey foreign key (tenant_id, order_id, fulfillment_plan_id)
    references fulfillment_plan (tenant_id, order_id, id),
  -- Seed §6's business key, spelled out so that no writer can build it differently.
  constraint workflow_start_request_business_key_check check (
    business_key = tenant_id::text || ':' || order_id::text || ':' || fulfillment_plan_id::text),
  constraint workflow_start_request_status_check check (status in ('PENDING', 'STARTED', 'FAILED')),
  constraint workflow_start_request_started_check check (status <> 'STARTED' or process_instance_key is not null),
  constraint workflow_start_request_variables_check check (jsonb_typeof(variables) = 'object'),
  constraint workflow_start_request_attempts_check check (attempts >= 0)
);
comment on table workflow_start_request is
  'Request to start a fulfillment process, written in the transaction that persists the plan (seed §6); StartRelay creates the process instance once per business key tenantId:orderId:fulfillmentPlanId and records its key.';

create index workflow_start_request_pending_idx on workflow_start_request (next_attempt_at, id)
  where status = 'PENDING';
comment on index workflow_start_request_pending_idx is 'Pending start requests due for an attempt: what StartRelay claims (FOR UPDATE SKIP LOCKED).';

create table order_workflow_ref (
  tenant_id varchar(64) not null,
  order_id uuid not null,
  fulfillment_plan_id uuid not null,
  process_id varchar(128) not null,
  process_instance_key varchar(128) not null,
  status varchar(32) not null,
  started_at timestamptz not null,
  ended_at timestamptz,
  last_seen_task_id uuid,
  last_seen_element_id varchar(128),
  last_error text,
  version bigint not null default 0,
  constraint order_workflow_ref_pkey primary key (tenant_id, order_id, fulfillment_plan_id),
  constraint order_workflow_ref_plan_fkey foreign key (tenant_id, order_id, fulfillment_plan_id)
    references fulfillment_plan (tenant_id, order_id, id),
  constraint order_workflow_ref_status_check check (status in ('ACTIVE', 'COMPLETED', 'CANCELLED', 'FAILED')),
  constraint order_workflow_ref_version_check check (version >= 0)
);
comment on table order_workflow_ref is
  'The process instance executing an order''s fulfillment plan (seed §6), updated by StartRelay and the workers: engine-side progress only, never the order''s truth.';

-- Engine-side events (incidents, job failures) name a process instance; this finds its order.
create unique index order_workflow_ref_process_instance_idx on order_workflow_ref (tenant_id, process_instance_key);
comment on index order_workflow_ref_process_instance_idx is 'The order and plan of a process instance key.';

create table fulfillment_execution (
  id uuid constraint fulfillment_execution_pkey primary key,
  tenant_id varchar(64) not null,
  order_id uuid not null,
  fulfillment_plan_id uuid not null,
  status varchar(32) not null,
  started_at timestamptz not null,
  completed_at timestamptz,
  version bigint not null default 0,
  -- Added: the process instance running this execution, for logs and operations (seed §26).
  process_instance_key varchar(128),
  constraint fulfillment_execution_plan_key unique (tenant_id, order_id, fulfillment_plan_id),
  constraint fulfillment_execution_plan_fkey foreign key (tenant_id, order_id, fulfillment_plan_id)
    references fulfillment_plan (tenant_id, order_id, id),
  constraint fulfillment_execution_status_check check (status in (
    'RUNNING', 'COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED',
    'MANUAL_CLOSED')),
  constraint fulfillment_execution_version_check check (version >= 0)
);
comment on table fulfillment_execution is
  'One execution of a plan by the workflow (seed §21), created idempotently by load-fulfillment-plan: a retried job finds the same row through the unique key.';

create table fulfillment_task_attempt (
  id uuid constraint fulfillment_task_attempt_pkey primary key,
  tenant_id varchar(64) not null,
  order_id uuid not null,
  fulfillment_task_id uuid not null,
  attempt_no int not null,
  status varchar(32) not null,
  idempotency_key varchar(160) not null,
  external_system varchar(128),
  external_correlation_id varchar(256),
  request_hash varchar(128),
  response_hash varchar(128),
  failure_code varchar(128),
  failure_message text,
  started_at timestamptz not null,
  completed_at timestamptz,
  constraint fulfillment_task_attempt_attempt_no_key unique (tenant_id, fulfillment_task_id, attempt_no),
  constraint fulfillment_task_attempt_idempotency_key_key unique (tenant_id, fulfillment_task_id, idempotency_key),
  constraint fulfillment_task_attempt_order_fkey foreign key (tenant_id, order_id) references customer_order (tenant_id, id),
  constraint fulfillment_task_attempt_task_fkey foreign key (tenant_id, fulfillment_task_id)
    references fulfillment_task (tenant_id, id),
  constraint fulfillment_task_attempt_status_check check (status in ('STARTED', 'SUBMITTED', 'SUCCEEDED', 'FAILED', 'TIMED_OUT')),
  constraint fulfillment_task_attempt_attempt_no_check check (attempt_no >= 1)
);
comment on table fulfillment_task_attempt is
  'One attempt to execute a fulfillment task (seed §21), claimed by the worker with the job''s idempotency key before any side effect: a retried job finds its attempt instead of starting another.';

create table workflow_message_correlation (
  id uuid constraint workflow_message_correlation_pkey primary key,
  tenant_id varchar(64) not null,
  process_instance_key varchar(128) not null,
  message_name varchar(128) not null,
  correlation_key varchar(256) not null,
  aggregate_type varchar(64) not null,
  aggregate_id uuid not null,
  status varchar(32) not null,
  created_at timestamptz not null,
  correlated_at timestamptz,
  -- Added: the message's variables (small: ids and outcome flags), its time to live in the engine's
  -- buffer, and the relay's retry bookkeeping.
  variables jsonb not null default '{}',
  time_to_live_ms bigint not null default 0,
  attempts integer not null default 0,
  last_error text,
  constraint workflow_message_correlation_key unique (tenant_id, message_name, correlation_key),
  constraint workflow_message_correlation_status_check check (status in ('PENDING', 'CORRELATED', 'FAILED', 'EXPIRED')),
  constraint workflow_message_correlation_variables_check check (jsonb_typeof(variables) = 'object'),
  constraint workflow_message_correlation_time_to_live_check check (time_to_live_ms >= 0),
  constraint workflow_message_correlation_attempts_check check (attempts >= 0)
);
comment on table workflow_message_correlation is
  'A message to publish to the engine (seed §11, §21), written in the transaction that accepted the callback or command; CorrelationRelay publishes it with messageId = id, so a re-publish is deduplicated by the engine.';

create index workflow_message_correlation_pending_idx on workflow_message_correlation (created_at, id)
  where status = 'PENDING';
comment on index workflow_message_correlation_pending_idx is 'Pending correlations, oldest first: what CorrelationRelay claims (FOR UPDATE SKIP LOCKED).';
