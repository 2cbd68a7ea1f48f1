//! MySQL/MariaDB backend (`mysql_async`) on the seed's own tables.
//!
//! Calls made through [`crate::store::database::Database`] are bounded there by the configured store
//! timeout, and commit only through [`commit_gate::may_commit`]; other calls (schema set-up,
//! the CLI) are bounded by [`OP_TIMEOUT`]. A database that is down gives
//! [`StoreError::Unavailable`]; the pool reconnects by itself later.

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use authcore::roles::{Role, normalize_roles};
use mysql_async::prelude::{FromValue, Queryable};
use mysql_async::{
    Conn, DriverError, Error as MyError, Opts, OptsBuilder, Pool, PoolConstraints, Row, TxOpts,
    UrlError,
};

use crate::store::database::commit_gate;
use crate::store::ports::Store;
use crate::store::records::CreateUserError;
use crate::store::records::NewUser;
use crate::store::records::StoreError;
use crate::store::records::UserRecord;
use crate::store::records::roles_from_names;
use authcore::identity::{email_key, username_key};

mod admin;
mod galera;
mod identity;
mod keys;
mod lifecycle;
mod lockout;
mod one_time;
mod recent_signup;
mod refresh;
mod reset;
mod schema;
mod verify;

/// Upper bound of a call made outside a `Database` (which applies the configured timeout).
pub(super) const OP_TIMEOUT: Duration = Duration::from_secs(1);
/// Attempts of a create transaction that hit a deadlock or lock-wait timeout.
const CREATE_ATTEMPTS: u32 = 5;

/// Server error codes that mean "the database cannot serve us right now".
const UNAVAILABLE_CODES: &[u16] = &[
    1040, // too many connections
    1047, // Galera node joining or without quorum ("WSREP has not yet prepared node")
    1053, // server shutdown in progress
    1152, 1153, 1158, 1159, 1160, 1161, // network read/write errors
    1203, // max_user_connections
    1205, // lock wait timeout
    1213, // deadlock
    1226, // user resource limit
    1290, // read-only (--read-only)
    1836, // read-only mode
    1927, // connection killed
    4031, // disconnected by the server (idle)
];
const ER_DUP_ENTRY: u16 = 1062;

/// The user with key `?1`, or the key-less (colliding) user named exactly `?2` (`?3` = `?2`);
/// an exact name match first.
const USER_BY_NAME: &str = "SELECT u.id, u.username, u.email, u.password, r.name
    FROM (SELECT id, username, email, password FROM users
          WHERE username_key = ? OR (username_key IS NULL AND BINARY username = BINARY ?)
          ORDER BY BINARY username = BINARY ? DESC, username_key IS NULL, id LIMIT 1) AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    ORDER BY r.id";

const USER_BY_ID: &str = "SELECT u.id, u.username, u.email, u.password, r.name
    FROM users AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    WHERE u.id = ?
    ORDER BY r.id";

const ROLES_BY_ID: &str = "SELECT u.id, r.name FROM users AS u
    LEFT JOIN user_roles AS ur ON ur.userId = u.id
    LEFT JOIN roles AS r ON r.id = ur.roleId
    WHERE u.id = ?
    ORDER BY r.id";

const USERNAME_EXISTS: &str = "SELECT id FROM users WHERE username_key = ?";
const EMAIL_EXISTS: &str = "SELECT id FROM users WHERE email_key = ?";
const INSERT_USER: &str = "INSERT INTO users
    (username, email, password, username_key, email_key, email_verified, createdAt, updatedAt)
    VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())";
const INSERT_USER_ROLE: &str = "INSERT INTO user_roles (createdAt, updatedAt, roleId, userId)
    SELECT UTC_TIMESTAMP(), UTC_TIMESTAMP(), r.id, ? FROM roles AS r WHERE r.name = ?";
const UPDATE_PASSWORD: &str =
    "UPDATE users SET password = ?, updatedAt = UTC_TIMESTAMP() WHERE id = ?";

/// The MySQL/MariaDB store.
pub(crate) struct MySqlStore {
    pub(super) pool: Pool,
}

impl MySqlStore {
    /// Builds the pool (at most `pool_size` connections) and sets up the schema.
    pub(crate) async fn connect(url: &str, pool_size: usize) -> Result<Self, StoreError> {
        let opts = connection_options(url, pool_size)?;
        let store = Self {
            pool: Pool::new(opts),
        };
        self::schema::ensure(&store.pool).await?;
        self::keys::ensure_table(&store.pool).await?;
        self::refresh::migrate(&store.pool).await?;
        self::lockout::ensure_table(&store.pool).await?;
        Ok(store)
    }

