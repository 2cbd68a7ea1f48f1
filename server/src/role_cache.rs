//! A short, bounded cache of each user's roles (or of the user's absence), in front of the store.
//!
//! Staleness bound: an entry is served for at most the configured TTL (default 1 s) after it was
//! read from the store, so a role change or a deleted user is seen by this instance within TTL
//! plus one store round trip. Capacity is bounded (`quick_cache`, CLOCK-Pro eviction). Concurrent
//! misses for one user wait for a single store query. A TTL of zero disables the cache.

use std::future::Future;
use std::time::{Duration, Instant};

use authcore::Role;
use quick_cache::sync::{Cache, EntryAction, EntryResult};

use crate::store::StoreError;

/// Up to three roles in id order, copied without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleSet {
    roles: [Role; 3],
    len: u8,
}

impl RoleSet {
    /// The (normalized) roles; anything beyond the three known roles is ignored.
    pub fn new(roles: &[Role]) -> RoleSet {
        let normalized = authcore::roles::normalize_roles(roles);
        let mut set = RoleSet {
            roles: [Role::User; 3],
            len: 0,
        };
        for (slot, role) in set.roles.iter_mut().zip(normalized) {
            *slot = role;
            set.len += 1;
        }
        set
    }

    /// The roles as a slice.
    pub fn as_slice(&self) -> &[Role] {
        &self.roles[..usize::from(self.len)]
    }
}

/// What the store said about a user, and when.
#[derive(Debug, Clone, Copy)]
struct Entry {
    roles: Option<RoleSet>,
    fetched: Instant,
}

/// The cache; `None` inside when disabled.
pub struct RoleCache {
    cache: Option<Cache<i64, Entry>>,
    ttl: Duration,
}

impl RoleCache {
    /// A cache of at most `capacity` users, each kept for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> RoleCache {
        let cache = (!ttl.is_zero()).then(|| Cache::new(capacity.max(1)));
        RoleCache { cache, ttl }
    }

    fn fresh(&self, entry: &Entry) -> bool {
        entry.fetched.elapsed() < self.ttl
    }

    /// The roles of user `id` (`None`: no such user), from the cache or else from `fetch`.
    pub async fn get_or_fetch<F, Fut>(
        &self,
        id: i64,
        fetch: F,
    ) -> Result<Option<RoleSet>, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<Vec<Role>>, StoreError>>,
    {
        let Some(cache) = &self.cache else {
            return Ok(fetch().await?.map(|r| RoleSet::new(&r)));
        };
        if let Some(entry) = cache.get(&id)
            && self.fresh(&entry)
        {
            return Ok(entry.roles);
        }
        let guard = match cache
            .entry_async(&id, |_, entry| {
                if self.fresh(entry) {
                    EntryAction::Retain(entry.roles)
                } else {
                    EntryAction::ReplaceWithGuard
                }
            })
            .await
        {
            EntryResult::Retained(roles) => return Ok(roles),
            EntryResult::Vacant(guard) | EntryResult::Replaced(guard, _) => guard,
            // Not produced by the async API; fall back to an uncached read.
            EntryResult::Removed(..) | EntryResult::Timeout => {
                return Ok(fetch().await?.map(|r| RoleSet::new(&r)));
            }
        };
        // On error the guard is dropped unfilled and waiting callers query the store themselves.
        let roles = fetch().await?.map(|r| RoleSet::new(&r));
        let _ = guard.insert(Entry {
            roles,
            fetched: Instant::now(),
        });
        Ok(roles)
    }

    /// Records roles just read from the store (e.g. at signin).
    pub fn put(&self, id: i64, roles: &[Role]) {
        if let Some(cache) = &self.cache {
            cache.insert(
                id,
                Entry {
                    roles: Some(RoleSet::new(roles)),
                    fetched: Instant::now(),
                },
            );
        }
    }

    /// Forgets user `id` (e.g. after creating it, so an earlier "no such user" is not served).
    pub fn invalidate(&self, id: i64) {
        if let Some(cache) = &self.cache {
            cache.remove(&id);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn role_set_keeps_id_order_without_duplicates() {
        let set = RoleSet::new(&[Role::Admin, Role::User, Role::Admin]);
        assert_eq!(set.as_slice(), [Role::User, Role::Admin]);
        assert!(RoleSet::new(&[]).as_slice().is_empty());
    }

    #[tokio::test]
    async fn entries_are_served_until_the_ttl_then_refetched() {
        let cache = RoleCache::new(10, Duration::from_millis(50));
        let calls = AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(Some(vec![Role::User]))
        };
        for _ in 0..3 {
            let roles = cache.get_or_fetch(1, fetch).await.unwrap().unwrap();
            assert_eq!(roles.as_slice(), [Role::User]);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(60)).await;
        cache.get_or_fetch(1, fetch).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn errors_are_not_cached_and_absence_is() {
        let cache = RoleCache::new(10, Duration::from_secs(10));
        let err = cache
            .get_or_fetch(7, || async { Err(StoreError::Unavailable("down".into())) })
            .await;
        assert!(err.is_err());
        let none = cache.get_or_fetch(7, || async { Ok(None) }).await.unwrap();
        assert_eq!(none, None);
        let still_none = cache
            .get_or_fetch(7, || async { Ok(Some(vec![Role::Admin])) })
            .await
            .unwrap();
        assert_eq!(still_none, None);
        cache.invalidate(7);
        let now = cache
            .get_or_fetch(7, || async { Ok(Some(vec![Role::Admin])) })
            .await
            .unwrap();
        assert_eq!(now.unwrap().as_slice(), [Role::Admin]);
    }

    #[tokio::test]
    async fn zero_ttl_disables_the_cache() {
        let cache = RoleCache::new(10, Duration::ZERO);
        let calls = AtomicUsize::new(0);
        for _ in 0..2 {
            cache
                .get_or_fetch(1, || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok(Some(vec![Role::User]))
                })
                .await
                .unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
