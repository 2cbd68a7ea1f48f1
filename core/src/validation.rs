//! Validation of the signup and signin request bodies.
//!
//! The seed validated nothing: empty or numeric usernames, invalid emails, non-string passwords and
//! `roles: "admin"` all reached the database (and several crashed the process). Here a body, already
//! parsed into a [`serde_json::Value`] (JSON, or form-urlencoded with `roles[]=x` turned into an
//! array), either becomes a typed request or fails with exactly one [`ValidationError`].
//!
//! Strings are kept as sent (never trimmed). What makes two usernames or emails the same account is
//! their canonical key, defined once in `identity` (feature `identity`).

use serde_json::{Map, Value};

use crate::roles::{Role, normalize_roles};

use ValidationError as E;

/// The most entries a signup `roles` array may have.
pub const MAX_ROLES: usize = 16;

/// The longest username, in chars, accepted at signin (the seed's `VARCHAR(255)` column).
pub const SIGNIN_USERNAME_MAX_CHARS: usize = 255;

/// The longest password, in UTF-8 bytes, accepted at signin before it reaches bcrypt.
pub const SIGNIN_PASSWORD_MAX_BYTES: usize = 1024;

/// bcrypt's limit; `passwords::MAX_PASSWORD_BYTES` (kept separate: this module never uses bcrypt).
const PASSWORD_MAX_BYTES: usize = 72;

/// How much of an unknown role name is echoed back in [`ValidationError::UnknownRole`].
const ROLE_ECHO_MAX_CHARS: usize = 64;

/// Limits applied to a signup body.
///
/// Usernames may contain only Unicode letters and digits (`char::is_alphanumeric`, so `üñí` is
/// allowed) and `_`, `.`, `-`; whitespace (including leading or trailing spaces), control
/// characters, punctuation and emoji are rejected. All lengths are counted in chars, except the
/// password's upper bound, which is bcrypt's 72 UTF-8 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupRules {
    /// Shortest username, in chars (default 3; an empty username is always rejected).
    pub username_min_chars: usize,
    /// Longest username, in chars (default 64).
    pub username_max_chars: usize,
    /// Longest email address, in chars (default 254).
    pub email_max_chars: usize,
    /// Shortest password, in chars (default 6, so that existing front-ends requiring 6 keep working;
    /// an empty password is always rejected).
    pub password_min_chars: usize,
}

impl Default for SignupRules {
    /// Username 3..=64 chars, email ≤ 254 chars, password ≥ 6 chars.
    fn default() -> Self {
        SignupRules {
            username_min_chars: 3,
            username_max_chars: 64,
            email_max_chars: 254,
            password_min_chars: 6,
        }
    }
}

/// A signup body that passed validation.
#[derive(Clone, PartialEq, Eq)]
pub struct SignupRequest {
    /// The username as sent.
    pub username: String,
    /// The email address as sent.
    pub email: String,
    /// The plaintext password as sent.
    pub password: String,
    /// The requested roles in id order without duplicates; `None` when `roles` was absent or null.
    /// `Some(vec![])` for `[]`: the caller decides what an empty list means.
    pub roles: Option<Vec<Role>>,
}

impl std::fmt::Debug for SignupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignupRequest")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("password", &"<redacted>")
            .field("roles", &self.roles)
            .finish()
    }
}

/// A signin body that passed validation.
#[derive(Clone, PartialEq, Eq)]
pub struct SigninRequest {
    /// The username as sent.
    pub username: String,
    /// The plaintext password as sent.
    pub password: String,
}

