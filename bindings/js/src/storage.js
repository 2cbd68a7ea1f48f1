// MemoryStorage (storage.d.ts): localStorage's contract, in memory.
export class MemoryStorage {
  #items = new Map();

  getItem(key) {
    const value = this.#items.get(String(key));
    return value === undefined ? null : value;
  }

  setItem(key, value) {
    this.#items.set(String(key), String(value));
  }

  removeItem(key) {
    this.#items.delete(String(key));
  }

  clear() {
    this.#items.clear();
  }

  get length() {
    return this.#items.size;
  }
}
