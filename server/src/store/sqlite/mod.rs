//! Embedded SQLite backend: the seed's logical schema in one file, one connection behind a mutex
//! (calls run on tokio's blocking pool), WAL mode, foreign keys on.
//!
//! Usernames and emails are found and kept unique through their canonical keys
//! (`users.username_key`, `users.email_key`, see [`super::identity`]): plain columns with plain
//! UNIQUE indexes, so the file needs no custom collation and the stock `sqlite3` tool reads it.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use authcore::identity::{email_key, username_key};
use authcore::roles::{Role, normalize_roles};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};

use crate::store::database::commit_gate;
use crate::store::ports::Store;
use crate::store::records::CreateUserError;
use crate::store::records::NewUser;
use crate::store::records::SQLITE_FILE_NAME;
use crate::store::records::StoreError;
use crate::store::records::UserRecord;
use crate::store::records::roles_from_names;

mod admin;
mod identity;
mod keys;
mod lifecycle;
mod lockout;
mod one_time;
mod recent_signup;
mod refresh;
mod reset;
mod verify;

/// How long a statement waits for another process' lock before failing as unavailable, outside a
/// `Database` (inside, the wait ends with the caller's store timeout).
const BUSY_TIMEOUT: Duration = Duration::from_secs(1);

/// Current UTC time, second precision, in Sequelize's DATETIME format.
macro_rules! now_sql {
    () => {
        "strftime('%Y-%m-%d %H:%M:%S','now')"
    };
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username VARCHAR(255) DEFAULT NULL,
        email VARCHAR(255) DEFAULT NULL,
        password VARCHAR(255) DEFAULT NULL,
        createdAt DATETIME NOT NULL,
        updatedAt DATETIME NOT NULL,
        username_key TEXT DEFAULT NULL,
        email_key TEXT DEFAULT NULL
    );
    CREATE TABLE IF NOT EXISTS roles (
        id INTEGER NOT NULL PRIMARY KEY,
        name VARCHAR(255) DEFAULT NULL,
        createdAt DATETIME NOT NULL,
        updatedAt DATETIME NOT NULL
    );
    CREATE TABLE IF NOT EXISTS user_roles (
        createdAt DATETIME NOT NULL,
        updatedAt DATETIME NOT NULL,
        roleId INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE ON UPDATE CASCADE,
        userId INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE,
        PRIMARY KEY (roleId, userId)
    );
    CREATE INDEX IF NOT EXISTS user_roles_userId ON user_roles (userId);";

const INSERT_ROLE: &str = concat!(
    "INSERT OR IGNORE INTO roles (id, name, createdAt, updatedAt) VALUES (?1, ?2, ",
    now_sql!(),
    ", ",
    now_sql!(),
    ")"
);

/// User columns plus role names of the user with key `?1`, or of the key-less (colliding) user
/// named exactly `?2`; an exact name match first.
const USER_BY_NAME: &str = "SELECT u.id, u.username, u.email, u.password, r.name
    FROM (SELECT id, username, email, password FROM users
          WHERE username_key = ?1 OR (username_key IS NULL AND username = ?2)
          ORDER BY username = ?2 DESC, username_key IS NULL, id LIMIT 1) AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    ORDER BY r.id";

const USER_BY_ID: &str = "SELECT u.id, u.username, u.email, u.password, r.name
    FROM users AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    WHERE u.id = ?1
    ORDER BY r.id";

const ROLES_BY_ID: &str = "SELECT u.id, r.name FROM users AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    WHERE u.id = ?1
    ORDER BY r.id";

const USERNAME_EXISTS: &str = "SELECT 1 FROM users WHERE username_key = ?1";
const EMAIL_EXISTS: &str = "SELECT 1 FROM users WHERE email_key = ?1";

const INSERT_USER: &str = concat!(
    "INSERT INTO users (username, email, password, username_key, email_key, email_verified,
    createdAt, updatedAt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ",
    now_sql!(),
    ", ",
    now_sql!(),
    ")"
);

const INSERT_USER_ROLE: &str = concat!(
    "INSERT INTO user_roles (createdAt, updatedAt, roleId, userId) SELECT ",
    now_sql!(),
    ", ",
    now_sql!(),
    ", r.id, ?1 FROM roles AS r WHERE r.name = ?2"
);