impl std::fmt::Debug for SigninRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigninRequest")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Why a signup or signin body was rejected; the Display text is meant for a 400 `{"message": …}`.
///
/// | variant | code |
/// |---|---|
/// | [`BodyNotObject`](Self::BodyNotObject) | `body_not_object` |
/// | [`UsernameMissing`](Self::UsernameMissing) | `username_missing` |
/// | [`UsernameNotString`](Self::UsernameNotString) | `username_not_string` |
/// | [`UsernameTooShort`](Self::UsernameTooShort) | `username_too_short` |
/// | [`UsernameTooLong`](Self::UsernameTooLong) | `username_too_long` |
/// | [`UsernameInvalidChars`](Self::UsernameInvalidChars) | `username_invalid_chars` |
/// | [`EmailMissing`](Self::EmailMissing) | `email_missing` |
/// | [`EmailNotString`](Self::EmailNotString) | `email_not_string` |
/// | [`EmailTooLong`](Self::EmailTooLong) | `email_too_long` |
/// | [`EmailInvalid`](Self::EmailInvalid) | `email_invalid` |
/// | [`PasswordMissing`](Self::PasswordMissing) | `password_missing` |
/// | [`PasswordNotString`](Self::PasswordNotString) | `password_not_string` |
/// | [`PasswordTooShort`](Self::PasswordTooShort) | `password_too_short` |
/// | [`PasswordTooLong`](Self::PasswordTooLong) | `password_too_long` |
/// | [`RolesNotArray`](Self::RolesNotArray) | `roles_not_array` |
/// | [`RoleNotString`](Self::RoleNotString) | `role_not_string` |
/// | [`UnknownRole`](Self::UnknownRole) | `unknown_role` |
/// | [`TooManyRoles`](Self::TooManyRoles) | `too_many_roles` |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// The body is not a JSON object.
    #[error("Request body must be a JSON object.")]
    BodyNotObject,
    /// `username` is absent or null.
    #[error("Username is required.")]
    UsernameMissing,
    /// `username` is not a string (a number, array, object or boolean).
    #[error("Username must be a string.")]
    UsernameNotString,
    /// `username` has fewer chars than allowed (including the empty string).
    #[error("Username must be at least {min} {}.", chars(*.min))]
    UsernameTooShort {
        /// The minimum, in chars.
        min: usize,
    },
    /// `username` has more chars than allowed.
    #[error("Username must be at most {max} {}.", chars(*.max))]
    UsernameTooLong {
        /// The maximum, in chars.
        max: usize,
    },
    /// `username` contains something other than letters, digits, `_`, `.` and `-`.
    #[error("Username may only contain letters, digits, '_', '.' and '-'.")]
    UsernameInvalidChars,
    /// `email` is absent or null.
    #[error("Email is required.")]
    EmailMissing,
    /// `email` is not a string.
    #[error("Email must be a string.")]
    EmailNotString,
    /// `email` has more chars than allowed.
    #[error("Email must be at most {max} {}.", chars(*.max))]
    EmailTooLong {
        /// The maximum, in chars.
        max: usize,
    },
    /// `email` is not a syntactically valid address (including the empty string).
    #[error("Email is not a valid email address.")]
    EmailInvalid,
    /// `password` is absent or null.
    #[error("Password is required.")]
    PasswordMissing,
    /// `password` is not a string.
    #[error("Password must be a string.")]
    PasswordNotString,
    /// `password` has fewer chars than allowed (including the empty string).
    #[error("Password must be at least {min} {}.", chars(*.min))]
    PasswordTooShort {
        /// The minimum, in chars.
        min: usize,
    },
    /// `password` is longer than allowed, in UTF-8 bytes.
    #[error("Password must be at most {max_bytes} bytes long.")]
    PasswordTooLong {
        /// The maximum, in UTF-8 bytes.
        max_bytes: usize,
    },
    /// `roles` is present but not an array (a string, number, boolean or object).
    #[error("Roles must be an array of role names.")]
    RolesNotArray,
    /// An entry of `roles` is not a string.
    #[error("Each role must be a string.")]
    RoleNotString,
    /// An entry of `roles` names no role (case-sensitive). Holds the name as sent, cut to 64 chars.
    #[error("Failed! Role does not exist = {0}")]
    UnknownRole(String),
    /// `roles` has more entries than allowed.
    #[error("At most {max} roles may be given.")]
    TooManyRoles {
        /// The maximum number of entries.
        max: usize,
    },
}

/// "character" or "characters", for the messages above.
fn chars(n: usize) -> &'static str {
    if n == 1 { "character" } else { "characters" }
}

