-- The fulfillment plan (seed §2): what decomposition produced for one order version, as a task
-- graph with policies and snapshots. The domain service creates and owns it; BPMN only executes it.

create table fulfillment_plan (
  tenant_id varchar(64) not null,
  id uuid not null,
  order_id uuid not null,
  order_version bigint not null,
  catalog_version varchar(64) not null,
  completion_policy varchar(64) not null,
  status varchar(32) not null,
  version bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  constraint fulfillment_plan_pkey primary key (tenant_id, id),
  -- Target of keys that name order and plan together, so a row cannot pair a plan with another order.
  constraint fulfillment_plan_order_plan_key unique (tenant_id, order_id, id),
  -- One plan per order version: decomposing the same version twice is a retry, not a second plan.
  constraint fulfillment_plan_order_version_key unique (tenant_id, order_id, order_version),
  constraint fulfillment_plan_order_fkey foreign key (tenant_id, order_id) references customer_order (tenant_id, id),
  constraint fulfillment_plan_completion_policy_check check (completion_policy in (
    'COMPLETION_REQUIRES_BILLING_ACTIVE', 'COMPLETION_ALLOWS_BILLING_PENDING',
    'COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED')),
  constraint fulfillment_plan_status_check check (status in (
    'CREATED', 'IN_PROGRESS', 'COMPLETED', 'PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT',
    'COMPENSATED', 'MANUAL_CLOSED')),
  constraint fulfillment_plan_order_version_check check (order_version >= 0),
  constraint fulfillment_plan_version_check check (version >= 0)
);
comment on table fulfillment_plan is
  'The executable fulfillment plan of one order version (seed §2): canonical plan status, the catalog version it was decomposed with and the completion policy finalization applies (seed §19).';

create table fulfillment_task (
  tenant_id varchar(64) not null,
  id uuid not null,
  fulfillment_plan_id uuid not null,
  order_id uuid not null,
  order_item_id uuid not null,
  sequence integer not null,
  template_id varchar(64) not null,
  task_type varchar(64) not null,
  phase varchar(32) not null,
  execution_mode varchar(32) not null,
  owner_system varchar(128) not null,
  required boolean not null default true,
  status varchar(32) not null,
  input_snapshot jsonb not null default '{}',
  input_snapshot_hash varchar(128) not null,
  output_snapshot jsonb,
  output_snapshot_hash varchar(128),
  retry_policy jsonb not null,
  timeout_policy jsonb,
  compensation_policy jsonb not null,
  attempt_count integer not null default 0,
  last_failure_code varchar(128),
  last_failure_message text,
  version bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  constraint fulfillment_task_pkey primary key (tenant_id, id),
  -- Target of dependency and compensation keys that must stay inside one plan.
  constraint fulfillment_task_plan_task_key unique (tenant_id, fulfillment_plan_id, id),
  constraint fulfillment_task_sequence_key unique (tenant_id, fulfillment_plan_id, sequence),
  constraint fulfillment_task_plan_fkey foreign key (tenant_id, order_id, fulfillment_plan_id)
    references fulfillment_plan (tenant_id, order_id, id),
  constraint fulfillment_task_order_item_fkey foreign key (tenant_id, order_id, order_item_id)
    references order_item (tenant_id, order_id, id),
  constraint fulfillment_task_task_type_check check (task_type in (
    'RESERVE_RESOURCE', 'RELEASE_RESOURCE', 'CHECK_SERVICEABILITY', 'CREATE_PROVISIONING_REQUEST',
    'WAIT_PROVISIONING_COMPLETED', 'DEACTIVATE_SERVICE', 'SCHEDULE_APPOINTMENT', 'CANCEL_APPOINTMENT',
    'SCHEDULE_SHIPMENT', 'CANCEL_SHIPMENT', 'CONFIRM_SHIPMENT', 'ACTIVATE_BILLING',
    'REVERSE_BILLING_ACTIVATION', 'DEACTIVATE_BILLING', 'UPDATE_INSTALLED_BASE', 'REVERT_INSTALLED_BASE',
    'SEND_CUSTOMER_NOTIFICATION', 'MANUAL_ACTIVATION_REVIEW', 'ONSITE_INSTALLATION_CONFIRMATION')),
  constraint fulfillment_task_phase_check check (phase in (
    'VALIDATION', 'RESERVATION', 'PROVISIONING', 'ACTIVATION', 'INSTALLED_BASE', 'COMPLETION')),
  constraint fulfillment_task_execution_mode_check check (execution_mode in (
    'AUTOMATED_SYNC', 'AUTOMATED_ASYNC', 'MANUAL', 'WAIT_ONLY', 'COMPENSATION', 'REPAIR')),
  constraint fulfillment_task_status_check check (status in (
    'PENDING', 'READY', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'FALLOUT', 'SKIPPED',
    'CANCELLED', 'COMPENSATED')),
  constraint fulfillment_task_sequence_check check (sequence >= 1),
  constraint fulfillment_task_input_snapshot_check check (jsonb_typeof(input_snapshot) = 'object'),
  constraint fulfillment_task_input_snapshot_hash_check check (input_snapshot_hash ~ '^sha256:[0-9a-f]{64}$'),
  constraint fulfillment_task_output_snapshot_hash_check check (output_snapshot_hash ~ '^sha256:[0-9a-f]{64}$'),
  constraint fulfillment_task_policies_check check (
    jsonb_typeof(retry_policy) = 'object'
    and jsonb_typeof(compensation_policy) = 'object'
    and (timeout_policy is null or jsonb_typeof(timeout_policy) = 'object')),
  constraint fulfillment_task_attempt_count_check check (attempt_count >= 0),
  -- Compensation orders undo steps by completion time, so a completed task always has one.
  constraint fulfillment_task_completed_at_check check (status <> 'COMPLETED' or completed_at is not null),
  constraint fulfillment_task_version_check check (version >= 0)
);
comment on table fulfillment_task is
  'One task of a fulfillment plan (seed §2, §8): type, phase, execution mode, owner system, canonical task status, input / output snapshots with their sha256 hashes, and the retry / timeout / compensation policies it was planned with (copied from the catalog so later catalog changes do not alter a running plan).';

