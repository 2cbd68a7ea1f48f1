//! How recently a user was created (`users.createdAt`, UTC on both backends as the seed's
//! Sequelize and authd write it), for answering a retried signup ([`RecentSignupStore`]).

use async_trait::async_trait;

use super::records::StoreError;

/// Whether a user is new.
#[async_trait]
pub trait RecentSignupStore: Send + Sync {
    /// Whether user `id` exists and was created at most `seconds` ago (`false` for a `createdAt`
    /// that cannot be read as a time).
    async fn created_within(&self, id: i64, seconds: i64) -> Result<bool, StoreError>;
}
