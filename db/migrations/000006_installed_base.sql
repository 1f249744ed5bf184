-- The installed base (seed §18): product instances the customer has, each with a version history.
-- Asset impact writes here near the end of fulfillment, idempotently per order item.

create table installed_base_asset (
  tenant_id varchar(64) not null,
  id uuid not null,
  product_type varchar(32) not null,
  product_code varchar(64) not null,
  parent_asset_id uuid,
  created_by_order_id uuid not null,
  created_by_order_item_id uuid not null,
  version bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint installed_base_asset_pkey primary key (tenant_id, id),
  constraint installed_base_asset_parent_fkey foreign key (tenant_id, parent_asset_id)
    references installed_base_asset (tenant_id, id),
  constraint installed_base_asset_created_by_fkey foreign key (tenant_id, created_by_order_id, created_by_order_item_id)
    references order_item (tenant_id, order_id, id),
  -- An ADD item creates at most one asset: re-applying it finds this row (seed §18: idempotent).
  constraint installed_base_asset_created_by_key unique (tenant_id, created_by_order_item_id),
  constraint installed_base_asset_parent_not_self_check check (parent_asset_id <> id),
  constraint installed_base_asset_product_type_check check (product_type in (
    'DIGITAL_SUBSCRIPTION', 'PHYSICAL_DEVICE', 'NETWORK_SERVICE', 'ADD_ON', 'BUNDLE')),
  constraint installed_base_asset_version_check check (version >= 0)
);
comment on table installed_base_asset is
  'An installed product instance (subscription, service, device, add-on, bundle) created by an ADD order item; parent_asset_id links an add-on to its service and a bundle''s children to the bundle. Its state is its versions; version is the optimistic lock that detects conflicting impacts.';

create index installed_base_asset_parent_idx on installed_base_asset (tenant_id, parent_asset_id)
  where parent_asset_id is not null;
comment on index installed_base_asset_parent_idx is 'Child assets of a bundle or service (add-ons follow their service on DISCONNECT).';

create table asset_version (
  tenant_id varchar(64) not null,
  asset_id uuid not null,
  version_no integer not null,
  status varchar(16) not null,
  product_code varchar(64) not null,
  quantity integer not null default 1,
  characteristics jsonb not null default '{}',
  site_address jsonb,
  resource_id varchar(128),
  source_order_id uuid not null,
  source_order_item_id uuid not null,
  valid_from timestamptz not null,
  valid_to timestamptz,
  closed_by_order_item_id uuid,
  created_at timestamptz not null default now(),
  constraint asset_version_pkey primary key (tenant_id, asset_id, version_no),
  -- Each order item makes at most one version of an asset: a repeated apply is recognised.
  constraint asset_version_source_item_key unique (tenant_id, asset_id, source_order_item_id),
  constraint asset_version_asset_fkey foreign key (tenant_id, asset_id) references installed_base_asset (tenant_id, id),
  constraint asset_version_source_item_fkey foreign key (tenant_id, source_order_id, source_order_item_id)
    references order_item (tenant_id, order_id, id),
  constraint asset_version_closed_by_fkey foreign key (tenant_id, closed_by_order_item_id) references order_item (tenant_id, id),
  constraint asset_version_status_check check (status in ('ACTIVE', 'SUPERSEDED', 'CLOSED')),
  constraint asset_version_version_no_check check (version_no >= 1),
  constraint asset_version_quantity_check check (quantity >= 1),
  constraint asset_version_characteristics_check check (jsonb_typeof(characteristics) = 'object'),
  constraint asset_version_site_address_check check (site_address is null or jsonb_typeof(site_address) = 'object'),
  -- Only the active version is open-ended; a superseded or closed one records when it ended.
  constraint asset_version_validity_check check ((status = 'ACTIVE') = (valid_to is null)),
  constraint asset_version_closed_by_check check ((status = 'CLOSED') = (closed_by_order_item_id is not null))
);
comment on table asset_version is
  'One version of an installed asset (seed §18): ADD creates version 1, MODIFY and MOVE (new site_address / resource_id) add a version and supersede the active one, DISCONNECT closes the active one. source_order_item_id records which item made it, so re-applying an item changes nothing.';

-- Seed §18: exactly one active version per asset; two concurrent impacts cannot both activate one.
create unique index asset_version_one_active_idx on asset_version (tenant_id, asset_id) where status = 'ACTIVE';
comment on index asset_version_one_active_idx is 'At most one ACTIVE version per asset; also the lookup of an asset''s current version.';