const UPDATE_PASSWORD: &str = concat!(
    "UPDATE users SET password = ?1, updatedAt = ",
    now_sql!(),
    " WHERE id = ?2"
);

/// The SQLite store.
pub(crate) struct SqliteStore {
    pub(super) conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (creating if needed) `dir/authd.sqlite3` and sets up the schema.
    pub(crate) async fn open_in(dir: &Path) -> Result<Self, StoreError> {
        let dir = dir.to_path_buf();
        let conn = tokio::task::spawn_blocking(move || open_blocking(&dir))
            .await
            .map_err(|_| StoreError::Other("sqlite open task failed".to_owned()))??;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on the connection on the blocking pool. Under a [`commit_gate::Gate`] whose
    /// caller gave up, `f` does not start, or its COMMIT turns into a rollback.
    pub(super) async fn call<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        let gate = commit_gate::current();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(PoisonError::into_inner);
            let Some(gate) = gate else {
                guard
                    .busy_timeout(BUSY_TIMEOUT)
                    .map_err(|e| E::from(map_err(e)))?;
                return f(&mut guard);
            };
            if gate.is_abandoned() {
                return Err(E::from(commit_gate::abandoned()));
            }
            // Wait for another process' lock as long as the caller waits, no longer.
            guard
                .busy_timeout(gate.remaining().max(Duration::from_millis(1)))
                .map_err(|e| E::from(map_err(e)))?;
            let hook_gate = Arc::clone(&gate);
            // Returning true turns the COMMIT into a rollback.
            guard
                .commit_hook(Some(move || !hook_gate.enter_commit()))
                .map_err(|e| E::from(map_err(e)))?;
            let result = f(&mut guard);
            if let Err(e) = guard.commit_hook(None::<fn() -> bool>) {
                tracing::error!(error = %e, "sqlite commit hook not removed");
            }
            drop(gate);
            result
        })
        .await
        .map_err(|_| E::from(StoreError::Other("sqlite task failed".to_owned())))?
    }
}

fn open_blocking(dir: &Path) -> Result<Connection, StoreError> {
    let path = dir.join(SQLITE_FILE_NAME);
    create_private_files(dir, &path)?;
    let conn = Connection::open(&path).map_err(map_err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(map_err)?;
    let _mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(map_err)?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
        .map_err(map_err)?;
    // Plans that do not depend on bound values: otherwise SQLite re-prepares a cached statement
    // (the user lookup, the access read) on every use once a parameter's value could sway the
    // plan — 75 % of a signin's store work in callgrind. The lookups are plain index probes.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(map_err)?;
    let mut conn = conn;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map_err)?;
    tx.execute_batch(SCHEMA).map_err(map_err)?;
    self::identity::migrate(&tx)?;
    self::lifecycle::migrate(&tx)?;
    tx.execute_batch(self::one_time::RESETS.schema)
        .map_err(map_err)?;
    tx.execute_batch(self::one_time::VERIFICATIONS.schema)
        .map_err(map_err)?;
    self::keys::ensure_table(&tx)?;
    tx.execute_batch(self::refresh::SCHEMA).map_err(map_err)?;
    self::refresh::migrate(&tx)?;
    self::lockout::ensure_table(&tx)?;
    for role in Role::ALL {
        tx.execute(INSERT_ROLE, params![role.id(), role.name()])
            .map_err(map_err)?;
    }
    tx.commit().map_err(map_err)?;
    Ok(conn)
}

/// Creates `dir` (0700) and the database file (0600) before SQLite does (it would use 0644),
/// and narrows existing ones; SQLite gives `-wal`/`-shm` the database file's mode.
fn create_private_files(dir: &Path, db: &Path) -> Result<(), StoreError> {
    let failed =
        |e: std::io::Error| StoreError::Other(format!("cannot create {}: {e}", dir.display()));
    crate::private_files::create_private_dir(dir).map_err(failed)?;
    crate::private_files::ensure_private_file(db, true).map_err(failed)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        crate::private_files::ensure_private_file(Path::new(&name), false).map_err(failed)?;
    }
    Ok(())
}

pub(super) fn map_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::CannotOpen) => {
            StoreError::Unavailable(format!("sqlite: {e}"))
        }
        _ => StoreError::Other(format!("sqlite: {e}")),
    }
}

