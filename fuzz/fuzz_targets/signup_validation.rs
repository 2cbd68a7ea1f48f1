//! `validate_signup` and `validate_signin` on any JSON value, plus the canonical keys of its strings.
//!
//! Properties checked besides "no panic": an accepted body is returned as sent (never trimmed or
//! rewritten); a signup accepted under the default rules is also a valid signin; accepted roles
//! are few, sorted and unique; every error has a code and a message.
#![no_main]

use authcore::identity::{email_key, username_key};
use authcore::validation::{SignupRules, validate_signin, validate_signup};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn field<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

fn check_signup(body: &Value, rules: &SignupRules) -> bool {
    match validate_signup(body, rules) {
        Ok(req) => {
            assert_eq!(field(body, "username"), Some(req.username.as_str()));
            assert_eq!(field(body, "email"), Some(req.email.as_str()));
            assert_eq!(field(body, "password"), Some(req.password.as_str()));
            assert!(!req.username.is_empty() && !req.password.is_empty());
            assert!(req.password.len() <= 72);
            if let Some(roles) = &req.roles {
                assert!(roles.len() <= authcore::validation::MAX_ROLES);
                assert!(
                    roles.windows(2).all(|w| w[0] < w[1]),
                    "roles sorted, unique"
                );
            }
            // Debug output must not leak the password.
            let debug = format!("{req:?}");
            assert!(!debug.contains(&format!("{:?}", req.password)));
            true
        }
        Err(e) => {
            assert!(!e.code().is_empty() && !e.to_string().is_empty());
            false
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let default_ok = check_signup(&body, &SignupRules::default());
    // Degenerate limits must not panic or overflow either.
    for rules in [
        SignupRules {
            username_min_chars: 0,
            username_max_chars: 0,
            email_max_chars: 0,
            password_min_chars: 0,
        },
        SignupRules {
            username_min_chars: usize::MAX,
            username_max_chars: usize::MAX,
            email_max_chars: usize::MAX,
            password_min_chars: usize::MAX,
        },
    ] {
        check_signup(&body, &rules);
    }
    match validate_signin(&body) {
        Ok(req) => {
            assert_eq!(field(&body, "username"), Some(req.username.as_str()));
            assert_eq!(field(&body, "password"), Some(req.password.as_str()));
        }
        Err(e) => {
            assert!(
                !default_ok,
                "default signup accepted but signin refused: {e}"
            );
            assert!(!e.code().is_empty() && !e.to_string().is_empty());
        }
    }
    for name in ["username", "email", "password"] {
        if let Some(s) = field(&body, name) {
            let key = username_key(s);
            assert_eq!(username_key(&key), key, "username_key is idempotent");
            let key = email_key(s);
            assert_eq!(email_key(&key), key, "email_key is idempotent");
        }
    }
});
