#![doc = include_str!("../README.md")]
// Denied, and allowed in `inspect_abi` alone for `#[unsafe(no_mangle)]` (its export names).
#![deny(unsafe_code)]
// Without `verify` (the `authcore/inspect` module) the argument helpers the verifier and the
// session use are unused.
#![cfg_attr(not(feature = "verify"), allow(dead_code))]

/// The heap of the whole module: talc instead of std's dlmalloc, ~1.5 KB gz smaller
/// (bindings/js/README.md, "Size") and no slower. Single-threaded builds only (talc's wasm
/// allocator takes no lock).
#[cfg(all(
    feature = "verify",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The heap of the inspect module, whose calls free all they allocate: a bump region
/// ([`arena`]).
#[cfg(all(
    not(feature = "verify"),
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: arena::Arena = arena::Arena::new();

#[cfg(not(feature = "verify"))]
pub mod arena;
mod args;
mod clock;
mod error;
mod inspect;
#[cfg(not(feature = "verify"))]
pub mod inspect_abi;
#[cfg(feature = "verify")]
mod json;
#[cfg(feature = "verify")]
mod session;
#[cfg(feature = "verify")]
mod verifier;

pub use error::BindingError;
#[cfg(feature = "verify")]
pub use inspect::{has_role, inspect_token, is_expired};
#[cfg(feature = "verify")]
pub use session::{AuthSession, DEFAULT_MIN_TTL_SECONDS};
#[cfg(feature = "verify")]
pub use verifier::Verifier;