impl ValidationError {
    /// The stable snake_case code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ValidationError::BodyNotObject => "body_not_object",
            ValidationError::UsernameMissing => "username_missing",
            ValidationError::UsernameNotString => "username_not_string",
            ValidationError::UsernameTooShort { .. } => "username_too_short",
            ValidationError::UsernameTooLong { .. } => "username_too_long",
            ValidationError::UsernameInvalidChars => "username_invalid_chars",
            ValidationError::EmailMissing => "email_missing",
            ValidationError::EmailNotString => "email_not_string",
            ValidationError::EmailTooLong { .. } => "email_too_long",
            ValidationError::EmailInvalid => "email_invalid",
            ValidationError::PasswordMissing => "password_missing",
            ValidationError::PasswordNotString => "password_not_string",
            ValidationError::PasswordTooShort { .. } => "password_too_short",
            ValidationError::PasswordTooLong { .. } => "password_too_long",
            ValidationError::RolesNotArray => "roles_not_array",
            ValidationError::RoleNotString => "role_not_string",
            ValidationError::UnknownRole(_) => "unknown_role",
            ValidationError::TooManyRoles { .. } => "too_many_roles",
        }
    }
}

/// The three string fields of the bodies, with the errors for their absence and wrong type.
#[derive(Clone, Copy)]
enum Field {
    Username,
    Email,
    Password,
}

impl Field {
    /// The field's string; absent or null is `*Missing`, any other JSON type `*NotString`.
    fn get(self, obj: &Map<String, Value>) -> Result<&str, ValidationError> {
        let (key, missing, not_string) = match self {
            Field::Username => ("username", E::UsernameMissing, E::UsernameNotString),
            Field::Email => ("email", E::EmailMissing, E::EmailNotString),
            Field::Password => ("password", E::PasswordMissing, E::PasswordNotString),
        };
        match obj.get(key) {
            None | Some(Value::Null) => Err(missing),
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(not_string),
        }
    }
}

/// Whether `s` has more than `max` chars, without counting past `max + 1`.
fn longer_than(s: &str, max: usize) -> bool {
    s.len() > max && s.chars().nth(max).is_some()
}

/// Whether `s` has fewer than `min` chars.
fn shorter_than(s: &str, min: usize) -> bool {
    min > 0 && s.chars().nth(min - 1).is_none()
}

fn is_username_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// One `@`; a local part without whitespace or control chars; a dotted domain of letter/digit/hyphen
/// labels, none empty and none starting or ending with `-`.
fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    if local.is_empty()
        || domain.contains('@')
        || local.chars().any(|c| c.is_whitespace() || c.is_control())
        || !domain.contains('.')
    {
        return false;
    }
    domain.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    })
}

fn validate_roles(value: Option<&Value>) -> Result<Option<Vec<Role>>, ValidationError> {
    let entries = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(E::RolesNotArray),
    };
    if entries.len() > MAX_ROLES {
        return Err(E::TooManyRoles { max: MAX_ROLES });
    }
    let mut roles = Vec::with_capacity(entries.len());
    for entry in entries {
        let Value::String(name) = entry else {
            return Err(E::RoleNotString);
        };
        let Some(role) = Role::from_name(name) else {
            let echoed = match name.char_indices().nth(ROLE_ECHO_MAX_CHARS) {
                Some((cut, _)) => format!("{}…", &name[..cut]),
                None => name.clone(),
            };
            return Err(E::UnknownRole(echoed));
        };
        roles.push(role);
    }
    Ok(Some(normalize_roles(&roles)))
}

