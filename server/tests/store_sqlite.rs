//! SQLite-specific store behaviour (the backend-neutral contract is in `store_backends.rs`),
//! plus `store::open` argument handling and error/debug hygiene.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod store_support;

use std::path::Path;
use std::time::{Duration, Instant};

use authcore::roles::Role;
use authcore_server::store::{self, CreateUserError, SQLITE_FILE_NAME, StoreError};
use store_support::{SEED_HASH, new_user, unique_suffix};

fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("authd_sqlite_test_{}", unique_suffix()))
}

#[tokio::test]
async fn data_dir_is_created_private_with_a_wal_database_in_it() {
    let root = temp_dir();
    let dir = root.join("nested").join("data");
    let s = store::backend::open(None, &dir, 4).await.unwrap();
    s.ping().await.unwrap();
    assert!(dir.join(SQLITE_FILE_NAME).is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    let raw = rusqlite::Connection::open(dir.join(SQLITE_FILE_NAME)).unwrap();
    let mode: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(s);
    std::fs::remove_dir_all(root).unwrap();
}

#[tokio::test]
async fn file_keeps_the_seed_tables_and_is_readable_without_the_collation() {
    let dir = temp_dir();
    let s = store::backend::open(None, &dir, 1).await.unwrap();
    let id = s
        .create_user(&new_user(
            "zkoder",
            "user@bezkoder.com",
            &[Role::Moderator, Role::User],
        ))
        .await
        .unwrap();
    let raw = rusqlite::Connection::open(dir.join(SQLITE_FILE_NAME)).unwrap();
    let columns = |table: &str| -> Vec<String> {
        let mut stmt = raw
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
            ))
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let expected_users = [
        "id",
        "username",
        "email",
        "password",
        "createdAt",
        "updatedAt",
        "username_key",
        "email_key",
        "tokens_valid_after",
        "disabled",
        "email_verified",
    ];
    assert_eq!(columns("users"), expected_users);
    assert_eq!(columns("roles"), ["id", "name", "createdAt", "updatedAt"]);
    assert_eq!(
        columns("user_roles"),
        ["createdAt", "updatedAt", "roleId", "userId"]
    );
    let (name, hash, created): (String, String, String) = raw
        .query_row(
            "SELECT username, password, createdAt FROM users WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((name.as_str(), hash.as_str()), ("zkoder", SEED_HASH));
    // Sequelize's DATETIME format, UTC, second precision.
    assert_eq!(created.len(), 19, "{created}");
    assert_eq!(&created[10..11], " ");
    let role_ids: Vec<i64> = raw
        .prepare("SELECT roleId FROM user_roles WHERE userId = ?1 ORDER BY roleId")
        .unwrap()
        .query_map([id], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(role_ids, [1, 2]);
    let roles: Vec<(i64, String)> = raw
        .prepare("SELECT id, name FROM roles ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        roles,
        [
            (1, "user".into()),
            (2, "moderator".into()),
            (3, "admin".into())
        ]
    );
    drop(raw);
    drop(s);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_write_lock_makes_writes_unavailable_not_failed() {
    let dir = temp_dir();
    let s = store::backend::open(None, &dir, 1).await.unwrap();
    let id = s.create_user(&new_user("a", "a@x.com", &[])).await.unwrap();
    let raw = rusqlite::Connection::open(dir.join(SQLITE_FILE_NAME)).unwrap();
    raw.execute_batch("BEGIN IMMEDIATE").unwrap();
    let start = Instant::now();
    let r = s.create_user(&new_user("b", "b@x.com", &[])).await;
    assert!(
        matches!(r, Err(CreateUserError::Store(StoreError::Unavailable(_)))),
        "{r:?}"
    );
    assert!(start.elapsed() < Duration::from_millis(1600));
    // Readers are not blocked by the writer (WAL).
    assert_eq!(s.user_roles(id).await.unwrap(), Some(vec![]));
    raw.execute_batch("ROLLBACK").unwrap();
    s.create_user(&new_user("b", "b@x.com", &[])).await.unwrap();
    drop(s);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn unsupported_url_is_rejected_without_echoing_it() {
    let r = store::backend::open(
        Some("postgres://u:s3cret@h/db"),
        Path::new("/nonexistent"),
        1,
    )
    .await;
    let err = r.err().unwrap();
    assert!(matches!(err, StoreError::Other(_)));
    assert!(!err.to_string().contains("s3cret"), "{err}");
    let r = store::backend::open(Some("mysql://u:s3cret@[bad/db"), Path::new("."), 1).await;
    let err = r.err().unwrap();
    assert!(!err.to_string().contains("s3cret"), "{err}");
}

#[test]
fn errors_have_stable_codes_and_debug_output_hides_hashes() {
    assert_eq!(
        StoreError::Unavailable("x".into()).code(),
        "store_unavailable"
    );
    assert_eq!(StoreError::Other("x".into()).code(), "store_error");
    let user = new_user("zkoder", "user@bezkoder.com", &[Role::User]);
    let shown = format!("{user:?}");
    assert!(
        shown.contains("zkoder") && !shown.contains("$2a$"),
        "{shown}"
    );
    let record = store::UserRecord {
        id: 1,
        username: "zkoder".into(),
        email: "user@bezkoder.com".into(),
        password_hash: SEED_HASH.into(),
        roles: vec![Role::User],
    };
    assert!(!format!("{record:?}").contains("$2a$"));
}

#[tokio::test]
async fn username_and_email_lookups_use_the_unique_indexes() {
    let dir = temp_dir();
    let s = store::backend::open(None, &dir, 1).await.unwrap();
    let raw = rusqlite::Connection::open(dir.join(SQLITE_FILE_NAME)).unwrap();
    for (sql, index) in [
        (
            "SELECT id FROM users WHERE username_key = ?1 OR (username_key IS NULL AND username = ?1)",
            "users_username_key",
        ),
        (
            "SELECT id FROM users WHERE email_key = ?1",
            "users_email_key",
        ),
    ] {
        let mut stmt = raw.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let steps: Vec<String> = stmt
            .query_map(["x"], |r| r.get(3))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        // Every table access goes through the key index (no full scan).
        let plan = steps.join(" | ");
        assert!(plan.contains(index) && !plan.contains("SCAN"), "{plan}");
    }
    drop(raw);
    drop(s);
    std::fs::remove_dir_all(dir).unwrap();
}
