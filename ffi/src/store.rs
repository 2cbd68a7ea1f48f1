//! Where a session is kept: a trait the app implements over its platform storage (Keychain,
//! SharedPreferences), plus an in-memory store for tests and previews.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::AuthcoreError;

/// Key-value storage for session data, implemented by the app (Swift: `KeychainTokenStore`,
/// Kotlin: `SharedPreferencesTokenStore`).
///
/// Methods may be called from any thread, but never concurrently by one `AuthSession`
/// (it serializes its writes). Implementations report failures as `AuthcoreError.Store` with a
/// code of their choice; any other exception arrives as `Callback`/`unexpected_callback_error`.
#[uniffi::export(with_foreign)]
pub trait TokenStore: Send + Sync {
    /// The value stored under `key`, or none.
    fn get(&self, key: String) -> Result<Option<String>, AuthcoreError>;
    /// Stores `value` under `key`, replacing any previous value.
    fn set(&self, key: String, value: String) -> Result<(), AuthcoreError>;
    /// Removes `key`; removing a missing key succeeds.
    fn remove(&self, key: String) -> Result<(), AuthcoreError>;
}

/// A `TokenStore` in memory: nothing survives the process. For tests, previews and apps that
/// deliberately keep no session across launches.
#[uniffi::export]
pub fn memory_token_store() -> Arc<dyn TokenStore> {
    Arc::new(MemoryTokenStore::default())
}

/// The store behind `memory_token_store`.
#[derive(Debug, Default)]
pub(crate) struct MemoryTokenStore {
    entries: Mutex<HashMap<String, String>>,
}

impl MemoryTokenStore {
    fn entries(&self) -> MutexGuard<'_, HashMap<String, String>> {
        // Every operation is one HashMap call, so a poisoned lock still guards a consistent map.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl TokenStore for MemoryTokenStore {
    fn get(&self, key: String) -> Result<Option<String>, AuthcoreError> {
        Ok(self.entries().get(&key).cloned())
    }

    fn set(&self, key: String, value: String) -> Result<(), AuthcoreError> {
        self.entries().insert(key, value);
        Ok(())
    }

    fn remove(&self, key: String) -> Result<(), AuthcoreError> {
        self.entries().remove(&key);
        Ok(())
    }
}
