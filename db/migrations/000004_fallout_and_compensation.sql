-- Fallout cases (seed §17) and compensation (seed §16). Both are business truth held by the OMS:
-- BPMN routes to them, a domain command changes them, nobody edits rows or process variables.

create table fallout_case (
  tenant_id varchar(64) not null,
  id uuid not null,
  order_id uuid not null,
  order_item_id uuid,
  fulfillment_plan_id uuid,
  fulfillment_task_id uuid,
  idempotency_key varchar(160) not null,
  category varchar(64) not null,
  severity varchar(16) not null,
  reason text not null,
  customer_impact text,
  retryable boolean not null,
  requires_manual_repair boolean not null,
  suggested_repair_actions jsonb not null default '[]',
  source_system varchar(128),
  external_correlation_id varchar(256),
  evidence_hash varchar(128),
  status varchar(16) not null,
  assigned_to varchar(128),
  resolution text,
  version bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  repaired_at timestamptz,
  closed_at timestamptz,
  constraint fallout_case_pkey primary key (tenant_id, id),
  -- open-fulfillment-fallout may run twice for one failure (job retry): the second finds the first case.
  constraint fallout_case_idempotency_key_key unique (tenant_id, idempotency_key),
  constraint fallout_case_order_fkey foreign key (tenant_id, order_id) references customer_order (tenant_id, id),
  constraint fallout_case_order_item_fkey foreign key (tenant_id, order_id, order_item_id)
    references order_item (tenant_id, order_id, id),
  constraint fallout_case_plan_fkey foreign key (tenant_id, order_id, fulfillment_plan_id)
    references fulfillment_plan (tenant_id, order_id, id),
  constraint fallout_case_task_fkey foreign key (tenant_id, fulfillment_plan_id, fulfillment_task_id)
    references fulfillment_task (tenant_id, fulfillment_plan_id, id),
  -- A task belongs to a plan: naming a task without its plan would escape the key above.
  constraint fallout_case_task_needs_plan_check check (fulfillment_task_id is null or fulfillment_plan_id is not null),
  constraint fallout_case_category_check check (category in (
    'INVALID_DECOMPOSITION_DATA', 'EXTERNAL_SYSTEM_REJECTED', 'EXTERNAL_SYSTEM_TIMEOUT', 'PARTNER_SLA_BREACHED',
    'CUSTOMER_TIMEOUT', 'RESOURCE_CONFLICT', 'APPOINTMENT_UNAVAILABLE', 'BILLING_ACTIVATION_REJECTED',
    'MANUAL_TASK_EXPIRED', 'COMPENSATION_FAILED', 'INSTALLED_BASE_CONFLICT')),
  constraint fallout_case_severity_check check (severity in ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
  constraint fallout_case_status_check check (status in ('OPEN', 'IN_REPAIR', 'REPAIRED', 'CLOSED')),
  constraint fallout_case_suggested_repair_actions_check check (jsonb_typeof(suggested_repair_actions) = 'array'),
  constraint fallout_case_version_check check (version >= 0)
);
comment on table fallout_case is
  'A business-operational work item opened when fulfillment cannot proceed on its own (seed §17): category, severity, customer impact, retryability, suggested repairs and the evidence that caused it. Repaired through domain commands; the process waits for fulfillment-fallout-repaired.';

create index fallout_case_open_idx on fallout_case (tenant_id, order_id, created_at) where status <> 'CLOSED';
comment on index fallout_case_open_idx is 'Open (not yet closed) fallout cases of an order: finalization refuses to complete while one exists; the order view lists them.';

create index fallout_case_backlog_idx on fallout_case (tenant_id, category, created_at) where status in ('OPEN', 'IN_REPAIR');
comment on index fallout_case_backlog_idx is 'Operations backlog by category (seed §26 dashboard "fallout by category").';

create table compensation_plan (
  tenant_id varchar(64) not null,
  id uuid not null,
  order_id uuid not null,
  fulfillment_plan_id uuid not null,
  idempotency_key varchar(160) not null,
  reason text not null,
  status varchar(16) not null,
  version bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  constraint compensation_plan_pkey primary key (tenant_id, id),
  -- Target of compensation_task's key, which pins each step to the plan being compensated.
  constraint compensation_plan_fulfillment_plan_key unique (tenant_id, id, fulfillment_plan_id),
  -- StartCompensationCommand carries an idempotency key (seed §16): a repeated start finds this plan.
  constraint compensation_plan_idempotency_key_key unique (tenant_id, idempotency_key),
  constraint compensation_plan_plan_fkey foreign key (tenant_id, order_id, fulfillment_plan_id)
    references fulfillment_plan (tenant_id, order_id, id),
  constraint compensation_plan_status_check check (status in ('PLANNED', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'MANUAL_REVIEW')),
  constraint compensation_plan_version_check check (version >= 0)
);
comment on table compensation_plan is
  'The compensation of one fulfillment plan (seed §16), generated from its completed compensatable tasks when an order is cancelled or fails.';

-- Two unfinished compensations of one plan would undo the same effects twice.
create unique index compensation_plan_unfinished_idx on compensation_plan (tenant_id, fulfillment_plan_id)
  where status <> 'COMPLETED';
comment on index compensation_plan_unfinished_idx is 'At most one unfinished compensation per fulfillment plan.';

create table compensation_task (
  tenant_id varchar(64) not null,
  id uuid not null,
  compensation_plan_id uuid not null,
  fulfillment_plan_id uuid not null,
  source_task_id uuid not null,
  compensation_task_type varchar(64),
  sequence integer,
  manual_review boolean not null default false,
  owner_system varchar(128) not null,
  status varchar(16) not null,
  input_snapshot_hash varchar(128),
  attempt_count integer not null default 0,
  last_failure_code varchar(128),
  last_failure_message text,
  version bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  constraint compensation_task_pkey primary key (tenant_id, id),
  -- Steps run one after the other in sequence order (latest completed effect first).
  constraint compensation_task_sequence_key unique (tenant_id, compensation_plan_id, sequence),
  constraint compensation_task_source_task_key unique (tenant_id, compensation_plan_id, source_task_id),
  constraint compensation_task_plan_fkey foreign key (tenant_id, compensation_plan_id, fulfillment_plan_id)
    references compensation_plan (tenant_id, id, fulfillment_plan_id),
  -- The undone task must be a task of the plan being compensated.
  constraint compensation_task_source_task_fkey foreign key (tenant_id, fulfillment_plan_id, source_task_id)
    references fulfillment_task (tenant_id, fulfillment_plan_id, id),
  constraint compensation_task_compensation_task_type_check check (compensation_task_type in (
    'RESERVE_RESOURCE', 'RELEASE_RESOURCE', 'CHECK_SERVICEABILITY', 'CREATE_PROVISIONING_REQUEST',
    'WAIT_PROVISIONING_COMPLETED', 'DEACTIVATE_SERVICE', 'SCHEDULE_APPOINTMENT', 'CANCEL_APPOINTMENT',
    'SCHEDULE_SHIPMENT', 'CANCEL_SHIPMENT', 'CONFIRM_SHIPMENT', 'ACTIVATE_BILLING',
    'REVERSE_BILLING_ACTIVATION', 'DEACTIVATE_BILLING', 'UPDATE_INSTALLED_BASE', 'REVERT_INSTALLED_BASE',
    'SEND_CUSTOMER_NOTIFICATION', 'MANUAL_ACTIVATION_REVIEW', 'ONSITE_INSTALLATION_CONFIRMATION')),
  constraint compensation_task_status_check check (status in ('PLANNED', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'MANUAL_REVIEW')),
  -- An automatic step needs a type to run and a place in the order; a manual review item may have
  -- neither (seed §16: a non-reversible effect is undone by a person).
  constraint compensation_task_automatic_check check (
    manual_review or (compensation_task_type is not null and sequence is not null)),
  constraint compensation_task_sequence_check check (sequence >= 1),
  constraint compensation_task_input_snapshot_hash_check check (input_snapshot_hash ~ '^sha256:[0-9a-f]{64}$'),
  constraint compensation_task_attempt_count_check check (attempt_count >= 0),
  constraint compensation_task_version_check check (version >= 0)
);
comment on table compensation_task is
  'One step of a compensation plan (seed §16): the completed task it undoes (source_task_id), the compensation task type, its place in the reverse order, and whether a person must review it instead (non-reversible effects).';
