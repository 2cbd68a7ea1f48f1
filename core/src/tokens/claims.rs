//! The claims authcore reads and writes: the seed's `{"id", "iat", "exp"}` plus optional `roles`
//! and the registered claims of RFC 7519.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::json::Loose;
use crate::roles::Role;

/// A token's claims. Field order is the serialization order, which matches Node's `jsonwebtoken`
/// for the seed's payload (`{"id":1,"iat":…,"exp":…}`), so both mint byte-identical tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The seed's user id (`users.id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Role names (`user`, `moderator`, `admin`); absent in seed tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Issued at (seconds since the epoch).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date"
    )]
    pub iat: Option<i64>,
    /// Not before.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date_up"
    )]
    pub nbf: Option<i64>,
    /// Expiry.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "numeric_date"
    )]
    pub exp: Option<i64>,
    /// Audience: one string or an array of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    /// Issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Token id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// The `aud` claim: a single string or an array of strings (RFC 7519 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Audience {
    /// One audience.
    One(String),
    /// Several audiences.
    Many(Vec<String>),
}

/// Reads `aud` as `#[serde(untagged)]` on this enum would: the value is parsed whole, then taken as
/// a string, else as an array of strings, else refused with untagged's message. Without serde's
/// buffered `Content` machinery, which is large in a WebAssembly build.
impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Audience, D::Error> {
        Audience::from_loose(Loose::deserialize(d)?).ok_or_else(no_audience_variant)
    }
}

impl Audience {
    /// `aud` from its parsed value: a string, or an array of strings; `None` for anything else.
    pub(crate) fn from_loose(value: Loose) -> Option<Audience> {
        match value {
            Loose::Str(one) => Some(Audience::One(one)),
            Loose::List(items) => items
                .into_iter()
                .map(|item| match item {
                    Loose::Str(s) => Some(s),
                    _ => None,
                })
                .collect::<Option<Vec<String>>>()
                .map(Audience::Many),
            _ => None,
        }
    }
}

fn no_audience_variant<E: de::Error>() -> E {
    E::custom("data did not match any variant of untagged enum Audience")
}

impl Audience {
    /// Whether `name` is one of the audiences.
    pub fn contains(&self, name: &str) -> bool {
        match self {
            Audience::One(a) => a == name,
            Audience::Many(all) => all.iter().any(|a| a == name),
        }
    }
}

impl Claims {
    /// The seed's access-token claims for `user_id`, issued at `now`, valid `lifetime_seconds`.
    pub fn for_user(user_id: i64, now: i64, lifetime_seconds: i64) -> Claims {
        Claims {
            id: Some(user_id),
            iat: Some(now),
            exp: Some(now.saturating_add(lifetime_seconds)),
            ..Claims::default()
        }
    }

    /// The same claims carrying `roles` by name.
    pub fn with_roles(mut self, roles: &[Role]) -> Claims {
        self.roles = Some(
            crate::roles::normalize_roles(roles)
                .into_iter()
                .map(|r| r.name().to_owned())
                .collect(),
        );
        self
    }

    /// The user id: `id`, or else `sub` when it is a decimal integer.
    pub fn user_id(&self) -> Option<i64> {
        self.id.or_else(|| self.sub.as_deref().and_then(parse_i64))
    }

    /// The known roles named in `roles` (unknown names are ignored).
    pub fn known_roles(&self) -> Vec<Role> {
        let mut roles: Vec<Role> = self
            .roles
            .iter()
            .flatten()
            .filter_map(|n| Role::from_name(n))
            .collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// Whether `roles` names `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().flatten().any(|r| r == role)
    }

    /// Whether the token is expired at `now`, allowing `leeway` seconds (`false` without `exp`).
    pub fn is_expired_at(&self, now: i64, leeway: u64) -> bool {
        self.exp
            .is_some_and(|exp| now >= exp.saturating_add(leeway_i64(leeway)))
    }

    /// Seconds until `exp` at `now` (negative once expired); `None` without `exp`.
    pub fn seconds_left(&self, now: i64) -> Option<i64> {
        self.exp.map(|exp| exp.saturating_sub(now))
    }
}

/// `text.parse::<i64>().ok()`: an optional `+` or `-`, then one or more ASCII digits, in range.
/// Written out: core's generic integer parser is several times larger in the WebAssembly build.
#[inline(never)]
fn parse_i64(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let digit = i64::from(d - b'0');
        n = n.checked_mul(10)?;
        n = if negative {
            n.checked_sub(digit)?
        } else {
            n.checked_add(digit)?
        };
    }
    Some(n)
}

pub(crate) fn leeway_i64(leeway: u64) -> i64 {
    i64::try_from(leeway).unwrap_or(i64::MAX)
}

/// Reads a NumericDate rounded down (`exp`, `iat`): any JSON number, clamped to the i64 range.
/// `null` is a type error, not an absent claim.
fn numeric_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(NumericDate { round_up: false })
}

/// Reads a NumericDate rounded up (`nbf`), so a fractional `nbf` is never honoured early.
fn numeric_date_up<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(NumericDate { round_up: true })
}

struct NumericDate {
    round_up: bool,
}

