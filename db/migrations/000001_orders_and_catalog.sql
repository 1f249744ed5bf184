-- Orders, their items and the product catalog that decomposes them (seed §1: the catalog, held as
-- data, decides which fulfillment tasks an order needs; BPMN never does).
--
-- Conventions for every migration of this project:
-- * every row carries tenant_id, and tenant-owned tables key on (tenant_id, id), so a foreign key
--   that includes tenant_id can never point at another tenant's row;
-- * the value lists of status / type / mode CHECK constraints repeat
--   connector-runtime/src/domain/vocabulary.ts exactly (db/vocabulary.int.test.ts compares them);
-- * version columns are optimistic-lock counters, bumped by every update.

create table product_catalog (
  tenant_id varchar(64) not null,
  catalog_version varchar(64) not null,
  defaults jsonb not null,
  is_current boolean not null default false,
  created_at timestamptz not null default now(),
  constraint product_catalog_pkey primary key (tenant_id, catalog_version),
  constraint product_catalog_defaults_check check (jsonb_typeof(defaults) = 'object')
);
comment on table product_catalog is
  'One published version of a tenant''s product catalog: default retry / timeout policies; its products are product_catalog_entry rows. Plans record the catalog_version they were decomposed with.';

-- Decomposition reads the current catalog of the tenant; at most one version is current.
create unique index product_catalog_current_idx on product_catalog (tenant_id) where is_current;
comment on index product_catalog_current_idx is 'At most one current catalog version per tenant; decomposition reads it.';

create table product_catalog_entry (
  tenant_id varchar(64) not null,
  catalog_version varchar(64) not null,
  product_code varchar(64) not null,
  product_type varchar(32) not null,
  name varchar(200) not null,
  decomposition_rules jsonb not null,
  created_at timestamptz not null default now(),
  constraint product_catalog_entry_pkey primary key (tenant_id, catalog_version, product_code),
  constraint product_catalog_entry_catalog_fkey foreign key (tenant_id, catalog_version)
    references product_catalog (tenant_id, catalog_version),
  constraint product_catalog_entry_product_type_check check (product_type in (
    'DIGITAL_SUBSCRIPTION', 'PHYSICAL_DEVICE', 'NETWORK_SERVICE', 'ADD_ON', 'BUNDLE')),
  constraint product_catalog_entry_product_code_check check (product_code ~ '^[A-Z0-9][A-Z0-9_-]{0,63}$'),
  constraint product_catalog_entry_decomposition_rules_check check (
    jsonb_typeof(decomposition_rules) = 'array' and jsonb_array_length(decomposition_rules) > 0)
);
comment on table product_catalog_entry is
  'A product of one catalog version with its decomposition rules as data: per order item action, the task templates (task type, phase, execution mode, owner system, dependencies, policies) that decomposition turns into fulfillment tasks.';

create table customer_order (
  tenant_id varchar(64) not null,
  id uuid not null,
  external_ref varchar(128),
  status varchar(32) not null,
  completion_policy varchar(64) not null,
  -- The business version of the order (seed §5 orderVersion): an amended order gets a new one and is
  -- decomposed again; `version` below is only the optimistic-lock counter of this row.
  order_version bigint not null,
  cancel_requested_at timestamptz,
  cancel_reason text,
  version bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint customer_order_pkey primary key (tenant_id, id),
  constraint customer_order_external_ref_key unique (tenant_id, external_ref),
  constraint customer_order_status_check check (status in (
    'VALIDATED', 'DECOMPOSED', 'FULFILLMENT_READY', 'IN_FULFILLMENT', 'CANCEL_REQUESTED', 'COMPLETED',
    'PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED')),
  constraint customer_order_completion_policy_check check (completion_policy in (
    'COMPLETION_REQUIRES_BILLING_ACTIVE', 'COMPLETION_ALLOWS_BILLING_PENDING',
    'COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED')),
  constraint customer_order_order_version_check check (order_version >= 0),
  constraint customer_order_version_check check (version >= 0)
);
comment on table customer_order is
  'An order as fulfillment knows it: the canonical order status (seed §3: the engine never owns it), the billing completion policy (seed §19) and the optimistic version. Named customer_order because ORDER is a reserved word.';

create table order_item (
  tenant_id varchar(64) not null,
  id uuid not null,
  order_id uuid not null,
  line_no integer not null,
  parent_item_id uuid,
  action varchar(16) not null,
  product_type varchar(32) not null,
  product_code varchar(64) not null,
  quantity integer not null default 1,
  attributes jsonb not null default '{}',
  status varchar(32) not null,
  version bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint order_item_pkey primary key (tenant_id, id),
  -- Target of the parent-item key below: a parent must be an item of the same order.
  constraint order_item_order_item_key unique (tenant_id, order_id, id),
  constraint order_item_line_no_key unique (tenant_id, order_id, line_no),
  constraint order_item_order_fkey foreign key (tenant_id, order_id) references customer_order (tenant_id, id),
  constraint order_item_parent_fkey foreign key (tenant_id, order_id, parent_item_id)
    references order_item (tenant_id, order_id, id),
  constraint order_item_parent_not_self_check check (parent_item_id <> id),
  constraint order_item_action_check check (action in ('ADD', 'MODIFY', 'DISCONNECT', 'MOVE')),
  constraint order_item_product_type_check check (product_type in (
    'DIGITAL_SUBSCRIPTION', 'PHYSICAL_DEVICE', 'NETWORK_SERVICE', 'ADD_ON', 'BUNDLE')),
  -- Items follow their order through the same lifecycle (vocabulary.ts has no separate item list).
  constraint order_item_status_check check (status in (
    'VALIDATED', 'DECOMPOSED', 'FULFILLMENT_READY', 'IN_FULFILLMENT', 'CANCEL_REQUESTED', 'COMPLETED',
    'PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED')),
  constraint order_item_line_no_check check (line_no >= 1),
  constraint order_item_quantity_check check (quantity >= 1),
  constraint order_item_attributes_check check (jsonb_typeof(attributes) = 'object'),
  constraint order_item_version_check check (version >= 0)
);
comment on table order_item is
  'One line of an order: an action (ADD, MODIFY, DISCONNECT, MOVE) on one product. parent_item_id builds the bundle tree (a bundle''s children, an add-on''s service); attributes hold product characteristics and, for MODIFY / DISCONNECT / MOVE, the installed asset acted on.';

-- The item tree of an order is read by decomposition and asset impact; parents are looked up by id.
create index order_item_parent_idx on order_item (tenant_id, order_id, parent_item_id) where parent_item_id is not null;
comment on index order_item_parent_idx is 'Children of a bundle or service item, for decomposition and asset impact.';