/// Reads `(id, username, email, password, role name)` rows into one user.
fn read_user<P: rusqlite::Params>(
    conn: &Connection,
    sql: &str,
    params: P,
) -> Result<Option<UserRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(map_err)?;
    let mut rows = stmt.query(params).map_err(map_err)?;
    let mut user: Option<UserRecord> = None;
    let mut names = Vec::new();
    while let Some(row) = rows.next().map_err(map_err)? {
        if user.is_none() {
            user = Some(UserRecord {
                id: row.get(0).map_err(map_err)?,
                username: row
                    .get::<_, Option<String>>(1)
                    .map_err(map_err)?
                    .unwrap_or_default(),
                email: row
                    .get::<_, Option<String>>(2)
                    .map_err(map_err)?
                    .unwrap_or_default(),
                password_hash: row
                    .get::<_, Option<String>>(3)
                    .map_err(map_err)?
                    .unwrap_or_default(),
                roles: Vec::new(),
            });
        }
        names.push(row.get::<_, Option<String>>(4).map_err(map_err)?);
    }
    Ok(user.map(|mut u| {
        u.roles = roles_from_names(names);
        u
    }))
}

fn exists(conn: &Connection, sql: &str, value: &str) -> Result<bool, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(map_err)?;
    let found: Option<i64> = stmt
        .query_row([value], |r| r.get(0))
        .optional()
        .map_err(map_err)?;
    Ok(found.is_some())
}

/// Which of username/email already exists, username first.
fn taken(conn: &Connection, new: &NewUser) -> Result<Option<CreateUserError>, StoreError> {
    if exists(conn, USERNAME_EXISTS, &username_key(&new.username))? {
        return Ok(Some(CreateUserError::UsernameTaken));
    }
    if exists(conn, EMAIL_EXISTS, &email_key(&new.email))? {
        return Ok(Some(CreateUserError::EmailTaken));
    }
    Ok(None)
}

fn create_blocking(conn: &mut Connection, new: &NewUser) -> Result<i64, CreateUserError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map_err)?;
    if let Some(e) = taken(&tx, new)? {
        return Err(e);
    }
    let inserted = tx.prepare_cached(INSERT_USER).and_then(|mut s| {
        s.execute(params![
            new.username,
            new.email,
            new.password_hash,
            username_key(&new.username),
            email_key(&new.email),
            new.email_verified
        ])
    });
    if let Err(e) = inserted {
        if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) {
            drop(tx);
            // Only reachable if another process wrote meanwhile: report which value collides.
            return Err(taken(conn, new)?.unwrap_or(CreateUserError::Store(map_err(e))));
        }
        return Err(map_err(e).into());
    }
    let id = tx.last_insert_rowid();
    for role in normalize_roles(&new.roles) {
        tx.prepare_cached(INSERT_USER_ROLE)
            .and_then(|mut s| s.execute(params![id, role.name()]))
            .map_err(map_err)?;
    }
    tx.commit().map_err(map_err)?;
    Ok(id)
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.call(|c| {
            c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
                .map(|_| ())
                .map_err(map_err)
        })
        .await
    }

    async fn find_user_by_username(
        &self,
        username: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let username = username.to_owned();
        let key = username_key(&username);
        self.call(move |c| read_user(c, USER_BY_NAME, params![key, username]))
            .await
    }

    async fn find_user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        self.call(move |c| read_user(c, USER_BY_ID, [id])).await
    }

    async fn user_roles(&self, id: i64) -> Result<Option<Vec<Role>>, StoreError> {
        self.call(move |c| {
            let mut stmt = c.prepare_cached(ROLES_BY_ID).map_err(map_err)?;
            let mut rows = stmt.query([id]).map_err(map_err)?;
            let mut names = Vec::new();
            while let Some(row) = rows.next().map_err(map_err)? {
                names.push(row.get::<_, Option<String>>(1).map_err(map_err)?);
            }
            Ok((!names.is_empty()).then(|| roles_from_names(names)))
        })
        .await
    }

    async fn create_user(&self, new: &NewUser) -> Result<i64, CreateUserError> {
        let new = new.clone();
        self.call(move |c| create_blocking(c, &new)).await
    }

    async fn update_password_hash(&self, id: i64, hash: &str) -> Result<(), StoreError> {
        let hash = hash.to_owned();
        self.call(move |c| {
            c.prepare_cached(UPDATE_PASSWORD)
                .and_then(|mut s| s.execute(params![hash, id]))
                .map(|_| ())
                .map_err(map_err)
        })
        .await
    }
}
