//! Signin: check the password, answer the user with a fresh token.
//!
//! Unknown username → [`Failure::UnknownUser`]; a disabled account with the right password →
//! [`Refusal::AccountDisabled`]; with email verification on, an unverified account with the
//! right password → [`Refusal::EmailNotVerified`]; wrong password → [`Failure::WrongPassword`] (a
//! password over bcrypt's 72 bytes is never verified, so it is always wrong: the seed silently
//! truncated). The per-account rate and slow-down apply by canonical username key before the
//! lookup and by account id after it ([`AccountKey`]), so every spelling that reaches an account
//! shares its budget, and a slowed-down account is refused before any bcrypt work. A known
//! account's failures are counted in the store (`app::limits::known_accounts`): shared by instances.
//! A correct password whose stored hash is weaker than the configured cost (the seed's cost-8
//! `$2a$` hashes) is re-hashed in the background.

use authcore::identity::username_key;
use authcore::passwords::{self, MAX_PASSWORD_BYTES, PasswordError};
use authcore::validation::SigninRequest;
use zeroize::Zeroizing;

use crate::app::limits::AccountKey;
use crate::app::{AppState, Failure, Refusal, refresh, verify};
use crate::store::UserRecord;

/// A successful signin.
#[derive(Debug)]
pub struct SignedIn {
    /// The account, as stored.
    pub user: UserRecord,
    /// A new access token.
    pub access_token: String,
    /// The first refresh token of a new family (`None` when refresh tokens are disabled).
    pub refresh_token: Option<String>,
}

/// A wrong password: counted against account `id` (in the store).
async fn invalid_password(state: &AppState, id: i64) -> Failure {
    state.limits.known_account_failed(&state.db, id).await;
    Failure::WrongPassword
}

/// An unknown user: the profile's work (strict: a dummy bcrypt verify), then the failure.
async fn unknown_user(state: &AppState, password: Zeroizing<String>) -> Failure {
    match state.profile.unknown_user(&state.passwords, password).await {
        Ok(()) => Failure::UnknownUser,
        Err(e) => e.into(),
    }
}

/// Signs in with a validated `request`.
pub async fn signin(state: &AppState, request: SigninRequest) -> Result<SignedIn, Failure> {
    let name = AccountKey::Name(username_key(&request.username));
    state.limits.check_signin_account(&name)?;
    let password = Zeroizing::new(request.password);
    let Some(user) = state.db.find_user_by_username(&request.username).await? else {
        state.limits.signin_failed(name);
        return Err(unknown_user(state, password).await);
    };
    let checked = state.limits.check_known_account(&state.db, user.id).await?;
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(invalid_password(state, user.id).await);
    }
    let stored_hash = user.password_hash.clone();
    let verified = state
        .profile
        .verify(&state.passwords, password.clone(), stored_hash)
        .await?;
    match verified {
        Ok(true) => {}
        Ok(false) => return Err(invalid_password(state, user.id).await),
        Err(PasswordError::InvalidHash(reason)) => {
            tracing::warn!(
                user_id = user.id,
                reason,
                "stored password hash is unusable"
            );
            return Err(invalid_password(state, user.id).await);
        }
        Err(_) => return Err(invalid_password(state, user.id).await),
    }
    // Authoritative read: a revocation or disabling on another instance must be seen here.
    let Some(access) = state.db.user_access(user.id).await? else {
        return Err(unknown_user(state, password).await);
    };
    if access.disabled {
        tracing::info!(target: "authd::security", user_id = user.id, "signin of a disabled account");
        return Err(Refusal::AccountDisabled.into());
    }
    if verify::refuses_signin(state, user.id).await? {
        tracing::info!(target: "authd::security", user_id = user.id, "signin of an unverified email");
        return Err(Refusal::EmailNotVerified.into());
    }
    let access_token = refresh::access_token(state, user.id, access.tokens_valid_after)?;
    let refresh_token = refresh::start_session(state, user.id).await?;
    state.roles.put(user.id, &access);
    state
        .limits
        .known_account_succeeded(&state.db, user.id, checked)
        .await;
    if passwords::needs_rehash(&user.password_hash, state.passwords.cost()) {
        upgrade_hash(state, user.id, password);
    }
    Ok(SignedIn {
        user,
        access_token,
        refresh_token,
    })
}

/// Re-hashes a verified password at the configured cost, off the request path.
fn upgrade_hash(state: &AppState, id: i64, password: Zeroizing<String>) {
    let pool = state.passwords.clone();
    let db = state.db.clone();
    tokio::spawn(async move {
        let Ok(Ok(hash)) = pool.hash(password).await else {
            return;
        };
        match db.update_password_hash(id, &hash).await {
            Ok(()) => tracing::debug!(user_id = id, "password hash upgraded"),
            Err(e) => tracing::debug!(user_id = id, error = %e, "password hash not upgraded"),
        }
    });
}
