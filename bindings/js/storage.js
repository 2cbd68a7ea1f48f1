/**
 * A `StorageLike` that keeps the session in memory only: for Node, tests, and apps that must not
 * persist tokens. Same contract as `localStorage`: string values, `null` for a missing key.
 */
export class MemoryStorage {
  #items = new Map();

  /** @param {string} key */
  getItem(key) {
    const value = this.#items.get(String(key));
    return value === undefined ? null : value;
  }

  /** @param {string} key @param {string} value */
  setItem(key, value) {
    this.#items.set(String(key), String(value));
  }

  /** @param {string} key */
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
