//! Why a service did not do what was asked. Every variant has a stable [`Failure::code`]; the
//! transport turns each into one answer of the contract (`transport::responses::failure`).

use std::time::Duration;

use crate::app::password_pool::PoolError;
use crate::store::StoreError;

/// The role a caller lacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    /// `/api/test/mod`.
    Moderator,
    /// `/api/test/admin` and the admin routes.
    Admin,
    /// Signup asking for moderator or admin.
    AdminToAssignRoles,
}

/// A refusal with one fixed answer in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Signup: the username is taken.
    UsernameTaken,
    /// Signup: the email is taken.
    EmailTaken,
    /// Signin with the right password of a disabled account.
    AccountDisabled,
    /// Signin with the right password of an unverified email (verification on).
    EmailNotVerified,
    /// Password change: the current password is wrong.
    WrongCurrentPassword,
    /// Password change: the body lacks `currentPassword`/`newPassword` strings.
    PasswordsRequired,
    /// Refresh: no usable `refreshToken`.
    RefreshTokenRequired,
    /// Refresh: unknown, malformed, reused or revoked token.
    RefreshTokenNotFound,
    /// Refresh: expired token.
    RefreshTokenExpired,
    /// Reset routes without SMTP settings.
    ResetNotConfigured,
    /// Forgot: no `email` string.
    EmailRequired,
    /// Reset: no `token`/`newPassword` strings.
    ResetFieldsRequired,
    /// Reset: unknown, used, replaced or expired token.
    ResetTokenInvalid,
    /// Verify-email while verification is off.
    VerificationNotEnabled,
    /// Verify-email: no `token` string.
    VerificationTokenRequired,
    /// Verify-email: unknown, used, replaced or expired token.
    VerificationTokenInvalid,
    /// Admin routes: no such user.
    UserNotFound,
    /// Admin: disabling one's own account.
    NoSelfDisable,
    /// Admin: deleting one's own account.
    NoSelfDelete,
    /// Admin: taking the admin role from one's own account.
    NoSelfDemote,
    /// Admin: the body is not `{"disabled": true|false}`.
    DisabledRequired,
}

impl Refusal {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::UsernameTaken => "username_taken",
            Refusal::EmailTaken => "email_taken",
            Refusal::AccountDisabled => "account_disabled",
            Refusal::EmailNotVerified => "email_not_verified",
            Refusal::WrongCurrentPassword => "wrong_current_password",
            Refusal::PasswordsRequired => "passwords_required",
            Refusal::RefreshTokenRequired => "refresh_token_required",
            Refusal::RefreshTokenNotFound => "refresh_token_not_found",
            Refusal::RefreshTokenExpired => "refresh_token_expired",
            Refusal::ResetNotConfigured => "reset_not_configured",
            Refusal::EmailRequired => "email_required",
            Refusal::ResetFieldsRequired => "reset_fields_required",
            Refusal::ResetTokenInvalid => "reset_token_invalid",
            Refusal::VerificationNotEnabled => "verification_not_enabled",
            Refusal::VerificationTokenRequired => "verification_token_required",
            Refusal::VerificationTokenInvalid => "verification_token_invalid",
            Refusal::UserNotFound => "user_not_found",
            Refusal::NoSelfDisable => "no_self_disable",
            Refusal::NoSelfDelete => "no_self_delete",
            Refusal::NoSelfDemote => "no_self_demote",
            Refusal::DisabledRequired => "disabled_required",
        }
    }
}

/// Why a service did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The input breaks a validation rule (the rule's message).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A refusal with a fixed answer.
    #[error("refused: {}", .0.code())]
    Refused(Refusal),
    /// No access token was presented.
    #[error("no token provided")]
    NoToken,
    /// The access token is bad, expired or revoked, or its account is gone or disabled.
    #[error("invalid token")]
    InvalidToken,
    /// The caller is authenticated but lacks a role.
    #[error("missing role")]
    MissingRole(Needed),
    /// Signin of an unknown username.
    #[error("unknown user")]
    UnknownUser,
    /// Signin with a wrong password.
    #[error("wrong password")]
    WrongPassword,
    /// A rate limit or the failed-signin slow-down refused the request.
    #[error("rate limited")]
    RateLimited {
        /// How long the client should wait.
        retry_after: Duration,
    },
    /// bcrypt could not run (queue full: retry later).
    #[error("password work: {0}")]
    Passwords(#[from] PoolError),
    /// The store could not answer (nothing was done).
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A server-side fault (logged where it happened).
    #[error("internal: {0}")]
    Internal(&'static str),
}

impl Failure {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Failure::Invalid(_) => "invalid",
            Failure::Refused(refusal) => refusal.code(),
            Failure::NoToken => "no_token",
            Failure::InvalidToken => "invalid_token",
            Failure::MissingRole(_) => "missing_role",
            Failure::UnknownUser => "unknown_user",
            Failure::WrongPassword => "wrong_password",
            Failure::RateLimited { .. } => "rate_limited",
            Failure::Passwords(e) => e.code(),
            Failure::Store(e) => e.code(),
            Failure::Internal(_) => "internal",
        }
    }
}

impl From<Refusal> for Failure {
    fn from(refusal: Refusal) -> Failure {
        Failure::Refused(refusal)
    }
}

impl From<crate::app::limits::Limited> for Failure {
    fn from(limited: crate::app::limits::Limited) -> Failure {
        Failure::RateLimited {
            retry_after: limited.retry_after,
        }
    }
}

impl From<crate::app::limits::Refused> for Failure {
    fn from(refused: crate::app::limits::Refused) -> Failure {
        match refused {
            crate::app::limits::Refused::Limited(limited) => limited.into(),
            crate::app::limits::Refused::Store(e) => Failure::Store(e),
        }
    }
}
