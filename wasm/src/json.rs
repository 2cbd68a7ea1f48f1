//! Values crossing the boundary: JSON text in either form, records out as plain objects, and
//! numeric arguments checked before they reach the core.

use serde::Serialize;
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
            .map_err(|_| BindingError::invalid(format!("{what} cannot be serialized to JSON")));
    }
    Err(BindingError::invalid(format!(
        "{what} must be a JSON string or an object"
    )))
}

/// A plain JS object from a serializable record (one `JSON.parse`, cheaper than a property set
/// per field across the boundary).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, BindingError> {
    let text = serde_json::to_string(value)
        .map_err(|e| BindingError::invalid(format!("cannot serialize result: {e}")))?;
    Ok(js_sys::JSON::parse(&text)?)
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
        Some(_) => Err(format!("{name} must be a finite number")),
    }
}

/// A non-negative whole number of seconds (a leeway); `None` when absent.
pub(crate) fn non_negative_seconds(value: Option<f64>, name: &str) -> Result<Option<u64>, String> {
    match whole_number(value, name)? {
        None => Ok(None),
        Some(s) => u64::try_from(s)
            .map(Some)
            .map_err(|_| format!("{name} must not be negative")),
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
    fn a_negative_leeway_is_refused() {
        assert_eq!(non_negative_seconds(Some(60.0), "leeway"), Ok(Some(60)));
        assert_eq!(non_negative_seconds(Some(0.0), "leeway"), Ok(Some(0)));
        assert!(non_negative_seconds(Some(-1.0), "leeway").is_err());
    }
}
