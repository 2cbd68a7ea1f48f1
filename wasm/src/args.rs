//! Numeric arguments (times, leeways) checked before they reach the core.

use authcore::text::concat;

use crate::error::BindingError;

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
    fn a_negative_leeway_is_refused() {
        assert_eq!(non_negative_seconds(Some(60.0), "leeway"), Ok(Some(60)));
        assert_eq!(non_negative_seconds(Some(0.0), "leeway"), Ok(Some(0)));
        assert!(non_negative_seconds(Some(-1.0), "leeway").is_err());
    }
}
