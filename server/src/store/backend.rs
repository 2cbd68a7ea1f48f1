//! The composition of the store: which adapter serves a configuration.

use std::path::Path;
use std::sync::Arc;

use crate::store::mysql;
use crate::store::ports::Store;
use crate::store::records::StoreError;
use crate::store::sqlite;

/// Opens the store: `mysql://…` selects MySQL/MariaDB (pool of at most `pool_size` connections,
/// `data_dir` unused); `None` selects the SQLite file [`super::records::SQLITE_FILE_NAME`] in `data_dir` (created,
/// mode 0700 on unix; one connection, `pool_size` unused). Sets up the schema idempotently and
/// never drops data. A database that cannot be reached gives [`StoreError::Unavailable`] in ~1 s.
pub async fn open(
    database_url: Option<&str>,
    data_dir: &Path,
    pool_size: usize,
) -> Result<Arc<dyn Store>, StoreError> {
    match database_url {
        Some(url) if url.starts_with("mysql://") => {
            Ok(Arc::new(mysql::MySqlStore::connect(url, pool_size).await?))
        }
        Some(_) => Err(StoreError::Other(
            "unsupported database URL: expected mysql://user:pass@host:port/db".to_owned(),
        )),
        None => Ok(Arc::new(sqlite::SqliteStore::open_in(data_dir).await?)),
    }
}