/// Validates a signup body: `username`, then `email`, then `password`, then the optional `roles`.
///
/// Unknown fields are ignored. A JSON null counts as absent. Role names are matched
/// case-sensitively (`ADMIN` is unknown), as the seed did.
pub fn validate_signup(
    body: &Value,
    rules: &SignupRules,
) -> Result<SignupRequest, ValidationError> {
    let Value::Object(obj) = body else {
        return Err(E::BodyNotObject);
    };

    let username = Field::Username.get(obj)?;
    let (min, max) = (rules.username_min_chars.max(1), rules.username_max_chars);
    if shorter_than(username, min) {
        return Err(E::UsernameTooShort { min });
    }
    if longer_than(username, max) {
        return Err(E::UsernameTooLong { max });
    }
    if !username.chars().all(is_username_char) {
        return Err(E::UsernameInvalidChars);
    }

    let email = Field::Email.get(obj)?;
    let max = rules.email_max_chars;
    if longer_than(email, max) {
        return Err(E::EmailTooLong { max });
    }
    if !is_valid_email(email) {
        return Err(E::EmailInvalid);
    }

    let password = Field::Password.get(obj)?;
    validate_new_password(password, rules)?;

    let roles = validate_roles(obj.get("roles"))?;

    Ok(SignupRequest {
        username: username.to_owned(),
        email: email.to_owned(),
        password: password.to_owned(),
        roles,
    })
}

/// Checks a new password (at signup, password change or reset) against the signup rules: at
/// least `password_min_chars` chars (and never empty), at most bcrypt's 72 UTF-8 bytes.
pub fn validate_new_password(password: &str, rules: &SignupRules) -> Result<(), ValidationError> {
    let (min, max_bytes) = (rules.password_min_chars.max(1), PASSWORD_MAX_BYTES);
    if shorter_than(password, min) {
        return Err(E::PasswordTooShort { min });
    }
    if password.len() > max_bytes {
        return Err(E::PasswordTooLong { max_bytes });
    }
    Ok(())
}

