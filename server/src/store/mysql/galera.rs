//! Readiness of a MariaDB Galera node, for `/readyz`.
//!
//! A Galera node that is joining, or that lost quorum, still answers a ping but refuses queries
//! with error 1047 ("WSREP has not yet prepared node for application use"). So when the server is
//! a Galera node (`wsrep_on`), the node must also be `wsrep_ready` and `Synced`. Only `SHOW`
//! statements are used: they are the ones a non-ready node still answers. Plain MariaDB and MySQL
//! (no `wsrep_on`, or `OFF`) are ready whenever they answer.

use mysql_async::prelude::Queryable;
use mysql_async::{Error as MyError, Row, ServerError};

use super::take;

/// `wsrep_local_state` of a node that is part of the primary component and caught up.
const SYNCED: &str = "4";
/// The error a node that is not ready gives to queries (`ER_UNKNOWN_COM_ERROR`, reused by wsrep).
pub(super) const ER_WSREP_NOT_READY: u16 = 1047;

/// `Ok` when the server is not a Galera node, or is a ready and Synced one; else a server error
/// 1047 that names the node's state (mapped to "unavailable" like the real one).
pub(super) async fn node_ready<Q: Queryable>(conn: &mut Q) -> Result<(), MyError> {
    let on: Option<Row> = conn
        .query_first("SHOW GLOBAL VARIABLES LIKE 'wsrep_on'")
        .await?;
    let on = match on {
        Some(mut row) => take::<String>(&mut row, 1)?,
        None => return Ok(()),
    };
    if !on.eq_ignore_ascii_case("ON") {
        return Ok(());
    }
    let rows: Vec<Row> = conn
        .query("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state')")
        .await?;
    let (mut ready, mut state) = (String::new(), String::new());
    for mut row in rows {
        let name: String = take(&mut row, 0)?;
        let value: String = take(&mut row, 1)?;
        match name.to_ascii_lowercase().as_str() {
            "wsrep_ready" => ready = value,
            "wsrep_local_state" => state = value,
            _ => {}
        }
    }
    if ready.eq_ignore_ascii_case("ON") && state == SYNCED {
        return Ok(());
    }
    Err(MyError::Server(ServerError {
        code: ER_WSREP_NOT_READY,
        message: format!("galera node not ready (wsrep_ready={ready}, wsrep_local_state={state})"),
        state: "08S01".to_owned(),
    }))
}