    /// Runs a read-only `op` on a pooled connection within [`OP_TIMEOUT`]; retries once on a fresh
    /// connection if the pooled one turned out to be dead (e.g. after a database restart).
    async fn read<T, F, Fut>(&self, op: F) -> Result<T, StoreError>
    where
        F: Fn(Conn) -> Fut + Send + Sync,
        Fut: Future<Output = Result<T, MyError>> + Send,
        T: Send,
    {
        bounded(async {
            let mut attempt = 0;
            loop {
                attempt += 1;
                let conn = self.pool.get_conn().await.map_err(map_err)?;
                match op(conn).await {
                    Ok(v) => return Ok(v),
                    Err(e) if attempt < 2 && connection_lost(&e) => continue,
                    Err(e) => return Err(map_err(e)),
                }
            }
        })
        .await
    }

    /// Which of username/email already exists (username first), on a fresh connection.
    async fn which_taken(&self, new: &NewUser) -> Result<Option<CreateUserError>, StoreError> {
        self.read(|mut c| async move {
            if exists(&mut c, USERNAME_EXISTS, &username_key(&new.username)).await? {
                return Ok(Some(CreateUserError::UsernameTaken));
            }
            if exists(&mut c, EMAIL_EXISTS, &email_key(&new.email)).await? {
                return Ok(Some(CreateUserError::EmailTaken));
            }
            Ok(None)
        })
        .await
    }

    /// One create transaction.
    async fn try_create(&self, new: &NewUser, roles: &[Role]) -> Result<i64, Attempt> {
        let mut conn = self.pool.get_conn().await.map_err(Attempt::from)?;
        let mut tx = conn.start_transaction(TxOpts::default()).await?;
        let (name_key, mail_key) = (username_key(&new.username), email_key(&new.email));
        if exists(&mut tx, USERNAME_EXISTS, &name_key).await? {
            let _ = tx.rollback().await; // the pool rolls back anyway if this fails
            return Err(Attempt::Taken(CreateUserError::UsernameTaken));
        }
        if exists(&mut tx, EMAIL_EXISTS, &mail_key).await? {
            let _ = tx.rollback().await; // the pool rolls back anyway if this fails
            return Err(Attempt::Taken(CreateUserError::EmailTaken));
        }
        let values = (
            &new.username,
            &new.email,
            &new.password_hash,
            name_key.as_bytes(),
            mail_key.as_bytes(),
            new.email_verified,
        );
        tx.exec_drop(INSERT_USER, values).await?;
        let id = tx
            .last_insert_id()
            .and_then(|id| i64::try_from(id).ok())
            .ok_or_else(|| Attempt::Fatal(StoreError::Other("no insert id".to_owned())))?;
        for role in roles {
            tx.exec_drop(INSERT_USER_ROLE, (id, role.name())).await?;
        }
        commit_gate::may_commit().map_err(Attempt::Fatal)?;
        tx.commit().await?;
        Ok(id)
    }
}

/// The driver's options for `url`: the URL's own settings (including its pool options) with
/// authd's pool size, idle and lifetime bounds. A connection going back to the pool is not reset
/// unless the URL asks for it (`?reset_connection=true`): a reset (COM_RESET_CONNECTION) drops
/// the connection's prepared statements, so every query paid a prepare and a reset round trip
/// on top of its execute, and on MariaDB 10.11 a Galera node skips `wsrep_sync_wait` after one.
/// authd keeps no session state between uses (every transaction commits or rolls back).
fn connection_options(url: &str, pool_size: usize) -> Result<OptsBuilder, StoreError> {
    let opts = Opts::from_url(url).map_err(|e| StoreError::Other(describe_url_error(&e)))?;
    let max = pool_size.max(1);
    let constraints = PoolConstraints::new(0, max)
        .ok_or_else(|| StoreError::Other(format!("invalid pool size {pool_size}")))?;
    let asks_for_reset = url
        .split_once('?')
        .is_some_and(|(_, query)| query.split('&').any(|p| p.starts_with("reset_connection=")));
    let pool_opts = opts
        .pool_opts()
        .clone()
        .with_reset_connection(asks_for_reset && opts.pool_opts().reset_connection())
        .with_constraints(constraints)
        .with_inactive_connection_ttl(Duration::from_secs(60))
        .with_ttl_check_interval(Duration::from_secs(30));
    Ok(OptsBuilder::from_opts(opts)
        .pool_opts(pool_opts)
        .conn_ttl(Some(Duration::from_secs(300)))
        .tcp_keepalive(Some(Duration::from_secs(30)))
        .tcp_nodelay(true))
}

