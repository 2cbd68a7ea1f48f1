//! `uniffi-bindgen`: UniFFI's binding generator at exactly the version `authcore-ffi` uses, so
//! the generated Swift/Kotlin/Python match the library. Run through `bindings/generate.sh`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
