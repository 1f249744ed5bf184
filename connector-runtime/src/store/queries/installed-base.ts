/**
 * Statements of the installed base (seed §18): assets and their versions. Every write of an
 * existing asset is guarded by its optimistic version, so two impacts on one asset cannot both win.
 */
import { defineQuery } from '../run-query';

/** An `installed_base_asset` row. */
export interface AssetRow {
  id: string;
  tenant_id: string;
  product_type: string;
  parent_asset_id: string | null;
  version: string;
}

/** An `asset_version` row. */
export interface AssetVersionRow {
  asset_id: string;
  version_no: number;
  status: string;
  product_code: string;
  quantity: number;
  characteristics: Record<string, unknown>;
  site_address: Record<string, unknown> | null;
  resource_id: string | null;
  source_order_id: string;
  source_order_item_id: string;
  valid_from: Date;
  valid_to: Date | null;
  closed_by_order_item_id: string | null;
}

/** One asset, locked. */
export const selectAssetForUpdate = defineQuery<AssetRow>(
  'select-asset-for-update',
  `select id, tenant_id, product_type, parent_asset_id, version::text as version from installed_base_asset where tenant_id = $1 and id = $2 for update`,
);

/** The asset an ADD order item created, locked. */
export const selectAssetCreatedByItem = defineQuery<AssetRow>(
  'select-asset-created-by-item',
  `select id, tenant_id, product_type, parent_asset_id, version::text as version from installed_base_asset
    where tenant_id = $1 and created_by_order_item_id = $2 for update`,
);

/** The versions of an asset, oldest first. */
export const selectAssetVersions = defineQuery<AssetVersionRow>(
  'select-asset-versions',
  `select asset_id, version_no, status, product_code, quantity, characteristics, site_address, resource_id, source_order_id,
          source_order_item_id, valid_from, valid_to, closed_by_order_item_id
     from asset_version where tenant_id = $1 and asset_id = $2 order by version_no`,
);

/** Inserts a new asset at version 0. */
export const insertAsset = defineQuery(
  'insert-asset',
  `insert into installed_base_asset (tenant_id, id, product_type, product_code, parent_asset_id, created_by_order_id, created_by_order_item_id)
   values ($1, $2, $3, $4, $5, $6, $7)`,
);

/** Bumps an asset's version if it is still the expected one; no row: someone else changed it. */
export const bumpAssetVersion = defineQuery<{ version: string }>(
  'bump-asset-version',
  `update installed_base_asset set version = version + 1, updated_at = now() where tenant_id = $1 and id = $2 and version = $3
   returning version::text as version`,
);

/** Ends a version (SUPERSEDED or CLOSED). */
export const endAssetVersion = defineQuery(
  'end-asset-version',
  `update asset_version set status = $4, valid_to = $5, closed_by_order_item_id = $6 where tenant_id = $1 and asset_id = $2 and version_no = $3`,
);

/** Inserts a version. */
export const insertAssetVersion = defineQuery(
  'insert-asset-version',
  `insert into asset_version (tenant_id, asset_id, version_no, status, product_code, quantity, characteristics, site_address, resource_id,
     source_order_id, source_order_item_id, valid_from)
   values ($1, $2, $3, 'ACTIVE', $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11)`,
);

/** Items of an order whose impact is recorded (a version made by it, or a version it closed). */
export const selectAppliedItemsOfOrder = defineQuery<{ order_item_id: string }>(
  'select-applied-items-of-order',
  `select source_order_item_id as order_item_id from asset_version where tenant_id = $1 and source_order_id = $2
   union
   select v.closed_by_order_item_id from asset_version v join order_item i on i.tenant_id = v.tenant_id and i.id = v.closed_by_order_item_id
    where v.tenant_id = $1 and i.order_id = $2`,
);

/** Versions an order made, newest first, for reverting its impact. */
export const selectVersionsMadeByOrder = defineQuery<AssetVersionRow>(
  'select-versions-made-by-order',
  `select asset_id, version_no, status, product_code, quantity, characteristics, site_address, resource_id, source_order_id,
          source_order_item_id, valid_from, valid_to, closed_by_order_item_id
     from asset_version where tenant_id = $1 and source_order_id = $2 order by valid_from desc, version_no desc`,
);

/** Makes an ended version the active one again (reverting the order that ended it). */
export const reactivateAssetVersion = defineQuery(
  'reactivate-asset-version',
  `update asset_version set status = 'ACTIVE', valid_to = null, closed_by_order_item_id = null where tenant_id = $1 and asset_id = $2 and version_no = $3`,
);

/** Versions an order closed (DISCONNECT), for reverting its impact. */
export const selectVersionsClosedByOrder = defineQuery<{ asset_id: string; version_no: number }>(
  'select-versions-closed-by-order',
  `select v.asset_id, v.version_no from asset_version v join order_item i on i.tenant_id = v.tenant_id and i.id = v.closed_by_order_item_id
    where v.tenant_id = $1 and i.order_id = $2 and v.source_order_id <> $2`,
);