/// Validates a signin body: a non-empty string `username` of at most 255 chars and a non-empty
/// string `password` of at most 1024 bytes.
///
/// The signup character and length rules are not applied (accounts created by the seed must still
/// sign in), nor is bcrypt's 72-byte limit, which `passwords::verify` enforces. A username given as
/// an array, which made the seed log in as the first match, is [`ValidationError::UsernameNotString`].
pub fn validate_signin(body: &Value) -> Result<SigninRequest, ValidationError> {
    let Value::Object(obj) = body else {
        return Err(E::BodyNotObject);
    };

    let username = Field::Username.get(obj)?;
    if username.is_empty() {
        return Err(E::UsernameTooShort { min: 1 });
    }
    let max = SIGNIN_USERNAME_MAX_CHARS;
    if longer_than(username, max) {
        return Err(E::UsernameTooLong { max });
    }

    let password = Field::Password.get(obj)?;
    if password.is_empty() {
        return Err(E::PasswordTooShort { min: 1 });
    }
    let max_bytes = SIGNIN_PASSWORD_MAX_BYTES;
    if password.len() > max_bytes {
        return Err(E::PasswordTooLong { max_bytes });
    }

    Ok(SigninRequest {
        username: username.to_owned(),
        password: password.to_owned(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The seed's fixture user, valid under the default rules.
    fn valid() -> Value {
        json!({"username": "zkoder", "email": "user@bezkoder.com", "password": "12345678"})
    }

    /// A valid body with `key` set to `value`, or removed when `value` is `None`.
    fn with(key: &str, value: Option<Value>) -> Value {
        let mut body = valid();
        let obj = body.as_object_mut().unwrap();
        match value {
            Some(v) => obj.insert(key.to_owned(), v),
            None => obj.remove(key),
        };
        body
    }

    fn signup(key: &str, value: Value) -> Result<SignupRequest, ValidationError> {
        validate_signup(&with(key, Some(value)), &SignupRules::default())
    }

    fn err(key: &str, value: Value) -> ValidationError {
        signup(key, value).unwrap_err()
    }

    fn err_without(key: &str) -> ValidationError {
        validate_signup(&with(key, None), &SignupRules::default()).unwrap_err()
    }

    fn signin_err(body: Value) -> ValidationError {
        validate_signin(&body).unwrap_err()
    }

    #[test]
    fn valid_signup_parses_as_sent_with_no_roles() {
        let req = validate_signup(&valid(), &SignupRules::default()).unwrap();
        assert_eq!(req.username, "zkoder");
        assert_eq!(req.email, "user@bezkoder.com");
        assert_eq!(req.password, "12345678");
        assert_eq!(req.roles, None);
    }

    #[test]
    fn non_object_bodies_are_body_not_object() {
        for body in [json!(null), json!([]), json!("x"), json!(1), json!(true)] {
            let e = validate_signup(&body, &SignupRules::default()).unwrap_err();
            assert_eq!(e, E::BodyNotObject);
            assert_eq!(signin_err(body).code(), "body_not_object");
        }
    }

    #[test]
    fn checks_run_username_then_email_then_password_then_roles() {
        let rules = SignupRules::default();
        let body = json!({"username": 1, "email": 1, "password": 1, "roles": 1});
        assert_eq!(validate_signup(&body, &rules), Err(E::UsernameNotString));
        let body = json!({"username": "zkoder", "email": 1, "password": 1, "roles": 1});
        assert_eq!(validate_signup(&body, &rules), Err(E::EmailNotString));
        let body = json!({"username": "zkoder", "email": "a@b.co", "password": 1, "roles": 1});
        assert_eq!(validate_signup(&body, &rules), Err(E::PasswordNotString));
        assert_eq!(validate_signup(&json!({}), &rules), Err(E::UsernameMissing));
    }

    #[test]
    fn absent_or_null_fields_are_missing() {
        assert_eq!(err_without("username"), E::UsernameMissing);
        assert_eq!(err("username", json!(null)), E::UsernameMissing);
        assert_eq!(err_without("email"), E::EmailMissing);
        assert_eq!(err("email", json!(null)), E::EmailMissing);
        assert_eq!(err_without("password"), E::PasswordMissing);
        assert_eq!(err("password", json!(null)), E::PasswordMissing);
    }

    #[test]
    fn numbers_arrays_objects_and_bools_are_not_strings() {
        for v in [json!(123), json!(["a", "b"]), json!({"a": 1}), json!(true)] {
            assert_eq!(err("username", v.clone()), E::UsernameNotString);
            assert_eq!(err("email", v.clone()), E::EmailNotString);
            assert_eq!(err("password", v), E::PasswordNotString);
        }
    }

    #[test]
    fn empty_or_two_char_username_is_too_short() {
        for name in ["", "ab"] {
            assert_eq!(err("username", json!(name)), E::UsernameTooShort { min: 3 });
        }
        let msg = E::UsernameTooShort { min: 3 }.to_string();
        assert_eq!(msg, "Username must be at least 3 characters.");
        assert!(signup("username", json!("mod")).is_ok());
    }

    #[test]
    fn username_over_64_chars_counted_as_chars_is_too_long() {
        assert!(signup("username", json!("ü".repeat(64))).is_ok());
        let e = err("username", json!("ü".repeat(65)));
        assert_eq!(e, E::UsernameTooLong { max: 64 });
        assert_eq!(e.code(), "username_too_long");
    }

    #[test]
    fn unicode_letters_digits_and_underscore_dot_hyphen_are_allowed_in_usernames() {
        for name in ["üñí", "Zoë_O.Neil-2", "пользователь", "用户名", "١٢٣"] {
            assert!(signup("username", json!(name)).is_ok(), "{name}");
        }
    }

    #[test]
    fn whitespace_controls_punctuation_and_emoji_are_invalid_username_chars() {
        for name in [
            "zkoder ", " zkoder", "z koder", "zk\tder", "zk\u{0}d", "a@b.c", "ab😀",
        ] {
            let e = err("username", json!(name));
            assert_eq!(e, E::UsernameInvalidChars, "{name:?}");
            assert_eq!(e.code(), "username_invalid_chars");
        }
    }

    #[test]
    fn email_over_254_chars_is_too_long() {
        let domain = "@example.com";
        assert!(signup("email", json!("a".repeat(254 - domain.len()) + domain)).is_ok());
        let long = "a".repeat(255 - domain.len()) + domain;
        assert_eq!(err("email", json!(long)), E::EmailTooLong { max: 254 });
    }

    #[test]
    fn malformed_emails_are_invalid() {
        let bad = concat!(
            "|plain|@x.com|a@|a@b|a@@b.com|a@b@c.com|a b@c.com| a@b.com|a@b.com |a@-b.com|a@b-.com",
            "|a@.b.com|a@b.com.|a@b..com|a@b_c.com|a\u{7}@b.com",
        );
        for email in bad.split('|') {
            assert_eq!(err("email", json!(email)), E::EmailInvalid, "{email:?}");
        }
    }

    #[test]
    fn pragmatic_emails_are_accepted() {
        for email in [
            "user@bezkoder.com",
            "first.last+tag@mail.example.co.uk",
            "x@münchen.de",
        ] {
            assert!(signup("email", json!(email)).is_ok(), "{email}");
        }
    }

    #[test]
    fn password_under_6_chars_is_too_short_and_6_is_enough() {
        for pw in ["", "12345"] {
            assert_eq!(err("password", json!(pw)), E::PasswordTooShort { min: 6 });
        }
        assert!(signup("password", json!("123456")).is_ok());
    }

    #[test]
    fn password_over_72_bytes_is_too_long_at_signup() {
        assert!(signup("password", json!("p".repeat(72))).is_ok());
        let e = err("password", json!("€".repeat(25)));
        assert_eq!(e, E::PasswordTooLong { max_bytes: 72 });
        assert_eq!(e.to_string(), "Password must be at most 72 bytes long.");
    }

    #[test]
    fn zero_minimums_still_reject_empty_strings() {
        let rules = SignupRules {
            username_min_chars: 0,
            password_min_chars: 0,
            ..SignupRules::default()
        };
        let e = validate_signup(&with("username", Some(json!(""))), &rules);
        assert_eq!(e, Err(E::UsernameTooShort { min: 1 }));
        let e = validate_signup(&with("password", Some(json!(""))), &rules);
        assert_eq!(e, Err(E::PasswordTooShort { min: 1 }));
        let msg = E::PasswordTooShort { min: 1 }.to_string();
        assert_eq!(msg, "Password must be at least 1 character.");
    }

    #[test]
    fn roles_are_deduplicated_into_id_order() {
        let roles = |v| signup("roles", v).unwrap().roles;
        let want = vec![Role::User, Role::Moderator];
        assert_eq!(roles(json!(["moderator", "user"])), Some(want));
        let want = vec![Role::User, Role::Admin];
        assert_eq!(roles(json!(["admin", "admin", "user"])), Some(want));
    }

    #[test]
    fn null_roles_are_none_and_empty_roles_are_some_empty() {
        assert_eq!(signup("roles", json!(null)).unwrap().roles, None);
        assert_eq!(signup("roles", json!([])).unwrap().roles, Some(vec![]));
    }

    #[test]
    fn string_number_bool_or_object_roles_are_not_an_array() {
        for v in [json!("admin"), json!(1), json!(true), json!({"length": 0})] {
            assert_eq!(err("roles", v), E::RolesNotArray);
        }
    }

    #[test]
    fn non_string_role_entry_is_rejected() {
        assert_eq!(err("roles", json!(["user", 1])), E::RoleNotString);
        assert_eq!(err("roles", json!([null])).code(), "role_not_string");
    }

    #[test]
    fn unknown_role_message_matches_the_seed_exactly() {
        let e = err("roles", json!(["superuser"]));
        assert_eq!(e.to_string(), "Failed! Role does not exist = superuser");
        assert_eq!(e.code(), "unknown_role");
        let e = err("roles", json!(["user", "superuser"]));
        assert_eq!(e, E::UnknownRole("superuser".into()));
    }

    #[test]
    fn role_names_are_case_sensitive() {
        let e = err("roles", json!(["ADMIN"]));
        assert_eq!(e.to_string(), "Failed! Role does not exist = ADMIN");
    }

    #[test]
    fn huge_unknown_role_name_is_echoed_cut_to_64_chars() {
        let e = err("roles", json!(["r".repeat(100_000)]));
        assert_eq!(e, E::UnknownRole(format!("{}…", "r".repeat(64))));
    }

    #[test]
    fn more_than_16_roles_are_too_many() {
        assert!(signup("roles", json!(vec!["user"; 16])).is_ok());
        let e = err("roles", json!(vec!["user"; 17]));
        assert_eq!(e, E::TooManyRoles { max: MAX_ROLES });
        assert_eq!(e.code(), "too_many_roles");
    }

    #[test]
    fn huge_strings_are_rejected_without_panicking() {
        let huge = "é".repeat(1_000_000);
        assert_eq!(err("username", json!(huge)).code(), "username_too_long");
        assert_eq!(err("email", json!(huge)).code(), "email_too_long");
        assert_eq!(err("password", json!(huge)).code(), "password_too_long");
        let e = signin_err(json!({"username": huge, "password": "x"}));
        assert_eq!(e.code(), "username_too_long");
        let e = signin_err(json!({"username": "zkoder", "password": huge}));
        assert_eq!(e.code(), "password_too_long");
    }

    #[test]
    fn signin_accepts_any_non_empty_strings_without_signup_rules() {
        let req = validate_signin(&json!({"username": "ZKoder ", "password": "12"})).unwrap();
        assert_eq!(
            (req.username, req.password),
            ("ZKoder ".into(), "12".into())
        );
    }

    #[test]
    fn signin_rejects_missing_non_string_and_empty_fields() {
        let cases = [
            (json!(null), json!("x"), E::UsernameMissing),
            (json!(["ghost", "zkoder"]), json!("x"), E::UsernameNotString),
            (json!(""), json!("x"), E::UsernameTooShort { min: 1 }),
            (json!("zkoder"), json!(null), E::PasswordMissing),
            (json!("zkoder"), json!(12345678), E::PasswordNotString),
            (json!("zkoder"), json!(""), E::PasswordTooShort { min: 1 }),
        ];
        for (username, password, want) in cases {
            let body = json!({"username": username, "password": password});
            assert_eq!(validate_signin(&body), Err(want), "{body}");
        }
        assert_eq!(signin_err(json!({})), E::UsernameMissing);
        assert_eq!(signin_err(json!({"username": "z"})), E::PasswordMissing);
    }

    #[test]
    fn signin_bounds_username_at_255_chars_and_password_at_1024_bytes() {
        let (user, pw) = ("u".repeat(255), "p".repeat(1024));
        assert!(validate_signin(&json!({"username": user, "password": pw})).is_ok());
        let e = signin_err(json!({"username": user + "u", "password": "p"}));
        assert_eq!(e, E::UsernameTooLong { max: 255 });
        let e = signin_err(json!({"username": "u", "password": pw + "p"}));
        assert_eq!(e, E::PasswordTooLong { max_bytes: 1024 });
    }

    #[test]
    fn debug_output_redacts_passwords() {
        let req = validate_signup(&valid(), &SignupRules::default()).unwrap();
        assert!(!format!("{req:?}").contains("12345678"));
        let req = validate_signin(&valid()).unwrap();
        assert!(!format!("{req:?}").contains("12345678"));
    }

    #[test]
    fn every_error_has_a_distinct_code_and_a_message() {
        let all = [
            E::BodyNotObject,
            E::UsernameMissing,
            E::UsernameNotString,
            E::UsernameTooShort { min: 3 },
            E::UsernameTooLong { max: 64 },
            E::UsernameInvalidChars,
            E::EmailMissing,
            E::EmailNotString,
            E::EmailTooLong { max: 254 },
            E::EmailInvalid,
            E::PasswordMissing,
            E::PasswordNotString,
            E::PasswordTooShort { min: 6 },
            E::PasswordTooLong { max_bytes: 72 },
            E::RolesNotArray,
            E::RoleNotString,
            E::UnknownRole("x".into()),
            E::TooManyRoles { max: 16 },
        ];
        let mut codes: Vec<_> = all.iter().map(E::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert!(all.iter().all(|e| !e.to_string().is_empty()));
    }

    #[cfg(feature = "passwords")]
    #[test]
    fn signup_password_limit_matches_bcrypt() {
        assert_eq!(PASSWORD_MAX_BYTES, crate::passwords::MAX_PASSWORD_BYTES);
    }
}
