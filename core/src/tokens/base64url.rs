//! Decoding unpadded base64url (RFC 4648 §5), exactly as the `base64` crate's `URL_SAFE_NO_PAD`
//! engine decodes it, in a few lines instead of that engine's unrolled decoder (~1 KB gz of the
//! WebAssembly build). Encoding stays with the `base64` crate. The test below checks both agree on
//! every input of up to four symbols and on random longer ones.

/// The bytes of `text`, or `None` unless it is canonical unpadded base64url: only `A–Z a–z 0–9 - _`,
/// no `=`, not 4n+1 symbols long, and the unused low bits of the last symbol zero.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let len = text.len();
    // 3 bytes per 4 symbols, and 1 or 2 for a last group of 2 or 3, written in place (no `push`).
    let mut out = vec![0u8; len / 4 * 3 + (len % 4).saturating_sub(1)];
    decode_into(text, &mut out).then_some(out)
}

/// Whether `text` is canonical unpadded base64url (what [`decode`] accepts), without its bytes.
pub(crate) fn is_canonical(text: &str) -> bool {
    decode_into(text, &mut [])
}

/// Decodes `text` into `out` (as much of it as fits); false unless `text` is canonical.
fn decode_into(text: &str, out: &mut [u8]) -> bool {
    let input = text.as_bytes();
    if input.len() % 4 == 1 {
        return false;
    }
    let mut at = 0;
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &symbol in input {
        let value = match symbol {
            b'A'..=b'Z' => symbol - b'A',
            b'a'..=b'z' => symbol - b'a' + 26,
            b'0'..=b'9' => symbol - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return false,
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            if let Some(byte) = out.get_mut(at) {
                *byte = (acc >> bits) as u8;
            }
            at += 1;
            acc &= (1 << bits) - 1;
        }
    }
    // What is left are the 2 or 4 unused bits of the last symbol.
    acc == 0
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::{decode, is_canonical};

    fn agrees(text: &str) {
        let decoded = decode(text);
        assert_eq!(decoded, URL_SAFE_NO_PAD.decode(text).ok(), "{text:?}");
        assert_eq!(is_canonical(text), decoded.is_some(), "{text:?}");
    }

    #[test]
    fn agrees_with_the_base64_crate_on_short_inputs() {
        // The alphabet, its neighbours, padding, whitespace and a non-ASCII byte.
        let symbols: Vec<char> =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=. \n\u{e9}"
                .chars()
                .collect();
        agrees("");
        let mut text = String::new();
        // Every symbol and pair of symbols; for longer inputs, a sample of first symbols.
        for &a in &symbols {
            agrees(&a.to_string());
            for &b in &symbols {
                text.clear();
                text.extend([a, b]);
                agrees(&text);
            }
        }
        for a in "AQgw_9=.\u{e9}".chars() {
            for &b in &symbols {
                for &c in &symbols {
                    text.clear();
                    text.extend([a, b, c]);
                    agrees(&text);
                    for d in ['A', 'Q', 'g', 'w', 'B', '_', '=', '+'] {
                        text.push(d);
                        agrees(&text);
                        text.pop();
                    }
                }
            }
        }
    }

    #[test]
    fn agrees_with_the_base64_crate_on_random_inputs() {
        // A small xorshift generator: deterministic, no dependency.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = usize::try_from(next() % 70).unwrap();
            let bytes: Vec<u8> = (0..len).map(|_| next().to_le_bytes()[0]).collect();
            let encoded = URL_SAFE_NO_PAD.encode(&bytes);
            assert_eq!(decode(&encoded).as_deref(), Some(bytes.as_slice()));
            // Flip one symbol to anything: both must agree on the result.
            if !encoded.is_empty() {
                let mut mangled = encoded.into_bytes();
                let at = usize::try_from(next()).unwrap() % mangled.len();
                mangled[at] = next().to_le_bytes()[0] & 0x7f;
                agrees(&String::from_utf8(mangled).unwrap());
            }
        }
    }
}