/// Outcome of a failed create attempt.
enum Attempt {
    /// A definitive answer.
    Taken(CreateUserError),
    /// A unique index rejected the insert: find out which value collides.
    Duplicate,
    /// Deadlock or lock-wait timeout: try again.
    Retry(StoreError),
    /// Give up with this error.
    Fatal(StoreError),
}

impl From<MyError> for Attempt {
    fn from(e: MyError) -> Self {
        match &e {
            MyError::Server(s) if s.code == ER_DUP_ENTRY => Attempt::Duplicate,
            MyError::Server(s) if s.code == 1213 || s.code == 1205 => Attempt::Retry(map_err(e)),
            _ => Attempt::Fatal(map_err(e)),
        }
    }
}

/// Awaits `fut`, for at most [`OP_TIMEOUT`] outside a `Database` (inside, its configured timeout
/// applies); a timeout is [`StoreError::Unavailable`].
pub(super) async fn bounded<T, E: From<StoreError>>(
    fut: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    if commit_gate::current().is_some() {
        return fut.await;
    }
    tokio::time::timeout(OP_TIMEOUT, fut)
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::Unavailable(format!(
                "no answer from the database within {} ms",
                OP_TIMEOUT.as_millis()
            ))
            .into())
        })
}

/// Maps a driver error; never echoes row values (they could hold a hash).
pub(super) fn map_err(e: MyError) -> StoreError {
    match e {
        MyError::Io(e) => StoreError::Unavailable(format!("mysql i/o: {e}")),
        MyError::Driver(DriverError::ConnectionClosed | DriverError::PoolDisconnected) => {
            StoreError::Unavailable("mysql connection closed".to_owned())
        }
        MyError::Driver(DriverError::FromRow { .. } | DriverError::FromValue { .. }) => {
            StoreError::Other("mysql: unexpected column value".to_owned())
        }
        MyError::Server(s) if UNAVAILABLE_CODES.contains(&s.code) => StoreError::Unavailable(
            format!("mysql error {}: {}", s.code, without_values(&s.message)),
        ),
        MyError::Server(s) => StoreError::Other(format!(
            "mysql error {}: {}",
            s.code,
            without_values(&s.message)
        )),
        other => StoreError::Other(format!("mysql: {other}")),
    }
}

/// A server message with its quoted values blanked: `Duplicate entry 'bob@x.io' for key
/// 'email'` (error 1062) and friends echo the row's values, which may be emails or hashes.
pub(super) fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('\'');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    // Odd parts were quoted.
    for (i, part) in parts.enumerate() {
        out.push('\'');
        out.push_str(if i % 2 == 0 { "…" } else { part });
    }
    out
}

/// [`commit_gate::may_commit`] for code that speaks the driver's error type.
pub(super) fn commit_allowed() -> Result<(), MyError> {
    commit_gate::may_commit().map_err(|e| MyError::Other(Box::new(std::io::Error::other(e))))
}

/// Whether the connection died under us (worth one retry on a fresh connection).
fn connection_lost(e: &MyError) -> bool {
    matches!(
        e,
        MyError::Io(_) | MyError::Driver(DriverError::ConnectionClosed)
    ) || matches!(e, MyError::Server(s) if s.code == 1927 || s.code == 4031 || s.code == 1053)
}

/// A URL error without the URL itself (it may contain a password).
fn describe_url_error(e: &UrlError) -> String {
    match e {
        UrlError::InvalidParamValue { param, .. } => {
            format!("invalid database URL: bad value for parameter {param}")
        }
        other => format!("invalid database URL: {other}"),
    }
}

/// Column `idx` of `row` as `T`.
pub(super) fn take<T: FromValue>(row: &mut Row, idx: usize) -> Result<T, MyError> {
    match row.take_opt::<T, usize>(idx) {
        Some(Ok(v)) => Ok(v),
        _ => Err(MyError::Other(Box::new(std::io::Error::other(format!(
            "unexpected value in column {idx}"
        ))))),
    }
}

/// Whether `sql` finds a row for the key `key` (sent as bytes: key columns are `VARBINARY`).
async fn exists<Q: Queryable>(q: &mut Q, sql: &str, key: &str) -> Result<bool, MyError> {
    let row: Option<Row> = q.exec_first(sql, (key.as_bytes(),)).await?;
    Ok(row.is_some())
}