-- The execution loop asks "which tasks of this plan (and phase) may start now?" after every result.
create index fulfillment_task_ready_idx on fulfillment_task (tenant_id, fulfillment_plan_id, phase, sequence)
  where status = 'READY';
comment on index fulfillment_task_ready_idx is 'Ready tasks of a plan, by phase and plan order: the execution loop''s next task group.';

-- Finalization and the plan view count tasks of a plan by status.
create index fulfillment_task_plan_status_idx on fulfillment_task (tenant_id, fulfillment_plan_id, status);
comment on index fulfillment_task_plan_status_idx is 'Tasks of a plan by status: completion checks, progress and the plan view.';

create index fulfillment_task_order_idx on fulfillment_task (tenant_id, order_id, order_item_id);
comment on index fulfillment_task_order_idx is 'Tasks of an order and of one order item: the order''s task list, asset impact and timeline.';

create table fulfillment_task_dependency (
  tenant_id varchar(64) not null,
  fulfillment_plan_id uuid not null,
  task_id uuid not null,
  depends_on_task_id uuid not null,
  constraint fulfillment_task_dependency_pkey primary key (tenant_id, fulfillment_plan_id, task_id, depends_on_task_id),
  -- Both ends carry the plan id, so a dependency can only join two tasks of the same plan.
  constraint fulfillment_task_dependency_task_fkey foreign key (tenant_id, fulfillment_plan_id, task_id)
    references fulfillment_task (tenant_id, fulfillment_plan_id, id),
  constraint fulfillment_task_dependency_depends_on_fkey foreign key (tenant_id, fulfillment_plan_id, depends_on_task_id)
    references fulfillment_task (tenant_id, fulfillment_plan_id, id),
  constraint fulfillment_task_dependency_not_self_check check (task_id <> depends_on_task_id)
);
comment on table fulfillment_task_dependency is
  'Edges of the plan''s task graph: task_id may start only when depends_on_task_id is resolved (COMPLETED or SKIPPED). Same plan on both ends; cycles are rejected by plan validation before insert.';

-- When a task resolves, its dependents are re-examined to see which became ready.
create index fulfillment_task_dependency_dependents_idx
  on fulfillment_task_dependency (tenant_id, fulfillment_plan_id, depends_on_task_id);
comment on index fulfillment_task_dependency_dependents_idx is 'Dependents of a task, re-examined for readiness when it resolves.';
