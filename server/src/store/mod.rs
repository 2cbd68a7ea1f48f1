//! Storage of users and their roles.
//!
//! One [`Store`] trait, two backends:
//! - MySQL/MariaDB (`mysql://…`), working on the seed's own tables (`users`, `roles`, `user_roles`)
//!   so an existing seed database can be taken over as it is;
//! - an embedded SQLite file (`authd.sqlite3` in the data directory) with the same logical schema.
//!
//! Usernames and emails are compared by their canonical keys (`authcore::identity`), stored in
//! their own columns with plain UNIQUE indexes on both backends ([`identity`]): `ZKoder`,
//! `"zkoder "` and `ｚｋｏｄｅｒ` find `zkoder`; `zkóder` is another name.

pub mod backend;
pub mod database;
mod identity;
pub mod keys;
pub mod lifecycle;
mod lockout;
mod mysql;
mod ports;
mod recent_signup;
mod records;
mod refresh;
pub mod reset;
mod sqlite;
pub mod verify;

pub use keys::{KeyStore, StoredKey};
pub use lifecycle::{LifecycleStore, UserAccess};
pub use lockout::{LockoutStore, SigninFailures};
pub use ports::Store;
pub use recent_signup::RecentSignupStore;
pub use records::{CreateUserError, NewUser, SQLITE_FILE_NAME, StoreError, UserRecord};
pub use refresh::{AdminStore, NewRefreshToken, RefreshRow, RefreshStore, Rotation, UserSummary};
pub use reset::ResetStore;
pub use verify::VerifyStore;
