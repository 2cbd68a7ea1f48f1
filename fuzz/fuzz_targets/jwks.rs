//! `KeySet::from_jwks_json` on any text.
//!
//! Properties checked besides "no panic": an accepted key set holds at most `MAX_JWKS_KEYS`
//! verification-only, asymmetric keys with unique kids; exporting it with `to_jwks_json` and
//! reading that back gives the same keys (kid and algorithm, in order); every error has a code
//! and a message.
#![no_main]

use authcore::tokens::{KeySet, MAX_JWKS_KEYS};
use libfuzzer_sys::fuzz_target;

fn summary(set: &KeySet) -> Vec<(Option<String>, authcore::tokens::Algorithm)> {
    set.keys()
        .iter()
        .map(|k| (k.kid().map(str::to_owned), k.algorithm()))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match KeySet::from_jwks_json(text) {
        Ok(set) => {
            assert!(set.keys().len() <= MAX_JWKS_KEYS);
            assert!(set.signing_key().is_none());
            for key in set.keys() {
                assert!(!key.can_sign(), "a JWKS never yields a signing key");
                assert!(key.is_asymmetric(), "a JWKS never yields an HMAC key");
                assert!(key.to_private_jwk().is_none());
            }
            let exported = set.to_jwks_json();
            let back = KeySet::from_jwks_json(&exported).expect("exported JWKS reads back");
            assert_eq!(summary(&set), summary(&back));
            assert_eq!(back.to_jwks_json(), exported, "export is stable");
        }
        Err(e) => assert!(!e.code().is_empty() && !e.to_string().is_empty()),
    }
});
