//! A retried signup whose first attempt did create the account (e.g. answered 503 while the
//! database was stalled, yet committed afterwards) is answered like the first one should have
//! been: 200 "User was registered successfully!". It is a replay when the account holding the
//! username has the same email (canonical keys), was created at most [`REPLAY_WINDOW_SECONDS`]
//! ago, and its stored hash verifies the presented password (bcrypt on the password pool). Any
//! other signup of a taken username stays a 400.

use authcore::identity::email_key;
use zeroize::Zeroizing;

use crate::app::AppState;
use crate::store::{StoreError, UserRecord};

/// How long after an account's creation a retry of its signup is recognised.
pub const REPLAY_WINDOW_SECONDS: i64 = 10 * 60;

/// Whether signing up `email` with `password` again is a retry of the signup that created
/// `existing`. Cheap checks first: the bcrypt verify runs only for a recent account with this
/// email.
pub(crate) async fn is_replay(
    state: &AppState,
    existing: &UserRecord,
    email: &str,
    password: &Zeroizing<String>,
) -> Result<bool, StoreError> {
    if email_key(email) != email_key(&existing.email) {
        return Ok(false);
    }
    let recent = state
        .db
        .with_store(|s| s.created_within(existing.id, REPLAY_WINDOW_SECONDS))
        .await?;
    if !recent {
        return Ok(false);
    }
    let verified = matches!(
        state
            .passwords
            .verify(password.clone(), existing.password_hash.clone())
            .await,
        Ok(Ok(true))
    );
    if verified {
        tracing::info!(
            target: "authd::security",
            user_id = existing.id,
            "signup retried after it was stored; answered as registered"
        );
    }
    Ok(verified)
}
