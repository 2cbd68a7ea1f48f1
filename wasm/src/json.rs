//! Values crossing the boundary: JSON text in either form, records out as plain objects, and
//! numeric arguments checked before they reach the core.

use authcore::text::concat;
use wasm_bindgen::prelude::*;

use crate::error::BindingError;

/// The JSON text of an argument given either as a string or as an already parsed object.
pub(crate) fn json_text(value: &JsValue, what: &str) -> Result<String, BindingError> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if value.is_object() {
        return js_sys::JSON::stringify(value)
            .map(String::from)
            .map_err(|_| BindingError::invalid(concat(&[what, " cannot be serialized to JSON"])));
    }
    Err(BindingError::invalid(concat(&[
        what,
        " must be a JSON string or an object",
    ])))
}

/// An options argument: `None` when `undefined` or `null`, else a plain object (not an array)
/// whose own keys are all in `allowed`, so that a misspelt option is an error rather than a check
/// silently left off. Read member by member with [`member`], without a JSON round trip.
pub(crate) fn options_object<'a>(
    value: &'a JsValue,
    what: &str,
    allowed: &[&str],
) -> Result<Option<&'a JsValue>, BindingError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(BindingError::invalid(concat(&[what, " must be an object"])));
    }
    if !only_members(value, allowed) {
        let mut message = concat(&[what, " has a member that is not one of "]);
        push_name_list(&mut message, allowed);
        return Err(BindingError::invalid(message));
    }
    Ok(Some(value))
}

/// Appends `names` as `{:?}` writes a list of plain names (`["a", "b"]`), without `core::fmt`
/// (names with quotes or control characters, which `{:?}` would escape, are not used).
fn push_name_list(out: &mut String, names: &[&str]) {
    out.push('[');
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        out.push_str(name);
        out.push('"');
    }
    out.push(']');
}

/// Whether every own enumerable key of the object `value` is one of `allowed`.
pub(crate) fn only_members(value: &JsValue, allowed: &[&str]) -> bool {
    js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>())
        .iter()
        .all(|name| {
            name.as_string()
                .is_some_and(|n| allowed.contains(&n.as_str()))
        })
}

/// The member `name` of `object`; `None` when it is `undefined` or `null`. A throwing getter's
/// exception is rethrown.
pub(crate) fn member(object: &JsValue, name: &str) -> Result<Option<JsValue>, BindingError> {
    let value = js_sys::Reflect::get(object, &JsValue::from_str(name))?;
    Ok((!value.is_undefined() && !value.is_null()).then_some(value))
}

/// The string member `name` of `object`, if present; `invalid_argument` for another type.
pub(crate) fn string_member(object: &JsValue, name: &str) -> Result<Option<String>, BindingError> {
    match member(object, name)? {
        None => Ok(None),
        Some(value) => value
            .as_string()
            .map(Some)
            .ok_or_else(|| BindingError::invalid(concat(&[name, " must be a string"]))),
    }
}

/// The boolean member `name` of `object`, if present; `invalid_argument` for another type.
pub(crate) fn bool_member(object: &JsValue, name: &str) -> Result<Option<bool>, BindingError> {
    match member(object, name)? {
        None => Ok(None),
        Some(value) => value
            .as_bool()
            .map(Some)
            .ok_or_else(|| BindingError::invalid(concat(&[name, " must be a boolean"]))),
    }
}

/// A whole, non-negative number of seconds given as an option (`leewaySeconds`): an integer in
/// `0..2^64`; fractions, negatives, NaN and infinities are refused.
pub(crate) fn whole_seconds(value: f64, name: &str) -> Result<u64, String> {
    // 2^64: the first f64 above u64::MAX.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;
    if value.is_finite() && value.fract() == 0.0 && (0.0..LIMIT).contains(&value) {
        // Exact: an integer-valued f64 in range.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(value as u64)
    } else {
        Err(concat(&[
            name,
            " must be a whole, non-negative number of seconds",
        ]))
    }
}