impl<'de> Visitor<'de> for NumericDate {
    type Value = Option<i64>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a NumericDate (JSON number of seconds)")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(i64::try_from(v).unwrap_or(i64::MAX)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if !v.is_finite() {
            return Err(E::custom("NumericDate is not finite"));
        }
        let rounded = if self.round_up { v.ceil() } else { v.floor() };
        // `as` saturates at the i64 bounds.
        #[allow(clippy::cast_possible_truncation)]
        Ok(Some(rounded as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_payload_serializes_in_node_order() {
        let c = Claims::for_user(1, 1_795_701_477, 86_400);
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"id":1,"iat":1795701477,"exp":1795787877}"#
        );
    }

    #[test]
    fn fractional_and_huge_numeric_dates_are_read_without_overflow() {
        let c: Claims =
            serde_json::from_str(r#"{"exp":1300819380.9,"nbf":1000.5,"iat":1e300}"#).unwrap();
        assert_eq!(c.exp, Some(1_300_819_380));
        assert_eq!(c.nbf, Some(1001));
        assert_eq!(c.iat, Some(i64::MAX));
    }

    #[test]
    fn string_or_null_exp_is_a_type_error() {
        assert!(serde_json::from_str::<Claims>(r#"{"exp":"tomorrow"}"#).is_err());
        assert!(serde_json::from_str::<Claims>(r#"{"exp":null}"#).is_err());
    }

    #[test]
    fn expiry_uses_leeway_and_is_false_without_exp() {
        let c = Claims {
            exp: Some(100),
            ..Claims::default()
        };
        assert!(!c.is_expired_at(99, 0));
        assert!(c.is_expired_at(100, 0));
        assert!(!c.is_expired_at(159, 60));
        assert!(c.is_expired_at(160, 60));
        assert!(!Claims::default().is_expired_at(i64::MAX, 0));
    }

    /// `aud` as it was read before (serde's untagged derive), the reference for [`Audience`]. Same
    /// name, as untagged's error message carries it.
    mod reference {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        #[serde(untagged)]
        pub enum Audience {
            One(String),
            Many(Vec<String>),
        }
    }
    use reference::Audience as ReferenceAudience;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(bound = "A: Deserialize<'de>")]
    struct WithAud<A> {
        #[serde(default)]
        aud: Option<A>,
        #[serde(default)]
        exp: Option<i64>,
    }

    #[test]
    fn aud_reads_exactly_as_the_untagged_derive() {
        for aud in [
            r#""app""#,
            r#""\u00e9\"""#,
            "[]",
            r#"["a","b"]"#,
            "null",
            "[null]",
            r#"["a",1]"#,
            r#"["a",["b"]]"#,
            r#"[1,1e400]"#,
            r#"["a","\ud800"]"#,
            r#"{"a":"b"}"#,
            r#"{"a":1e400}"#,
            r#"{"a":"#,
            "5",
            "-1.5",
            "true",
            r#"["a","#,
            r#"["a" "b"]"#,
        ] {
            // Alone, then inside claims followed by a member of the wrong type and by broken JSON:
            // the same value or the same error (category, message and position).
            for doc in [
                aud.to_owned(),
                format!(r#"{{"aud":{aud},"exp":"x"}}"#),
                format!(r#"{{"aud":{aud},"exp":1,"#),
            ] {
                let ours = serde_json::from_str::<WithAud<Audience>>(&doc);
                let reference = serde_json::from_str::<WithAud<ReferenceAudience>>(&doc);
                match (ours, reference) {
                    (Ok(a), Ok(b)) => {
                        let same = match (&a.aud, &b.aud) {
                            (Some(Audience::One(x)), Some(ReferenceAudience::One(y))) => x == y,
                            (Some(Audience::Many(x)), Some(ReferenceAudience::Many(y))) => x == y,
                            (None, None) => true,
                            _ => false,
                        };
                        assert!(same && a.exp == b.exp, "{doc}");
                    }
                    (Err(a), Err(b)) => {
                        assert_eq!(a.classify(), b.classify(), "{doc}");
                        assert_eq!(a.to_string(), b.to_string(), "{doc}");
                    }
                    (a, b) => panic!("{doc}: {a:?} / {b:?}"),
                }
                if doc.starts_with('{') {
                    continue;
                }
                let ours = serde_json::from_str::<Audience>(&doc).map_err(|e| e.to_string());
                let reference =
                    serde_json::from_str::<ReferenceAudience>(&doc).map_err(|e| e.to_string());
                assert_eq!(ours.is_ok(), reference.is_ok(), "{doc}");
                if let (Err(a), Err(b)) = (ours, reference) {
                    assert_eq!(a, b, "{doc}");
                }
            }
        }
    }

    #[test]
    fn integers_parse_as_str_parse_does() {
        let mut cases: Vec<String> = [
            "",
            "+",
            "-",
            "+-1",
            "-+1",
            "0",
            "+0",
            "-0",
            "00",
            "007",
            "-007",
            "1",
            "-1",
            "42",
            " 1",
            "1 ",
            "1_000",
            "1e3",
            "0x10",
            "\u{661}",
            "12\u{e9}",
            "9223372036854775807",
            "+9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999",
            "-99999999999999999999",
            "00000000000000000000000000009223372036854775807",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 22) as usize;
            let text: String = (0..len)
                .map(|i| b"0123456789-+ a"[((x >> (i * 2)) % 14) as usize] as char)
                .collect();
            cases.push(text);
            cases.push(((x as i64) >> (x % 64)).to_string());
        }
        for case in &cases {
            assert_eq!(parse_i64(case), case.parse::<i64>().ok(), "{case:?}");
        }
    }

    #[test]
    fn user_id_falls_back_to_numeric_sub() {
        let c = Claims {
            sub: Some("42".into()),
            ..Claims::default()
        };
        assert_eq!(c.user_id(), Some(42));
    }
}
