//! The store's side of refresh tokens and of role administration: record types and the two
//! traits [`RefreshStore`] and [`AdminStore`] that every backend implements (SQL in
//! `refresh_sqlite.rs` / `refresh_mysql.rs` and `admin_sqlite.rs` / `admin_mysql.rs`).
//!
//! Refresh tokens live in the table `refresh_tokens`: only the SHA-256 hash of a token is stored,
//! times are seconds since the epoch, and rotating a token is one atomic conditional UPDATE plus
//! the successor's INSERT in one transaction, so of several racing rotations (even on several
//! authd instances) exactly one wins.

use async_trait::async_trait;
use authcore::refresh::StoredRefreshToken;
use authcore::roles::Role;

use super::records::StoreError;

/// One stored refresh token, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRow {
    /// The owner (`users.id`).
    pub user_id: i64,
    /// The token family (all successors of one signin).
    pub family_id: String,
    /// Expiry, seconds since the epoch.
    pub expires_at: i64,
    /// When it was rotated, if it was.
    pub rotated_at: Option<i64>,
    /// When its family was revoked, if it was.
    pub revoked_at: Option<i64>,
}

impl RefreshRow {
    /// What `authcore::refresh::decide` needs of it.
    pub fn stored(&self) -> StoredRefreshToken {
        StoredRefreshToken {
            expires_at: self.expires_at,
            rotated_at: self.rotated_at,
            revoked: self.revoked_at.is_some(),
        }
    }
}

/// A refresh token to insert (its hash only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefreshToken {
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// Family id.
    pub family_id: String,
    /// Owner.
    pub user_id: i64,
    /// Expiry, seconds since the epoch (capped at `family_expires_at`).
    pub expires_at: i64,
    /// End of the family's absolute lifetime: no successor lives past it.
    pub family_expires_at: i64,
}

/// The result of an atomic rotation attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// This call rotated the token and inserted the successor.
    Rotated {
        /// Owner of the family.
        user_id: i64,
        /// The family.
        family_id: String,
    },
    /// Not rotated (unknown, expired, already rotated or revoked): the row as it is now.
    Refused(Option<RefreshRow>),
}

/// A user as the admin API lists it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    /// `users.id`.
    pub id: i64,
    /// Username.
    pub username: String,
    /// Email.
    pub email: String,
    /// Known roles in id order.
    pub roles: Vec<Role>,
}

/// Storage of refresh tokens.
#[async_trait]
pub trait RefreshStore: Send + Sync {
    /// Inserts a new refresh token (a signin starts a family).
    async fn insert_refresh_token(&self, new: &NewRefreshToken) -> Result<(), StoreError>;

    /// Atomically marks the live token `hash` rotated at `now` and inserts `successor_hash`
    /// (expiring at `successor_expires_at`, or at its family's end if sooner) in the same family. Exactly one of several racing
    /// calls for one token gets [`Rotation::Rotated`].
    async fn rotate_refresh_token(
        &self,
        hash: &str,
        successor_hash: &str,
        successor_expires_at: i64,
        now: i64,
    ) -> Result<Rotation, StoreError>;

    /// Within the reuse grace: if the token `hash` was rotated at or after `rotated_since`, is
    /// not revoked nor expired, and its family has fewer than `max_live` live tokens, inserts
    /// another successor `successor_hash` in its family (a client retrying after a lost answer)
    /// and answers [`Rotation::Rotated`]; otherwise [`Rotation::Refused`] with the row. Atomic.
    async fn reissue_refresh_token(
        &self,
        hash: &str,
        successor_hash: &str,
        successor_expires_at: i64,
        now: i64,
        rotated_since: i64,
        max_live: u64,
    ) -> Result<Rotation, StoreError>;

    /// Deletes tokens nobody needs any more: expired ones, and those rotated or revoked before
    /// `before`; of `family_id` only, or anywhere (at most `limit` rows). Returns how many.
    async fn prune_refresh_tokens(
        &self,
        family_id: Option<&str>,
        now: i64,
        before: i64,
        limit: u64,
    ) -> Result<u64, StoreError>;

    /// The token with this hash.
    async fn find_refresh_token(&self, hash: &str) -> Result<Option<RefreshRow>, StoreError>;

    /// Deletes the token with this hash (e.g. once expired).
    async fn delete_refresh_token(&self, hash: &str) -> Result<(), StoreError>;

    /// Revokes every live token of `family_id` (one UPDATE); returns how many.
    async fn revoke_refresh_family(&self, family_id: &str, now: i64) -> Result<u64, StoreError>;

    /// Revokes every live token of user `user_id`; returns how many.
    async fn revoke_user_refresh_tokens(&self, user_id: i64, now: i64) -> Result<u64, StoreError>;
}

/// Role administration.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Users ordered by id, `limit` of them after skipping `offset`, and the total count.
    async fn list_users(
        &self,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<UserSummary>, u64), StoreError>;

    /// Up to `limit` users with an id greater than `after`, ordered by id (keyset paging: the
    /// cost does not grow with how far into the list the page is).
    async fn list_users_after(
        &self,
        after: i64,
        limit: u64,
    ) -> Result<Vec<UserSummary>, StoreError>;

    /// Replaces the roles of user `id` in one transaction; `false` when there is no such user.
    async fn set_user_roles(&self, id: i64, roles: &[Role]) -> Result<bool, StoreError>;

    /// Deletes user `id` with its role links and refresh tokens in one transaction; `false` when
    /// there is no such user.
    async fn delete_user(&self, id: i64) -> Result<bool, StoreError>;
}
