/**
 * The text of one journal entry: a batch of changes as JSON, assembled from each record's own
 * serialization so that the same strings can go on into the next checkpoint without a second
 * `JSON.stringify` of the record. Pure: no I/O.
 *
 * Format: `{"nextKey":n,"upserts":[[collection,key,record],...],"deletes":[[collection,key],...]}`.
 */
import type { ChangeSet, EngineState } from './engine-state';
import { collectionNames, type CollectionName } from './records';

/** One record as a checkpoint writes it: its JSON, or null when the record was deleted. */
export interface SerializedRecord {
  collection: CollectionName;
  key: number;
  json: string | null;
}

/** A batch serialized for the journal, with each record's serialization. */
export interface SerializedBatch {
  text: string;
  records: SerializedRecord[];
  nextKey: number;
}

/** Serializes a batch of changes. Collection names are fixed identifiers and keys integers, so neither needs escaping. */
export function serializeBatch(changes: ChangeSet): SerializedBatch {
  const records: SerializedRecord[] = [];
  const upserts: string[] = [];
  for (const u of changes.upserts) {
    const json = JSON.stringify(u.data);
    records.push({ collection: u.collection, key: u.key, json });
    upserts.push(`["${u.collection}",${u.key},${json}]`);
  }
  const deletes: string[] = [];
  for (const d of changes.deletes) {
    records.push({ collection: d.collection, key: d.key, json: null });
    deletes.push(`["${d.collection}",${d.key}]`);
  }
  return { text: `{"nextKey":${changes.nextKey},"upserts":[${upserts.join(',')}],"deletes":[${deletes.join(',')}]}`, records, nextKey: changes.nextKey };
}

/** The records of a checkpoint as parallel columns: collections, keys, and JSON texts (null for a delete). */
export function checkpointColumns(records: Iterable<SerializedRecord>): [string[], string[], Array<string | null>] {
  const collections: string[] = [];
  const keys: string[] = [];
  const texts: Array<string | null> = [];
  for (const r of records) {
    collections.push(r.collection);
    keys.push(String(r.key));
    texts.push(r.json);
  }
  return [collections, keys, texts];
}

/**
 * Applies a journal entry to a state being loaded (without marking anything changed) and returns
 * its records as the next checkpoint must write them. Records of collections this engine no
 * longer has are skipped, as the record table's are.
 */
export function replayEntry(state: EngineState, text: string): SerializedRecord[] {
  const entry = JSON.parse(text) as { nextKey: number; upserts: Array<[string, number, unknown]>; deletes: Array<[string, number]> };
  const records: SerializedRecord[] = [];
  for (const [collection, key, data] of entry.upserts) {
    if (!collectionNames.includes(collection as CollectionName)) continue;
    state.restore(collection as CollectionName, key, data);
    records.push({ collection: collection as CollectionName, key, json: JSON.stringify(data) });
  }
  for (const [collection, key] of entry.deletes) {
    if (!collectionNames.includes(collection as CollectionName)) continue;
    state.discard(collection as CollectionName, key);
    records.push({ collection: collection as CollectionName, key, json: null });
  }
  state.nextKey = Math.max(state.nextKey, entry.nextKey);
  return records;
}
