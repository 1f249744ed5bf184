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
  /** Keys changed since the last `takeChanges`, per collection (no composite string keys: this runs for every record a command touches). */
  private dirty = new Map<CollectionName, Set<number>>();
  private dirtyCount = 0;
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
    this.markDirty(collection, key);
  }

  /** Removes a record. */
  remove(collection: CollectionName, key: number): void {
    if (this.maps.get(collection)!.delete(key)) this.markDirty(collection, key);
  }

  private markDirty(collection: CollectionName, key: number): void {
    let keys = this.dirty.get(collection);
    if (!keys) {
      keys = new Set();
      this.dirty.set(collection, keys);
    }
    if (keys.has(key)) return;
    keys.add(key);
    this.dirtyCount += 1;
  }

  /** All records of a collection (a live iterator: copy before mutating the collection). */
  values<C extends CollectionName>(collection: C): IterableIterator<StateCollections[C]> {
    return this.map(collection).values();
  }

  /** Loads a record without marking it dirty (used when restoring from the store). */
  restore(collection: CollectionName, key: number, record: unknown): void {
    this.maps.get(collection)!.set(key, record);
  }

  /** Removes a record without marking it changed (used when replaying the store's journal). */
  discard(collection: CollectionName, key: number): void {
    this.maps.get(collection)!.delete(key);
  }

  /** True when changes await persistence. */
  hasChanges(): boolean {
    return this.dirtyCount > 0;
  }

  /** Marks the records of a batch that could not be written as changed again, so the next write retries them. */
  requeue(changes: ChangeSet): void {
    for (const { collection, key } of [...changes.upserts, ...changes.deletes]) this.markDirty(collection, key);
  }

  /** Takes the pending changes (clearing them), with each record's current content. */
  takeChanges(): ChangeSet {
    const changes: ChangeSet = { upserts: [], deletes: [], nextKey: this.nextKey };
    for (const [collection, keys] of this.dirty) {
      const map = this.maps.get(collection)!;
      for (const key of keys) {
        const record = map.get(key);
        if (record === undefined) changes.deletes.push({ collection, key });
        else changes.upserts.push({ collection, key, data: record });
      }
    }
    this.dirty = new Map();
    this.dirtyCount = 0;
    return changes;
  }
}
