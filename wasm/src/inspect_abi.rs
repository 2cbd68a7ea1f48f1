//! The `authcore/inspect` module's exports: plain WebAssembly functions, without wasm-bindgen,
//! that `bindings/js/src/inspect-reader.js` wraps into `inspectToken`, `isExpired` and `hasRole`.
//!
//! Strings go in as UTF-8 through the input buffer (two slots of [`SLOT`] bytes: the token, then
//! the role), written there by `TextEncoder.encodeInto`. Every call returns a status
//! ([`FALSE`], [`TRUE`] or [`FAILED`]) and leaves its record in the output buffer:
//! `inspectToken`'s [`Inspection`] (see [`write_record`]), or the error's code and message.
//! Numbers come as wasm-bindgen passes an optional `f64`: a flag (0 for absent) and the value;
//! `clock_ms` is `Date.now()`, read by the JS entry for a call without `nowSeconds`.
// `#[unsafe(no_mangle)]` names the exports; there is no unsafe block.
#![allow(unsafe_code)]

use std::sync::{Mutex, MutexGuard};

use authcore::tokens::{Inspection, MAX_TOKEN_BYTES};

use crate::clock::seconds_from_millis;
use crate::error::BindingError;
use crate::inspect::{expired, inspection, role};

/// Bytes of each input slot. Four more than `MAX_TOKEN_BYTES`: when `encodeInto` cannot write a
/// string whole (a character takes at most 4 bytes), the part it wrote is longer than
/// `MAX_TOKEN_BYTES`, and the core answers it as it would the whole string: `token_too_large`
/// for a token, and for a role no match (every role in a token is shorter).
pub const SLOT: usize = MAX_TOKEN_BYTES + 4;

/// The call's answer: false (or, for `inspect_token`, done).
pub const FALSE: u32 = 0;
/// The call's answer: true.
pub const TRUE: u32 = 1;
/// The call failed: the output buffer holds the error's code and message.
pub const FAILED: u32 = 2;

/// The token's slot, then the role's: static, so that it is not on the heap.
static INPUT: Mutex<[u8; 2 * SLOT]> = Mutex::new([0; 2 * SLOT]);
/// The last call's record, the only allocation that outlives a call: each call drops it first,
/// so that the heap ([`crate::arena`]) starts over empty.
static OUTPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// A buffer's lock; poisoned only by a panic, which aborts in the WebAssembly build.
fn locked<T>(buffer: &Mutex<T>) -> Result<MutexGuard<'_, T>, BindingError> {
    buffer
        .lock()
        .map_err(|_| BindingError::invalid("the inspect buffers are unusable"))
}

/// An optional number as wasm-bindgen passes it: `None` when the flag is 0.
fn optional(present: u32, value: f64) -> Option<f64> {
    (present != 0).then_some(value)
}

/// Appends a length as a little-endian u32, `u32::MAX` for `None`.
fn length(out: &mut Vec<u8>, n: Option<usize>) {
    // Fits: everything written is shorter than the input slots.
    #[allow(clippy::cast_possible_truncation)]
    let n = n.map_or(u32::MAX, |n| n as u32);
    out.extend_from_slice(&n.to_le_bytes());
}