/// Reads `(id, username, email, password, role name)` rows into one user.
async fn read_user<P>(mut conn: Conn, sql: &str, param: P) -> Result<Option<UserRecord>, MyError>
where
    P: Into<mysql_async::Params> + Send,
{
    let rows: Vec<Row> = conn.exec(sql, param).await?;
    let mut user: Option<UserRecord> = None;
    let mut names = Vec::with_capacity(rows.len());
    for mut row in rows {
        if user.is_none() {
            user = Some(UserRecord {
                id: take(&mut row, 0)?,
                username: take::<Option<String>>(&mut row, 1)?.unwrap_or_default(),
                email: take::<Option<String>>(&mut row, 2)?.unwrap_or_default(),
                password_hash: take::<Option<String>>(&mut row, 3)?.unwrap_or_default(),
                roles: Vec::new(),
            });
        }
        names.push(take::<Option<String>>(&mut row, 4)?);
    }
    Ok(user.map(|mut u| {
        u.roles = roles_from_names(names);
        u
    }))
}

#[async_trait]
impl Store for MySqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|mut c| async move {
            c.ping().await?;
            self::galera::node_ready(&mut c).await
        })
        .await
    }

    async fn find_user_by_username(
        &self,
        username: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        let key = username_key(username);
        self.read(|c| read_user(c, USER_BY_NAME, (key.as_bytes(), username, username)))
            .await
    }

    async fn find_user_by_id(&self, id: i64) -> Result<Option<UserRecord>, StoreError> {
        self.read(|c| read_user(c, USER_BY_ID, (id,))).await
    }

    async fn user_roles(&self, id: i64) -> Result<Option<Vec<Role>>, StoreError> {
        self.read(|mut c| async move {
            let rows: Vec<Row> = c.exec(ROLES_BY_ID, (id,)).await?;
            let mut names = Vec::with_capacity(rows.len());
            for mut row in rows {
                names.push(take::<Option<String>>(&mut row, 1)?);
            }
            Ok((!names.is_empty()).then(|| roles_from_names(names)))
        })
        .await
    }

    async fn create_user(&self, new: &NewUser) -> Result<i64, CreateUserError> {
        let roles = normalize_roles(&new.roles);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = match bounded(async { Ok(self.try_create(new, &roles).await) }).await {
                Ok(outcome) => outcome,
                Err(e) => Err(Attempt::Fatal(e)),
            };
            let error = match outcome {
                Ok(id) => return Ok(id),
                Err(Attempt::Taken(e)) => return Err(e),
                Err(Attempt::Fatal(e)) => return Err(e.into()),
                Err(Attempt::Duplicate) => match self.which_taken(new).await? {
                    Some(taken) => return Err(taken),
                    // The colliding row is gone again: try anew.
                    None => StoreError::Other("duplicate key on create".to_owned()),
                },
                Err(Attempt::Retry(e)) => e,
            };
            tracing::debug!(attempt, error = %error, "create_user: retrying the transaction");
            if attempt >= CREATE_ATTEMPTS {
                return Err(error.into());
            }
            tokio::time::sleep(Duration::from_millis(5 * u64::from(attempt))).await;
        }
    }

    async fn update_password_hash(&self, id: i64, hash: &str) -> Result<(), StoreError> {
        bounded(async {
            let mut conn = self.pool.get_conn().await.map_err(map_err)?;
            let mut tx = conn
                .start_transaction(TxOpts::default())
                .await
                .map_err(map_err)?;
            tx.exec_drop(UPDATE_PASSWORD, (hash, id))
                .await
                .map_err(map_err)?;
            commit_gate::may_commit()?;
            tx.commit().await.map_err(map_err)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_server_messages_never_carry_row_values() {
        let message = "Duplicate entry 'alice@example.com' for key 'users_email_unique'";
        let clean = without_values(message);
        assert!(!clean.contains("alice"), "{clean}");
        assert_eq!(clean, "Duplicate entry '…' for key '…'");
        assert_eq!(
            without_values("Lock wait timeout exceeded"),
            "Lock wait timeout exceeded"
        );
    }

    #[test]
    fn the_urls_pool_options_are_kept() {
        let opts = |url| Opts::from(connection_options(url, 7).unwrap());
        let kept = opts("mysql://root@127.0.0.1/db?reset_connection=false");
        assert!(!kept.pool_opts().reset_connection());
        assert_eq!(kept.pool_opts().constraints().max(), 7);
        assert!(
            !opts("mysql://root@127.0.0.1/db")
                .pool_opts()
                .reset_connection()
        );
        assert!(
            opts("mysql://root@127.0.0.1/db?reset_connection=true")
                .pool_opts()
                .reset_connection()
        );
    }
}