/// A plain JS object from a serializable record (one `JSON.parse`, cheaper than a property set
/// per field across the boundary). Without `small-json` only: with it, records are written by the
/// core's `to_json` (the same text, without serde) and read by [`json_to_js`].
#[cfg(not(feature = "small-json"))]
pub(crate) fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, BindingError> {
    let text = serde_json::to_string(value)
        .map_err(|_| BindingError::invalid("cannot serialize the result"))?;
    Ok(js_sys::JSON::parse(&text)?)
}

/// A plain JS object from the JSON text of a record (the core's `to_json`, written without serde).
#[cfg(feature = "small-json")]
pub(crate) fn json_to_js(text: &str) -> Result<JsValue, BindingError> {
    Ok(js_sys::JSON::parse(text)?)
}

/// A whole number (seconds, an id) from a JS number: finite, rounded down; `None` when absent.
pub(crate) fn whole_number(value: Option<f64>, name: &str) -> Result<Option<i64>, String> {
    match value {
        None => Ok(None),
        Some(v) if v.is_finite() => {
            // Saturating `as`: any finite number is a valid (if extreme) instant or span.
            #[allow(clippy::cast_possible_truncation)]
            Ok(Some(v.floor() as i64))
        }
        // Concatenated, not formatted: the modules link no formatting code.
        Some(_) => Err(concat(&[name, " must be a finite number"])),
    }
}

/// A non-negative whole number of seconds (a leeway); `None` when absent.
pub(crate) fn non_negative_seconds(value: Option<f64>, name: &str) -> Result<Option<u64>, String> {
    match whole_number(value, name)? {
        None => Ok(None),
        Some(s) => u64::try_from(s)
            .map(Some)
            .map_err(|_| concat(&[name, " must not be negative"])),
    }
}

/// [`whole_number`] with the error as `invalid_argument`.
pub(crate) fn whole_number_arg(
    value: Option<f64>,
    name: &str,
) -> Result<Option<i64>, BindingError> {
    whole_number(value, name).map_err(BindingError::invalid)
}

/// [`non_negative_seconds`] with the error as `invalid_argument`.
pub(crate) fn non_negative_seconds_arg(
    value: Option<f64>,
    name: &str,
) -> Result<Option<u64>, BindingError> {
    non_negative_seconds(value, name).map_err(BindingError::invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_rounded_down_and_must_be_finite() {
        assert_eq!(whole_number(None, "t"), Ok(None));
        assert_eq!(whole_number(Some(1.9), "t"), Ok(Some(1)));
        assert_eq!(whole_number(Some(-0.5), "t"), Ok(Some(-1)));
        assert!(whole_number(Some(f64::NAN), "t").is_err());
        assert!(whole_number(Some(f64::INFINITY), "t").is_err());
    }

    #[test]
    fn option_seconds_must_be_whole_finite_and_not_negative() {
        assert_eq!(whole_seconds(5.0, "l"), Ok(5));
        assert_eq!(whole_seconds(0.0, "l"), Ok(0));
        assert_eq!(whole_seconds(-0.0, "l"), Ok(0));
        assert_eq!(whole_seconds(9_007_199_254_740_992.0, "l"), Ok(1 << 53));
        for bad in [
            -1.0,
            1.5,
            f64::NAN,
            f64::INFINITY,
            18_446_744_073_709_551_616.0,
        ] {
            assert!(whole_seconds(bad, "l").is_err(), "{bad}");
        }
    }

    #[test]
    fn name_lists_are_written_as_debug_writes_them() {
        for names in [
            &["storageKey"][..],
            &["leewaySeconds", "requireExp", "issuer", "audience"],
            &[],
        ] {
            let mut out = String::new();
            push_name_list(&mut out, names);
            assert_eq!(out, format!("{names:?}"));
        }
    }

    #[test]
    fn a_negative_leeway_is_refused() {
        assert_eq!(non_negative_seconds(Some(60.0), "leeway"), Ok(Some(60)));
        assert_eq!(non_negative_seconds(Some(0.0), "leeway"), Ok(Some(0)));
        assert!(non_negative_seconds(Some(-1.0), "leeway").is_err());
    }
}