/// Appends a string as its UTF-8 length and bytes, or `null` as the length `u32::MAX`.
fn string(out: &mut Vec<u8>, value: Option<&str>) {
    length(out, value.map(str::len));
    if let Some(s) = value {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Writes `inspection` as the record the JS entry reads back into `inspectToken`'s object (the
/// object `JSON.parse` gives for the record's JSON text): little-endian bytes, each field in the
/// order of `Inspection::to_json`:
/// - a string: its UTF-8 length as a u32 (`u32::MAX` for `null`), then its bytes;
/// - a list of strings: its length as a u32 (`u32::MAX` for `null`), then each string;
/// - a number: 0 for `null`, or 1 and the f64 nearest the integer, which is the number
///   `JSON.parse` gives for its decimal digits (both round to nearest, ties to even);
/// - `expired`: one byte, 0 or 1.
pub(crate) fn write_record(out: &mut Vec<u8>, inspection: &Inspection) {
    fn strings(out: &mut Vec<u8>, value: Option<&[String]>) {
        length(out, value.map(<[String]>::len));
        for s in value.into_iter().flatten() {
            string(out, Some(s));
        }
    }
    fn number(out: &mut Vec<u8>, value: Option<i64>) {
        out.push(u8::from(value.is_some()));
        if let Some(n) = value {
            // Rounded to nearest, ties to even, as `JSON.parse` rounds the digits.
            #[allow(clippy::cast_precision_loss)]
            out.extend_from_slice(&(n as f64).to_le_bytes());
        }
    }
    let i = inspection;
    out.clear();
    // Most records fit: one allocation, not one per doubling.
    out.reserve(256);
    string(out, Some(&i.alg));
    string(out, i.kid.as_deref());
    string(out, i.typ.as_deref());
    number(out, i.id);
    number(out, i.user_id);
    strings(out, i.roles.as_deref());
    number(out, i.iat);
    number(out, i.nbf);
    number(out, i.exp);
    string(out, i.iss.as_deref());
    string(out, i.sub.as_deref());
    strings(out, i.aud.as_deref());
    string(out, i.jti.as_deref());
    out.push(u8::from(i.expired));
    number(out, i.seconds_left);
}

/// Runs `answer` on the strings in the input slots (`token_len` bytes of the first, `role_len`
/// of the second) and writes what the JS entry reads into the output buffer: the record `answer`
/// writes, or the error's code and message.
fn call(
    token_len: usize,
    role_len: usize,
    answer: impl FnOnce(&str, &str, &mut Vec<u8>) -> Result<u32, BindingError>,
) -> u32 {
    let Ok(mut out) = locked(&OUTPUT) else {
        return FAILED;
    };
    // Dropped before anything is allocated: the heap starts over empty. The record, allocated
    // after the answer's strings, is the last allocation and grows where it is.
    *out = Vec::new();
    let result = locked(&INPUT).and_then(|input| {
        let text = |at: usize, len: usize| {
            input
                .get(at..at + len.min(SLOT))
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
                .ok_or_else(|| BindingError::invalid("the input buffer does not hold UTF-8"))
        };
        answer(text(0, token_len)?, text(SLOT, role_len)?, &mut out)
    });
    result.unwrap_or_else(|e| {
        out.clear();
        string(&mut out, e.code());
        string(&mut out, Some(&e.message()));
        FAILED
    })
}

/// The address of the input buffer: two slots of [`SLOT`] bytes, the token's and the role's.
#[unsafe(no_mangle)]
pub extern "C" fn inspect_input() -> usize {
    locked(&INPUT).map_or(0, |input| input.as_ptr() as usize)
}

/// [`SLOT`], for the JS entry.
#[unsafe(no_mangle)]
pub extern "C" fn inspect_slot() -> usize {
    SLOT
}

/// The address of the last call's record in the output buffer.
#[unsafe(no_mangle)]
pub extern "C" fn inspect_output() -> usize {
    locked(&OUTPUT).map_or(0, |out| out.as_ptr() as usize)
}

/// `inspectToken(token, nowSeconds)`: [`FALSE`] with the [`Inspection`]'s record, or [`FAILED`].
#[unsafe(no_mangle)]
pub extern "C" fn inspect_token(token_len: usize, has_now: u32, now: f64, clock_ms: f64) -> u32 {
    call(token_len, 0, |token, _, out| {
        let i = inspection(token, optional(has_now, now), || {
            seconds_from_millis(clock_ms)
        })?;
        write_record(out, &i);
        Ok(FALSE)
    })
}

/// `isExpired(token, leewaySeconds, nowSeconds)`: [`TRUE`], [`FALSE`] or [`FAILED`].
#[unsafe(no_mangle)]
pub extern "C" fn inspect_expired(
    token_len: usize,
    has_leeway: u32,
    leeway: f64,
    has_now: u32,
    now: f64,
    clock_ms: f64,
) -> u32 {
    call(token_len, 0, |token, _, _| {
        let past = expired(
            token,
            optional(has_leeway, leeway),
            optional(has_now, now),
            || seconds_from_millis(clock_ms),
        )?;
        Ok(u32::from(past))
    })
}

/// `hasRole(token, role)`, the role in the second slot: [`TRUE`], [`FALSE`] or [`FAILED`].
#[unsafe(no_mangle)]
pub extern "C" fn inspect_role(token_len: usize, role_len: usize) -> u32 {
    call(token_len, role_len, |token, wanted, _| {
        Ok(u32::from(role(token, wanted)?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6MSwiaWF0IjoxNzk1NzAxNDc3LCJleHAiOjE3OTU3ODc4Nzd9.c2ln";

    /// Writes `token` and `role` into their slots as `encodeInto` would (cut at `SLOT`).
    fn put(token: &str, role: &str) -> (usize, usize) {
        let mut input = INPUT.lock().unwrap();
        let mut write = |at: usize, s: &str| {
            let mut n = 0;
            for c in s.chars() {
                if n + c.len_utf8() > SLOT {
                    break;
                }
                n += c.len_utf8();
            }
            input[at..at + n].copy_from_slice(&s.as_bytes()[..n]);
            n
        };
        (write(0, token), write(SLOT, role))
    }

    /// The strings of the output buffer (a failed call's code and message).
    fn output_strings() -> Vec<String> {
        let out = OUTPUT.lock().unwrap();
        let mut at = 0;
        let mut all = Vec::new();
        while at < out.len() {
            let n = u32::from_le_bytes(out[at..at + 4].try_into().unwrap()) as usize;
            all.push(String::from_utf8(out[at + 4..at + 4 + n].to_vec()).unwrap());
            at += 4 + n;
        }
        all
    }

    // One test: the buffers are shared by the calls.
    #[test]
    fn the_exports_answer_as_the_whole_package_does() {
        let (len, _) = put(SEED, "");
        assert_eq!(inspect_token(len, 1, 1_795_701_480.0, 0.0), FALSE);
        let mut record = Vec::new();
        write_record(
            &mut record,
            &inspection(SEED, Some(1_795_701_480.0), || 0).unwrap(),
        );
        assert_eq!(*OUTPUT.lock().unwrap(), record);

        // Without nowSeconds, the clock's milliseconds, rounded down.
        assert_eq!(inspect_token(len, 0, 0.0, 1_795_787_877_999.0), FALSE);
        let at_exp = inspection(SEED, Some(1_795_787_877.0), || 0).unwrap();
        write_record(&mut record, &at_exp);
        assert_eq!(*OUTPUT.lock().unwrap(), record);

        assert_eq!(inspect_expired(len, 0, 0.0, 1, 1_795_787_878.0, 0.0), TRUE);
        assert_eq!(inspect_expired(len, 1, 5.0, 1, 1_795_787_878.0, 0.0), FALSE);
        assert_eq!(inspect_expired(len, 1, -1.0, 0, 0.0, 0.0), FAILED);
        assert_eq!(
            output_strings(),
            ["invalid_argument", "leewaySeconds must not be negative"]
        );

        // No roles in the seed token; a role too long for its slot is no match either.
        let (len, role_len) = put(SEED, "admin");
        assert_eq!(inspect_role(len, role_len), FALSE);
        let long = "é".repeat(SLOT);
        let (len, role_len) = put(SEED, &long);
        assert_eq!(role_len, SLOT);
        assert_eq!(inspect_role(len, role_len), FALSE);

        // A token too long for its slot: the part written is still too large.
        let (len, _) = put(&"a".repeat(SLOT + 100), "");
        assert_eq!(len, SLOT);
        assert_eq!(inspect_token(len, 0, 0.0, 0.0), FAILED);
        let too_large = authcore::tokens::inspect(&"a".repeat(SLOT + 100)).unwrap_err();
        assert_eq!(
            output_strings(),
            [too_large.code().to_owned(), too_large.to_string()]
        );
        // Astral characters: the slot ends two bytes short of the next one.
        let (len, _) = put(&["é", &"😀".repeat(3000)].concat(), "");
        assert_eq!(len, SLOT - 2);
        assert!(len > MAX_TOKEN_BYTES && len <= SLOT, "{len}");
        assert_eq!(inspect_expired(len, 0, 0.0, 0, 0.0, 0.0), FAILED);
        assert_eq!(output_strings()[0], "token_too_large");

        let (len, _) = put("a.b", "");
        assert_eq!(inspect_role(len, 0), FAILED);
        let malformed = authcore::tokens::inspect("a.b").unwrap_err();
        assert_eq!(output_strings(), [malformed.code(), &malformed.to_string()]);
    }
}
