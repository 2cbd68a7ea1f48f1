import type { StorageLike } from './wasm/authcore_wasm.js';

/** A `StorageLike` kept in memory only: for Node, tests, and apps that must not persist tokens. */
export declare class MemoryStorage implements StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  clear(): void;
  readonly length: number;
}
