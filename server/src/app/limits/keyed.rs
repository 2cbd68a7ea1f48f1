//! A `governor` state store holding at most a fixed number of keys. While it is full, a key it
//! does not hold shares one overflow budget (the same quota) with every other such key: new
//! clients are still limited — more tightly, never less — and memory stays bounded. Keys whose
//! budget is full again are dropped by the periodic `retain_recent`, which makes room.

use std::hash::Hash;

use governor::nanos::Nanos;
use governor::state::keyed::{DashMapStateStore, ShrinkableKeyedStateStore};
use governor::state::{InMemoryState, NotKeyed, StateStore};

/// A keyed state store of at most `capacity` keys plus one shared overflow state.
pub struct BoundedStore<K: Hash + Eq + Clone> {
    keys: DashMapStateStore<K>,
    overflow: InMemoryState,
    capacity: usize,
}

impl<K: Hash + Eq + Clone> BoundedStore<K> {
    /// An empty store holding at most `capacity` keys (at least 1).
    pub fn new(capacity: usize) -> BoundedStore<K> {
        BoundedStore {
            keys: DashMapStateStore::default(),
            overflow: InMemoryState::default(),
            capacity: capacity.max(1),
        }
    }

    /// Whether new keys share the overflow budget now.
    pub fn is_full(&self) -> bool {
        self.keys.len() >= self.capacity
    }
}

impl<K: Hash + Eq + Clone> StateStore for BoundedStore<K> {
    type Key = K;

    fn measure_and_replace<T, F, E>(&self, key: &K, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        // Concurrent inserts may overshoot the capacity by at most one key per racing thread.
        if self.is_full() && !self.keys.contains_key(key) {
            return self.overflow.measure_and_replace(&NotKeyed::NonKey, f);
        }
        self.keys.measure_and_replace(key, f)
    }
}

impl<K: Hash + Eq + Clone> ShrinkableKeyedStateStore<K> for BoundedStore<K> {
    fn retain_recent(&self, drop_below: Nanos) {
        self.keys.retain_recent(drop_below);
    }

    fn shrink_to_fit(&self) {
        ShrinkableKeyedStateStore::shrink_to_fit(&self.keys);
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::num::NonZeroU32;

    use governor::clock::DefaultClock;
    use governor::{Quota, RateLimiter};

    use super::*;

    #[test]
    fn a_full_store_limits_new_keys_together_and_keeps_its_size() {
        let quota = Quota::per_minute(NonZeroU32::new(2).unwrap());
        let limiter: RateLimiter<i32, BoundedStore<i32>, DefaultClock> =
            RateLimiter::new(quota, BoundedStore::new(2), DefaultClock::default());
        assert!(limiter.check_key(&1).is_ok());
        assert!(limiter.check_key(&2).is_ok());
        // Full: keys 3, 4 and 5 share one budget of 2.
        assert!(limiter.check_key(&3).is_ok());
        assert!(limiter.check_key(&4).is_ok());
        assert!(limiter.check_key(&5).is_err());
        assert_eq!(limiter.len(), 2);
        // Known keys keep their own budget.
        assert!(limiter.check_key(&1).is_ok());
        assert!(limiter.check_key(&1).is_err());
    }
}
