//! Values crossing the wasm-bindgen boundary: JSON text in either form, options objects and their
//! members, records out as plain objects.

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

/// A string argument: JS strings only (`invalid_argument` for anything else, a `String` object
/// included), where wasm-bindgen's `&str` would read any value's `length` and could trap.
pub(crate) fn string_arg(value: &JsValue, name: &str) -> Result<String, BindingError> {
    value
        .as_string()
        .ok_or_else(|| BindingError::invalid(concat(&[name, " must be a string"])))
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
        Some(value) => string_arg(&value, name).map(Some),
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
