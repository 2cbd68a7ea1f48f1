//! The canonical forms of usernames and emails: one account, one key.
//!
//! Every spelling that reaches an account reaches it through its key, and stores keep keys unique,
//! so lookups, uniqueness and per-account limits all agree on what "the same user" means — on any
//! database and whatever its collation.
//!
//! - [`username_key`]: the PRECIS `UsernameCaseMapped` profile (RFC 8265 §3.3) after trimming
//!   surrounding whitespace: width mapping (fullwidth `ｂｏｂ` → `bob`), Unicode lowercase, NFC.
//!   Accents are kept (`bób` ≠ `bob`), as the profile says. The key applies the profile's
//!   mapping rules to every string, including those its validity rules would reject (spaces
//!   inside, symbols, a failed bidi rule such as `١٢٣`): such names were accepted by the seed or
//!   by signup, and must still have a key. For every string the profile accepts, the key equals
//!   the profile's enforcement output.
//! - [`email_key`]: surrounding whitespace trimmed, Unicode lowercase, NFC. The whole address is
//!   lowercased, local part included, as the seed's case-insensitive collation compared it.

use std::borrow::Cow;

use precis_core::profile::Rules;
use precis_profiles::UsernameCaseMapped;
use unicode_normalization::UnicodeNormalization;

/// The key of a username: trimmed, then PRECIS `UsernameCaseMapped` width mapping, case
/// mapping and NFC. Idempotent; never fails.
pub fn username_key(username: &str) -> String {
    let profile = UsernameCaseMapped::new();
    let trimmed = username.trim();
    let widened = profile
        .width_mapping_rule(trimmed)
        .unwrap_or(Cow::Borrowed(trimmed));
    // Width mapping can turn U+3000 IDEOGRAPHIC SPACE into a space: trim again.
    let narrowed = widened.trim();
    let lower = profile
        .case_mapping_rule(narrowed)
        .unwrap_or_else(|_| Cow::Owned(narrowed.to_lowercase()));
    match profile.normalization_rule(lower.as_ref()) {
        Ok(key) => key.into_owned(),
        Err(_) => lower.nfc().collect(),
    }
}

/// Whether `username` is valid under PRECIS `UsernameCaseMapped` as it is (a diagnostic; keys
/// do not depend on it).
pub fn is_precis_username(username: &str) -> bool {
    use precis_core::profile::PrecisFastInvocation;
    <UsernameCaseMapped as PrecisFastInvocation>::enforce(username).is_ok()
}

/// The key of an email address: trimmed, Unicode lowercase, NFC. Idempotent; never fails.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase().nfc().collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use precis_core::profile::PrecisFastInvocation;

    #[test]
    fn case_and_surrounding_whitespace_share_the_username_key() {
        for spelling in ["bob", "Bob", "BOB", "bob ", " bob", "bob\t", "\u{3000}bob"] {
            assert_eq!(username_key(spelling), "bob", "{spelling:?}");
        }
    }

    #[test]
    fn fullwidth_letters_map_to_their_narrow_forms() {
        assert_eq!(username_key("ｂｏｂ"), "bob");
        assert_eq!(username_key("ＢＯＢ"), "bob");
    }

    #[test]
    fn accents_are_kept_and_composed() {
        assert_eq!(username_key("bób"), "bób");
        assert_eq!(username_key("BÓB"), "bób");
        // Decomposed o + U+0301 is the same key as the precomposed ó.
        assert_eq!(username_key("bo\u{301}b"), "bób");
        assert_ne!(username_key("bób"), username_key("bob"));
        assert_ne!(username_key("BÖB"), username_key("bòb"));
    }

    #[test]
    fn keys_equal_precis_enforcement_where_the_profile_accepts_the_name() {
        for name in [
            "zkoder",
            "ZKoder",
            "Zoë_O.Neil-2",
            "ÜÑÍ",
            "пользователь",
            "用户名",
            "juliet@example.com",
            "fußball",
            "ｂｏｂ",
            "π",
            "Σ",
        ] {
            let precis = UsernameCaseMapped::enforce(name).unwrap();
            assert_eq!(username_key(name), precis, "{name}");
            assert!(is_precis_username(name), "{name}");
        }
    }

    #[test]
    fn names_the_profile_rejects_still_get_a_mapped_key() {
        assert!(!is_precis_username("١٢٣"));
        assert_eq!(username_key("١٢٣"), "١٢٣");
        assert!(!is_precis_username("John Doe"));
        assert_eq!(username_key("John Doe"), "john doe");
        assert_eq!(username_key("ÜÑÍ😀"), "üñí😀");
        assert_eq!(username_key("   "), "");
    }

    #[test]
    fn username_keys_are_idempotent() {
        for name in [
            "bob",
            "BÓB",
            "ｂｏｂ",
            "İstanbul",
            "ǅemal",
            "ΣΑΣ",
            "ß",
            "ﬁx",
            "١٢٣",
            " A b ",
        ] {
            let key = username_key(name);
            assert_eq!(username_key(&key), key, "{name}");
        }
    }

    #[test]
    fn keys_are_idempotent_around_every_assigned_plane() {
        // Planes 0-3 (every script, symbol and CJK block) and 14 (tags, variation selectors);
        // 4-13 are unassigned and 15-16 private use.
        let scalars = (0..0x40000u32).chain(0xE0000..0xF0000);
        let mut broken = Vec::new();
        for c in scalars.filter_map(char::from_u32) {
            let s = format!("{c}A\u{301}{c}");
            let key = username_key(&s);
            if username_key(&key) != key || email_key(&email_key(&s)) != email_key(&s) {
                broken.push(c);
            }
        }
        assert!(broken.is_empty(), "{broken:?}");
    }

    #[test]
    fn email_key_trims_lowercases_and_composes() {
        assert_eq!(email_key(" User@BezKoder.COM "), "user@bezkoder.com");
        assert_eq!(email_key("JOSE\u{301}@x.com"), "josé@x.com");
        assert_eq!(email_key("x@MÜNCHEN.de"), "x@münchen.de");
        let key = email_key("Ä@B.COM");
        assert_eq!(email_key(&key), key);
    }
}
