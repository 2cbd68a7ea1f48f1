//! A short, bounded cache of each user's access record (roles, `tokens_valid_after`, `disabled`;
//! or the user's absence), in front of the store.
//!
//! Staleness bound: an entry is served for at most the configured TTL (default 1 s) after it was
//! read from the store, so a role change, a revocation, a disabled or a deleted user is seen by
//! this instance within TTL plus one store round trip (at once when this instance made the change:
//! it drops the entry). Capacity is bounded (`quick_cache`, CLOCK-Pro eviction). Concurrent
//! misses for one user wait for a single store query. A TTL of zero disables the cache.

use std::future::Future;
use std::time::{Duration, Instant};

use authcore::Role;
use quick_cache::sync::{Cache, EntryAction, EntryResult};

use crate::store::{StoreError, UserAccess};

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

/// A user's access record, copied without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    /// Current roles.
    pub roles: RoleSet,
    /// Tokens issued (`iat`) before this second are refused.
    pub tokens_valid_after: i64,
    /// Disabled by an admin.
    pub disabled: bool,
}

impl Access {
    /// The compact copy of a stored record.
    pub fn new(user: &UserAccess) -> Access {
        Access {
            roles: RoleSet::new(&user.roles),
            tokens_valid_after: user.tokens_valid_after,
            disabled: user.disabled,
        }
    }

    /// Whether a token issued at `iat` (absent: 0) is still valid (see `store::lifecycle`).
    pub fn accepts(&self, iat: Option<i64>) -> bool {
        !self.disabled && iat.unwrap_or(0) >= self.tokens_valid_after
    }
}

/// What the store said about a user, and when.
#[derive(Debug, Clone, Copy)]
struct Entry {
    access: Option<Access>,
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

    /// The access record of user `id` (`None`: no such user), from the cache or else from `fetch`.
    pub async fn get_or_fetch<F, Fut>(
        &self,
        id: i64,
        fetch: F,
    ) -> Result<Option<Access>, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<UserAccess>, StoreError>>,
    {
        let Some(cache) = &self.cache else {
            return Ok(fetch().await?.map(|a| Access::new(&a)));
        };
        if let Some(entry) = cache.get(&id)
            && self.fresh(&entry)
        {
            return Ok(entry.access);
        }
        let guard = match cache
            .entry_async(&id, |_, entry| {
                if self.fresh(entry) {
                    EntryAction::Retain(entry.access)
                } else {
                    EntryAction::ReplaceWithGuard
                }
            })
            .await
        {
            EntryResult::Retained(access) => return Ok(access),
            EntryResult::Vacant(guard) | EntryResult::Replaced(guard, _) => guard,
            // Not produced by the async API; fall back to an uncached read.
            EntryResult::Removed(..) | EntryResult::Timeout => {
                return Ok(fetch().await?.map(|a| Access::new(&a)));
            }
        };
        // On error the guard is dropped unfilled and waiting callers query the store themselves.
        let access = fetch().await?.map(|a| Access::new(&a));
        let _ = guard.insert(Entry {
            access,
            fetched: Instant::now(),
        });
        Ok(access)
    }

    /// Records an access record just read from the store (e.g. at signin).
    pub fn put(&self, id: i64, access: &UserAccess) {
        if let Some(cache) = &self.cache {
            cache.insert(
                id,
                Entry {
                    access: Some(Access::new(access)),
                    fetched: Instant::now(),
                },
            );
        }
    }

    /// Forgets user `id` (after creating it, so an earlier "no such user" is not served; after
    /// revoking its tokens or disabling it, so this instance refuses them at once).
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

    fn with(roles: &[Role]) -> Option<UserAccess> {
        Some(UserAccess {
            roles: roles.to_vec(),
            tokens_valid_after: 0,
            disabled: false,
        })
    }

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
            Ok(with(&[Role::User]))
        };
        for _ in 0..3 {
            let access = cache.get_or_fetch(1, fetch).await.unwrap().unwrap();
            assert_eq!(access.roles.as_slice(), [Role::User]);
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
            .get_or_fetch(7, || async { Ok(with(&[Role::Admin])) })
            .await
            .unwrap();
        assert_eq!(still_none, None);
        cache.invalidate(7);
        let now = cache
            .get_or_fetch(7, || async { Ok(with(&[Role::Admin])) })
            .await
            .unwrap();
        assert_eq!(now.unwrap().roles.as_slice(), [Role::Admin]);
    }

    #[tokio::test]
    async fn zero_ttl_disables_the_cache() {
        let cache = RoleCache::new(10, Duration::ZERO);
        let calls = AtomicUsize::new(0);
        for _ in 0..2 {
            cache
                .get_or_fetch(1, || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok(with(&[Role::User]))
                })
                .await
                .unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
