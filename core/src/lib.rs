#![doc = include_str!("../README.md")]
// UniFFI's derives implement its (unsafe) FFI traits; everything else stays free of unsafe code.
#![cfg_attr(not(feature = "uniffi"), forbid(unsafe_code))]

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

#[cfg(feature = "identity")]
pub mod identity;
mod json_lite;
#[cfg(feature = "passwords")]
pub mod passwords;
pub mod refresh;
pub mod roles;
pub mod session;
pub mod tokens;
pub mod validation;

pub use roles::{Role, RoleHierarchy, RoleRequirement};

/// Text helpers the bindings share.
#[doc(hidden)]
pub mod text {
    /// `parts.concat()` as a plain loop: std's `concat` is a large generic copy routine in the
    /// WebAssembly build (~0.9 KB), and messages are built by concatenation there.
    pub fn concat(parts: &[&str]) -> String {
        let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        for part in parts {
            out.push_str(part);
        }
        out
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn concat_is_std_concat() {
            for parts in [&[][..], &[""], &["a"], &["a", "", "bc", "\u{e9}"]] {
                assert_eq!(super::concat(parts), parts.concat());
            }
        }
    }
}
