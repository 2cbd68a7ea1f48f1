//! The browser's and Node's clock (`std::time::SystemTime` panics on `wasm32-unknown-unknown`).

#[cfg(feature = "verify")]
use authcore::tokens::Clock;

#[cfg(feature = "verify")]
/// Reads `Date.now()`, in whole seconds since the epoch.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct JsClock;

#[cfg(feature = "verify")]
impl Clock for JsClock {
    fn now(&self) -> i64 {
        seconds_from_millis(js_sys::Date::now())
    }
}

/// Whole seconds (rounded down) from milliseconds since the epoch.
pub(crate) fn seconds_from_millis(millis: f64) -> i64 {
    // `as` saturates, and NaN becomes 0: Date.now() is always finite anyway.
    #[allow(clippy::cast_possible_truncation)]
    let seconds = (millis / 1000.0).floor() as i64;
    seconds
}

/// Now, in seconds since the epoch.
#[cfg(feature = "verify")]
pub(crate) fn now() -> i64 {
    JsClock.now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_round_down_to_whole_seconds() {
        assert_eq!(seconds_from_millis(1_795_701_477_999.0), 1_795_701_477);
        assert_eq!(seconds_from_millis(0.0), 0);
        assert_eq!(seconds_from_millis(-1.0), -1);
    }
}
