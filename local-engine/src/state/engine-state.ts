/**
 * The in-memory state of the engine: one map per collection of plain records, plus the key
 * counter. Every change is noted as dirty so that the store writes only what changed.
 */
import { collectionNames, type CollectionName, type StateCollections } from './records';

/** Zeebe's keys on partition 1 start at 2^51 + 1; ours do too, so they look familiar. */
export const firstKey = 2 ** 51 + 1;

/** A batch of changes: records to upsert and keys to delete, per collection. */
export interface ChangeSet {
  upserts: Array<{ collection: CollectionName; key: number; data: unknown }>;
  deletes: Array<{ collection: CollectionName; key: number }>;
  nextKey: number;
}

/** The engine state with change tracking. */
export class EngineState {
  private readonly maps = new Map<CollectionName, Map<number, unknown>>();
  private dirty = new Map<string, { collection: CollectionName; key: number }>();
  nextKey = firstKey;

  constructor() {
    for (const name of collectionNames) this.maps.set(name, new Map());
  }

  /** Hands out the next unique key. */
  newKey(): number {
    return this.nextKey++;
  }

  private map<C extends CollectionName>(collection: C): Map<number, StateCollections[C]> {
    return this.maps.get(collection) as Map<number, StateCollections[C]>;
  }

  /** Reads a record. */
  get<C extends CollectionName>(collection: C, key: number): StateCollections[C] | undefined {
    return this.map(collection).get(key);
  }

  /** Writes (or rewrites after a mutation) a record and marks it for persistence. */
  put<C extends CollectionName>(collection: C, key: number, record: StateCollections[C]): void {
    this.map(collection).set(key, record);
    this.dirty.set(`${collection}:${key}`, { collection, key });
  }

  /** Removes a record. */
  remove(collection: CollectionName, key: number): void {
    if (this.maps.get(collection)!.delete(key)) this.dirty.set(`${collection}:${key}`, { collection, key });
  }

  /** All records of a collection (a live iterator: copy before mutating the collection). */
  values<C extends CollectionName>(collection: C): IterableIterator<StateCollections[C]> {
    return this.map(collection).values();
  }

  /** Loads a record without marking it dirty (used when restoring from the store). */
  restore(collection: CollectionName, key: number, record: unknown): void {
    this.maps.get(collection)!.set(key, record);
  }

  /** True when changes await persistence. */
  hasChanges(): boolean {
    return this.dirty.size > 0;
  }

  /** Marks the records of a batch that could not be written as changed again, so the next write retries them. */
  requeue(changes: ChangeSet): void {
    for (const { collection, key } of [...changes.upserts, ...changes.deletes]) {
      const id = `${collection}:${key}`;
      if (!this.dirty.has(id)) this.dirty.set(id, { collection, key });
    }
  }

  /** Takes the pending changes (clearing them), with each record's current content. */
  takeChanges(): ChangeSet {
    const changes: ChangeSet = { upserts: [], deletes: [], nextKey: this.nextKey };
    for (const { collection, key } of this.dirty.values()) {
      const record = this.maps.get(collection)!.get(key);
      if (record === undefined) changes.deletes.push({ collection, key });
      else changes.upserts.push({ collection, key, data: record });
    }
    this.dirty = new Map();
    return changes;
  }
}
