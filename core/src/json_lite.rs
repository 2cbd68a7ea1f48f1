//! A small JSON reader and writer for the fixed shapes authcore reads (feature `small-json`): a
//! token's header and claims, a JWKS document, authd's signin and refresh responses and the stored
//! session. The same values, the same accepted texts and the same errors as the serde_json path
//! they replace (`tokens::differential` and `session::differential` run both), without serde's
//! generic code. Errors carry serde_json's category and position, so messages are the same texts.
//!
//! What is reproduced from serde_json 1.0 (without `float_roundtrip` or `arbitrary_precision`):
//! strict grammar (no trailing commas or garbage), string escapes with paired surrogates in the
//! strings that are read (skipped strings only need well-formed `\u` escapes), control characters
//! refused everywhere, numbers as u64/i64/f64 with its decimal-to-f64 conversion and its
//! out-of-range errors (only for numbers that are read), nesting limit 128 for values that are read
//! (skipped values have none), repeated registered members refused, serde's positional (array)
//! form of a derived struct where serde_json accepts it, and the category and byte position of
//! every error (`error` at the current byte, `peek_error` one byte further, capped at the end).

use crate::session::{Session, SessionUser};
use crate::tokens::json::Loose;
use crate::tokens::{Audience, Claims};

/// Why a text was refused, with the byte offset serde_json's error reports (its line and column
/// are computed from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fail {
    /// Not valid JSON, a number out of range, or nested too deep (serde_json's `Category::Syntax`).
    Syntax(usize),
    /// The text ends early (`Category::Eof`).
    Eof(usize),
    /// A member is missing, repeated or has the wrong type (`Category::Data`).
    Data(usize),
}

type R<T> = Result<T, Fail>;

/// serde_json's message for a data error at byte `at` of `text`, as `tokens::json::describe`
/// writes it: `… (line L, column C)`, the column counted in bytes from the line's start.
pub(crate) fn describe_data_error(text: &[u8], at: usize) -> String {
    describe_at(text, DATA, at)
}

const DATA: &str = "a member is missing, repeated or has the wrong type";

/// `tokens::json::describe`'s text for `fail` in `text`: its kind and serde_json's line and column.
pub(crate) fn describe(text: &[u8], fail: Fail) -> String {
    let (what, at) = match fail {
        Fail::Data(at) => (DATA, at),
        Fail::Syntax(at) => ("not valid JSON", at),
        Fail::Eof(at) => ("the JSON ends early", at),
    };
    describe_at(text, what, at)
}

/// `what (line L, column C)` for byte `at` of `text`, as serde_json counts lines and columns.
fn describe_at(text: &[u8], what: &str, at: usize) -> String {
    let before = text.get(..at).unwrap_or(text);
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let mut out = String::from(what);
    out.push_str(" (line ");
    push_u64(&mut out, line as u64);
    out.push_str(", column ");
    push_u64(&mut out, (at - line_start) as u64);
    out.push(')');
    out
}

/// A number as serde_json parses it.
enum Num {
    U(u64),
    I(i64),
    F(f64),
}

/// serde_json's overflow test for `a * 10 + b` against `c`.
fn overflows_u64(a: u64, b: u64) -> bool {
    a >= u64::MAX / 10 && (a > u64::MAX / 10 || b > u64::MAX % 10)
}

fn overflows_i32(a: i32, b: i32) -> bool {
    a >= i32::MAX / 10 && (a > i32::MAX / 10 || b > i32::MAX % 10)
}

/// A field reader of [`Reader::structure`]: reads the value of field `k`.
type FieldReader<'f, 'a> = &'f mut dyn FnMut(&mut Reader<'a>, usize) -> R<()>;

pub(crate) struct Reader<'a> {
    s: &'a [u8],
    i: usize,
    remaining_depth: u8,
}

impl<'a> Reader<'a> {
    fn new(s: &'a [u8]) -> Reader<'a> {
        Reader {
            s,
            i: 0,
            remaining_depth: 128,
        }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    #[inline(always)]
    fn peek_or_null(&self) -> u8 {
        self.peek().unwrap_or(0)
    }

    #[inline(always)]
    fn eat(&mut self) {
        self.i += 1;
    }

    #[inline(always)]
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    /// serde_json's `error`: at the current byte.
    fn syntax(&self) -> Fail {
        Fail::Syntax(self.i)
    }

    fn eof(&self) -> Fail {
        Fail::Eof(self.i)
    }

    /// serde_json's `peek_error`: one byte further, at most the end.
    fn peek_at(&self) -> usize {
        (self.i + 1).min(self.s.len())
    }

    fn peek_syntax(&self) -> Fail {
        Fail::Syntax(self.peek_at())
    }

    fn peek_eof(&self) -> Fail {
        Fail::Eof(self.peek_at())
    }

    /// Skips whitespace and peeks the next byte.
    fn ws(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.i += 1;
        }
        self.peek()
    }

    /// serde_json's `parse_ident`.
    fn ident(&mut self, rest: &[u8]) -> R<()> {
        for &b in rest {
            match self.next() {
                None => return Err(self.eof()),
                Some(c) if c != b => return Err(self.syntax()),
                Some(_) => {}
            }
        }
        Ok(())
    }

    fn enter(&mut self) -> R<()> {
        self.remaining_depth -= 1;
        if self.remaining_depth == 0 {
            return Err(self.peek_syntax());
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.remaining_depth += 1;
    }

    fn colon(&mut self) -> R<()> {
        match self.ws() {
            Some(b':') => {
                self.eat();
                Ok(())
            }
            Some(_) => Err(self.peek_syntax()),
            None => Err(self.peek_eof()),
        }
    }

    fn hex4(&mut self) -> R<u16> {
        let Some(digits) = self.s.get(self.i..self.i + 4) else {
            self.i = self.s.len();
            return Err(self.eof());
        };
        let mut n = 0u16;
        let mut valid = true;
        for &d in digits {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => {
                    valid = false;
                    0
                }
            };
            n = (n << 4) | u16::from(v);
        }
        self.i += 4;
        if !valid {
            return Err(self.syntax());
        }
        Ok(n)
    }

    /// The rest of a string whose opening quote was consumed, unescaped.
    fn string_rest(&mut self) -> R<String> {
        let mut out = Vec::new();
        let mut start = self.i;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.eof());
            };
            match c {
                b'"' | b'\\' => {
                    out.extend_from_slice(self.s.get(start..self.i).unwrap_or_default());
                    self.eat();
                    if c == b'"' {
                        break;
                    }
                    self.escape(&mut out)?;
                    start = self.i;
                }
                0..=0x1f => {
                    self.eat();
                    return Err(self.syntax());
                }
                _ => self.eat(),
            }
        }
        String::from_utf8(out).map_err(|_| self.syntax())
    }

    /// The byte after a `\` in a string that is read.
    fn escape(&mut self, out: &mut Vec<u8>) -> R<()> {
        let Some(c) = self.next() else {
            return Err(self.eof());
        };
        let simple = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 8,
            b'f' => 12,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let n = self.hex4()?;
                let code = match n {
                    0xDC00..=0xDFFF => return Err(self.syntax()),
                    0xD800..=0xDBFF => {
                        self.expect_in_escape(b'\\')?;
                        self.expect_in_escape(b'u')?;
                        let n2 = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&n2) {
                            return Err(self.syntax());
                        }
                        (((u32::from(n) - 0xD800) << 10) | (u32::from(n2) - 0xDC00)) + 0x1_0000
                    }
                    _ => u32::from(n),
                };
                let ch = char::from_u32(code).ok_or_else(|| self.syntax())?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                return Ok(());
            }
            _ => return Err(self.syntax()),
        };
        out.push(simple);
        Ok(())
    }

    /// The `\` or `u` of a low surrogate's escape (serde_json consumes a wrong byte first).
    fn expect_in_escape(&mut self, want: u8) -> R<()> {
        match self.peek() {
            None => Err(self.eof()),
            Some(c) => {
                self.eat();
                if c == want {
                    Ok(())
                } else {
                    Err(self.syntax())
                }
            }
        }
    }

    /// Skips the rest of a string whose opening quote was consumed (serde_json's `ignore_str`).
    fn skip_string_rest(&mut self) -> R<()> {
        loop {
            let Some(c) = self.peek() else {
                return Err(self.eof());
            };
            match c {
                b'"' => {
                    self.eat();
                    return Ok(());
                }
                b'\\' => {
                    self.eat();
                    match self.next() {
                        None => return Err(self.eof()),
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                        Some(b'u') => {
                            self.hex4()?;
                        }
                        Some(_) => return Err(self.syntax()),
                    }
                }
                // Not consumed: the error points at it.
                0..=0x1f => return Err(self.syntax()),
                _ => self.eat(),
            }
        }
    }

    /// serde_json's `parse_integer` and what follows it.
    fn integer(&mut self, positive: bool) -> R<Num> {
        match self.next() {
            None => Err(self.eof()),
            Some(b'0') => {
                if self.peek_or_null().is_ascii_digit() {
                    return Err(self.peek_syntax());
                }
                self.number(positive, 0)
            }
            Some(c @ b'1'..=b'9') => {
                let mut significand = u64::from(c - b'0');
                loop {
                    let c = self.peek_or_null();
                    if !c.is_ascii_digit() {
                        return self.number(positive, significand);
                    }
                    let digit = u64::from(c - b'0');
                    if overflows_u64(significand, digit) {
                        return Ok(Num::F(self.long_integer(positive, significand)?));
                    }
                    self.eat();
                    significand = significand * 10 + digit;
                }
            }
            Some(_) => Err(self.syntax()),
        }
    }

    #[allow(clippy::cast_possible_wrap, clippy::cast_precision_loss)]
    fn number(&mut self, positive: bool, significand: u64) -> R<Num> {
        Ok(match self.peek_or_null() {
            b'.' => Num::F(self.decimal(positive, significand, 0)?),
            b'e' | b'E' => Num::F(self.exponent(positive, significand, 0)?),
            _ if positive => Num::U(significand),
            _ => {
                let neg = (significand as i64).wrapping_neg();
                if neg >= 0 {
                    Num::F(-(significand as f64))
                } else {
                    Num::I(neg)
                }
            }
        })
    }

    fn decimal(&mut self, positive: bool, mut significand: u64, before: i32) -> R<f64> {
        self.eat();
        let mut after = 0;
        while let c @ b'0'..=b'9' = self.peek_or_null() {
            let digit = u64::from(c - b'0');
            if overflows_u64(significand, digit) {
                while self.peek_or_null().is_ascii_digit() {
                    self.eat();
                }
                return match self.peek_or_null() {
                    b'e' | b'E' => self.exponent(positive, significand, before + after),
                    _ => self.float(positive, significand, before + after),
                };
            }
            self.eat();
            significand = significand * 10 + digit;
            after -= 1;
        }
        if after == 0 {
            return Err(match self.peek() {
                Some(_) => self.peek_syntax(),
                None => self.peek_eof(),
            });
        }
        match self.peek_or_null() {
            b'e' | b'E' => self.exponent(positive, significand, before + after),
            _ => self.float(positive, significand, before + after),
        }
    }

    fn exponent(&mut self, positive: bool, significand: u64, starting: i32) -> R<f64> {
        self.eat();
        let positive_exp = match self.peek_or_null() {
            b'+' => {
                self.eat();
                true
            }
            b'-' => {
                self.eat();
                false
            }
            _ => true,
        };
        let mut exp = match self.next() {
            Some(c @ b'0'..=b'9') => i32::from(c - b'0'),
            Some(_) => return Err(self.syntax()),
            None => return Err(self.eof()),
        };
        while let c @ b'0'..=b'9' = self.peek_or_null() {
            self.eat();
            let digit = i32::from(c - b'0');
            if overflows_i32(exp, digit) {
                if significand != 0 && positive_exp {
                    return Err(self.syntax());
                }
                while self.peek_or_null().is_ascii_digit() {
                    self.eat();
                }
                return Ok(if positive { 0.0 } else { -0.0 });
            }
            exp = exp * 10 + digit;
        }
        let exponent = if positive_exp {
            starting.saturating_add(exp)
        } else {
            starting.saturating_sub(exp)
        };
        self.float(positive, significand, exponent)
    }

    fn long_integer(&mut self, positive: bool, significand: u64) -> R<f64> {
        let mut exponent = 0;
        loop {
            match self.peek_or_null() {
                b'0'..=b'9' => {
                    self.eat();
                    exponent += 1;
                }
                b'.' => return self.decimal(positive, significand, exponent),
                b'e' | b'E' => return self.exponent(positive, significand, exponent),
                _ => return self.float(positive, significand, exponent),
            }
        }
    }

    /// [`f64_from_parts`], out of range at the current byte.
    fn float(&self, positive: bool, significand: u64, exponent: i32) -> R<f64> {
        f64_from_parts(positive, significand, exponent).ok_or_else(|| self.syntax())
    }

    /// A number whose value is not kept (serde_json's `ignore_integer`): the grammar only, no range.
    fn skip_number(&mut self) -> R<()> {
        match self.next() {
            Some(b'0') => {
                if self.peek_or_null().is_ascii_digit() {
                    return Err(self.peek_syntax());
                }
            }
            Some(b'1'..=b'9') => self.skip_digits(),
            _ => return Err(self.syntax()),
        }
        if self.peek() == Some(b'.') {
            self.eat();
            if !self.peek_or_null().is_ascii_digit() {
                return Err(self.peek_syntax());
            }
            self.skip_digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.eat();
            if let Some(b'+' | b'-') = self.peek() {
                self.eat();
            }
            if !matches!(self.next(), Some(b'0'..=b'9')) {
                return Err(self.syntax());
            }
            self.skip_digits();
        }
        Ok(())
    }

    fn skip_digits(&mut self) {
        while self.peek_or_null().is_ascii_digit() {
            self.eat();
        }
    }

    /// A value that is not kept (serde_json's `ignore_value`, step for step): checked, without a
    /// nesting limit.
    fn skip_value(&mut self) -> R<()> {
        let mut stack: Vec<u8> = Vec::new();
        let mut enclosing: Option<u8> = None;
        loop {
            let Some(peek) = self.ws() else {
                return Err(self.peek_eof());
            };
            let opened = match peek {
                b'n' => {
                    self.literal(b"null")?;
                    None
                }
                b't' => {
                    self.literal(b"true")?;
                    None
                }
                b'f' => {
                    self.literal(b"false")?;
                    None
                }
                b'-' => {
                    self.eat();
                    self.skip_number()?;
                    None
                }
                b'0'..=b'9' => {
                    self.skip_number()?;
                    None
                }
                b'"' => {
                    self.eat();
                    self.skip_string_rest()?;
                    None
                }
                b'[' | b'{' => {
                    stack.extend(enclosing.take());
                    self.eat();
                    Some(peek)
                }
                _ => return Err(self.peek_syntax()),
            };
            let (mut accept_comma, mut frame) = match opened {
                Some(frame) => (false, frame),
                None => match enclosing.take().or_else(|| stack.pop()) {
                    Some(frame) => (true, frame),
                    None => return Ok(()),
                },
            };
            loop {
                match self.ws() {
                    Some(b',') if accept_comma => {
                        self.eat();
                        break;
                    }
                    Some(b']') if frame == b'[' => {}
                    Some(b'}') if frame == b'{' => {}
                    Some(_) if accept_comma => return Err(self.peek_syntax()),
                    Some(_) => break,
                    None => return Err(self.peek_eof()),
                }
                self.eat();
                let Some(outer) = stack.pop() else {
                    return Ok(());
                };
                frame = outer;
                accept_comma = true;
            }
            if frame == b'{' {
                match self.ws() {
                    Some(b'"') => self.eat(),
                    Some(_) => return Err(self.peek_syntax()),
                    None => return Err(self.peek_eof()),
                }
                self.skip_string_rest()?;
                self.colon()?;
            }
            enclosing = Some(frame);
        }
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        self.eat();
        self.ident(word.get(1..).unwrap_or_default())
    }

    /// serde_json's `peek_invalid_type`: the value that has the wrong type is read (a syntax error
    /// in it wins), and the data error is at its end, or at its first byte for an array or object.
    fn wrong_type(&mut self) -> Fail {
        let result = match self.peek_or_null() {
            b'n' => self.literal(b"null"),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'-' => {
                self.eat();
                self.integer(false).map(|_| ())
            }
            b'0'..=b'9' => self.integer(true).map(|_| ()),
            b'"' => {
                self.eat();
                self.string_rest().map(|_| ())
            }
            b'[' | b'{' => Ok(()),
            _ => return self.peek_syntax(),
        };
        match result {
            Ok(()) => Fail::Data(self.i),
            Err(e) => e,
        }
    }

    /// `null` (consumed: `true`), as `Option`'s `deserialize_option` checks for it.
    fn null(&mut self) -> R<bool> {
        if self.ws() == Some(b'n') {
            self.literal(b"null")?;
            return Ok(true);
        }
        Ok(false)
    }

    /// A string (`String`).
    fn string(&mut self) -> R<String> {
        match self.ws() {
            None => Err(self.peek_eof()),
            Some(b'"') => {
                self.eat();
                self.string_rest()
            }
            Some(_) => Err(self.wrong_type()),
        }
    }

    fn optional_string(&mut self) -> R<Option<String>> {
        if self.null()? {
            return Ok(None);
        }
        self.string().map(Some)
    }

    /// An `i64` (serde_json's `deserialize_number` with i64's visitor).
    fn i64(&mut self) -> R<i64> {
        let n = match self.ws() {
            None => return Err(self.peek_eof()),
            Some(b'-') => {
                self.eat();
                self.integer(false)?
            }
            Some(b'0'..=b'9') => self.integer(true)?,
            Some(_) => return Err(self.wrong_type()),
        };
        match n {
            Num::U(v) => i64::try_from(v).map_err(|_| Fail::Data(self.i)),
            Num::I(v) => Ok(v),
            Num::F(_) => Err(Fail::Data(self.i)),
        }
    }

    /// `Option<i64>`.
    fn optional_i64(&mut self) -> R<Option<i64>> {
        if self.null()? {
            return Ok(None);
        }
        self.i64().map(Some)
    }

    /// A NumericDate as `claims::numeric_date` reads it through `deserialize_any`.
    #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
    fn numeric_date(&mut self, round_up: bool) -> R<i64> {
        let n = match self.ws() {
            None => return Err(self.peek_eof()),
            Some(b'-') => {
                self.eat();
                self.integer(false)?
            }
            Some(b'0'..=b'9') => self.integer(true)?,
            Some(b'n' | b't' | b'f' | b'"') => return Err(self.wrong_type()),
            Some(b'[') => {
                self.enter()?;
                self.eat();
                // serde_json tries to close the array before placing the error.
                return Err(self.seq_level_error());
            }
            Some(b'{') => {
                self.enter()?;
                self.eat();
                return Err(self.object_level_error());
            }
            Some(_) => return Err(self.peek_syntax()),
        };
        Ok(match n {
            Num::U(v) => i64::try_from(v).unwrap_or(i64::MAX),
            Num::I(v) => v,
            // `as` saturates at the i64 bounds.
            Num::F(v) => (if round_up { v.ceil() } else { v.floor() }) as i64,
        })
    }

    /// Whether an array has another element (serde_json's `has_next_element`).
    fn next_element(&mut self, first: &mut bool) -> R<bool> {
        match self.ws() {
            None => Err(self.peek_eof()),
            Some(b']') => Ok(false),
            Some(_) if *first => {
                *first = false;
                Ok(true)
            }
            Some(b',') => {
                self.eat();
                match self.ws() {
                    Some(b']') => Err(self.peek_syntax()),
                    Some(_) => Ok(true),
                    None => Err(self.peek_eof()),
                }
            }
            Some(_) => Err(self.peek_syntax()),
        }
    }

    /// Whether an object has another member (serde_json's `has_next_key`); consumes the opening
    /// quote of its name.
    fn next_key(&mut self, first: &mut bool) -> R<bool> {
        let c = match self.ws() {
            None => return Err(self.peek_eof()),
            Some(b'}') => return Ok(false),
            Some(c) => c,
        };
        let quote = if *first {
            *first = false;
            Some(c)
        } else if c == b',' {
            self.eat();
            self.ws()
        } else {
            return Err(self.peek_syntax());
        };
        match quote {
            Some(b'"') => {
                self.eat();
                Ok(true)
            }
            // A trailing comma, or a name that is not a string.
            Some(_) => Err(self.peek_syntax()),
            None => Err(self.peek_eof()),
        }
    }

    /// The closing bracket that `next_element` or `next_key` found.
    fn close(&mut self) {
        self.ws();
        self.eat();
        self.leave();
    }

    /// serde_json's `end_seq` after the fields of a struct read from an array.
    fn end_seq(&mut self) -> R<()> {
        match self.ws() {
            Some(b']') => {
                self.eat();
                Ok(())
            }
            Some(b',') => {
                self.eat();
                self.ws();
                Err(self.peek_syntax())
            }
            Some(_) => Err(self.peek_syntax()),
            None => Err(self.peek_eof()),
        }
    }

    /// `Vec<String>` (serde_json's `deserialize_seq`).
    fn strings(&mut self) -> R<Vec<String>> {
        match self.ws() {
            None => return Err(self.peek_eof()),
            Some(b'[') => {}
            Some(_) => return Err(self.wrong_type()),
        }
        self.enter()?;
        self.eat();
        let mut items = Vec::new();
        let mut first = true;
        while self.next_element(&mut first)? {
            items.push(self.string()?);
        }
        self.close();
        Ok(items)
    }

    /// `Option<Vec<String>>` (`roles`).
    fn optional_strings(&mut self) -> R<Option<Vec<String>>> {
        if self.null()? {
            return Ok(None);
        }
        self.strings().map(Some)
    }

    /// `Vec<Loose>` (a JWKS's `keys`).
    fn loose_list(&mut self) -> R<Vec<Loose>> {
        match self.ws() {
            None => return Err(self.peek_eof()),
            Some(b'[') => {}
            Some(_) => return Err(self.wrong_type()),
        }
        match self.loose()? {
            Loose::List(items) => Ok(items),
            _ => Err(self.syntax()),
        }
    }

    /// Any value, kept as [`Loose`], with serde_json's checks (number range, nesting limit).
    fn loose(&mut self) -> R<Loose> {
        let Some(c) = self.ws() else {
            return Err(self.peek_eof());
        };
        Ok(match c {
            b'n' => {
                self.literal(b"null")?;
                Loose::Null
            }
            b't' => {
                self.literal(b"true")?;
                Loose::Other
            }
            b'f' => {
                self.literal(b"false")?;
                Loose::Other
            }
            b'-' => {
                self.eat();
                self.integer(false)?;
                Loose::Other
            }
            b'0'..=b'9' => {
                self.integer(true)?;
                Loose::Other
            }
            b'"' => {
                self.eat();
                Loose::Str(self.string_rest()?)
            }
            b'[' => {
                self.enter()?;
                self.eat();
                let mut items = Vec::new();
                let mut first = true;
                while self.next_element(&mut first)? {
                    items.push(self.loose()?);
                }
                self.close();
                Loose::List(items)
            }
            b'{' => {
                self.enter()?;
                self.eat();
                let mut members = Vec::new();
                let mut first = true;
                while self.next_key(&mut first)? {
                    let name = Loose::Str(self.string_rest()?);
                    self.colon()?;
                    members.push((name, self.loose()?));
                }
                self.close();
                Loose::Object(members)
            }
            _ => return Err(self.peek_syntax()),
        })
    }

    /// A data error raised by the visitor of an object (a repeated member, an `aud` of the wrong
    /// shape, a missing member): serde_json tries to close the object first (`end_map`) and places
    /// the error after that attempt.
    fn object_level_error(&mut self) -> Fail {
        if self.ws() == Some(b'}') {
            self.eat();
        }
        Fail::Data(self.i)
    }

    /// The same for the visitor of an array (`end_seq`): a closing bracket, or a comma and the
    /// whitespace after it, is consumed first.
    fn seq_level_error(&mut self) -> Fail {
        match self.ws() {
            Some(b']') => self.eat(),
            Some(b',') => {
                self.eat();
                self.ws();
            }
            _ => {}
        }
        Fail::Data(self.i)
    }

    /// Opens the top-level object (the text is known to start with `{` after whitespace).
    fn open_object(&mut self) -> R<()> {
        match self.ws() {
            None => return Err(self.peek_eof()),
            Some(b'{') => {}
            Some(_) => return Err(self.wrong_type()),
        }
        self.enter()?;
        self.eat();
        Ok(())
    }

    /// Nothing but whitespace may follow the top-level value (serde_json's `end`).
    fn end(&mut self) -> R<()> {
        if self.ws().is_some() {
            return Err(self.peek_syntax());
        }
        Ok(())
    }

    /// A struct as serde's derive reads it through serde_json's `deserialize_struct`: an object
    /// (unknown members skipped, a repeated field refused) or serde's positional form, an array of
    /// the fields in order. `read(self, k)` reads the value of field `names[k]`; the first
    /// `required` fields must be present, the others default when absent.
    fn structure(&mut self, names: &[&str], required: usize, read: FieldReader<'_, 'a>) -> R<()> {
        let Some(open) = self.ws() else {
            return Err(self.peek_eof());
        };
        if open != b'{' && open != b'[' {
            return Err(self.wrong_type());
        }
        self.enter()?;
        self.eat();
        if open == b'[' {
            let mut first = true;
            for k in 0..names.len() {
                if !self.next_element(&mut first)? {
                    if k < required {
                        return Err(self.seq_level_error());
                    }
                    break;
                }
                read(self, k)?;
            }
            self.end_seq()?;
            self.leave();
            return Ok(());
        }
        let mut seen = 0u32;
        let mut first = true;
        while self.next_key(&mut first)? {
            let name = self.string_rest()?;
            let Some(k) = names.iter().position(|n| *n == name) else {
                self.colon()?;
                self.skip_value()?;
                continue;
            };
            if seen & (1 << k) != 0 {
                return Err(self.object_level_error());
            }
            seen |= 1 << k;
            self.colon()?;
            read(self, k)?;
        }
        if (0..required).any(|k| seen & (1 << k) == 0) {
            return Err(self.object_level_error());
        }
        self.close();
        Ok(())
    }
}

/// serde_json's `f64_from_parts` (without `float_roundtrip`); `None` out of range.
fn f64_from_parts(positive: bool, significand: u64, mut exponent: i32) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)]
    let mut f = significand as f64;
    loop {
        match pow10(exponent.unsigned_abs()) {
            Some(pow) => {
                if exponent >= 0 {
                    f *= pow;
                    if f.is_infinite() {
                        return None;
                    }
                } else {
                    f /= pow;
                }
                break;
            }
            None => {
                if f == 0.0 {
                    break;
                }
                if exponent >= 0 {
                    return None;
                }
                f /= 1e308;
                exponent += 308;
            }
        }
    }
    Some(if positive { f } else { -f })
}

/// The claim names [`Claims`] reads, in its field order.
const CLAIMS: [&str; 9] = [
    "id", "roles", "iat", "nbf", "exp", "aud", "iss", "sub", "jti",
];

/// A token's claims from the text of its payload, as `Claims`'s `Deserialize` reads it from an
/// object.
pub(crate) fn claims(text: &[u8]) -> Result<Claims, Fail> {
    let mut r = Reader::new(text);
    r.open_object()?;
    let mut c = Claims::default();
    let mut seen = [false; CLAIMS.len()];
    let mut first = true;
    while r.next_key(&mut first)? {
        let name = r.string_rest()?;
        let Some(k) = CLAIMS.iter().position(|n| *n == name) else {
            r.colon()?;
            r.skip_value()?;
            continue;
        };
        if let Some(s) = seen.get_mut(k) {
            if *s {
                return Err(r.object_level_error());
            }
            *s = true;
        }
        r.colon()?;
        match k {
            0 => c.id = r.optional_i64()?,
            1 => c.roles = r.optional_strings()?,
            2 => c.iat = Some(r.numeric_date(false)?),
            3 => c.nbf = Some(r.numeric_date(true)?),
            4 => c.exp = Some(r.numeric_date(false)?),
            5 => {
                c.aud = if r.null()? {
                    None
                } else {
                    Some(Audience::from_loose(r.loose()?).ok_or_else(|| r.object_level_error())?)
                }
            }
            6 => c.iss = r.optional_string()?,
            7 => c.sub = r.optional_string()?,
            _ => c.jti = r.optional_string()?,
        }
    }
    r.close();
    r.end()?;
    Ok(c)
}

/// The JOSE header members authcore reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawHeader {
    pub alg: String,
    pub kid: Option<String>,
    pub typ: Option<String>,
    /// `crit` is present and not `null`.
    pub crit: bool,
    /// `b64` is present and not `null`.
    pub b64: bool,
}

const HEADER: [&str; 5] = ["alg", "kid", "typ", "crit", "b64"];

/// A token's header from the text of its first segment; `None` wherever the serde path refuses it.
pub(crate) fn header(text: &[u8]) -> Option<RawHeader> {
    let mut r = Reader::new(text);
    r.open_object().ok()?;
    let mut alg = None;
    let (mut kid, mut typ) = (None, None);
    let (mut crit, mut b64) = (None, None);
    let mut seen = [false; HEADER.len()];
    let mut first = true;
    while r.next_key(&mut first).ok()? {
        let name = r.string_rest().ok()?;
        r.colon().ok()?;
        let Some(k) = HEADER.iter().position(|n| *n == name) else {
            r.skip_value().ok()?;
            continue;
        };
        let s = seen.get_mut(k)?;
        if *s {
            return None;
        }
        *s = true;
        match k {
            0 => alg = Some(r.string().ok()?),
            1 => kid = r.optional_string().ok()?,
            2 => typ = r.optional_string().ok()?,
            _ => {
                let present = if r.null().ok()? {
                    false
                } else {
                    r.skip_value().ok()?;
                    true
                };
                if k == 3 {
                    crit = Some(present);
                } else {
                    b64 = Some(present);
                }
            }
        }
    }
    r.close();
    r.end().ok()?;
    Some(RawHeader {
        alg: alg?,
        kid,
        typ,
        crit: crit.unwrap_or(false),
        b64: b64.unwrap_or(false),
    })
}

/// The fields of a JWKS document (`JwksDocument`).
const JWKS: [&str; 1] = ["keys"];

/// The `keys` of a JWKS document, as `serde_json::from_slice` reads its `JwksDocument`.
pub(crate) fn jwks(text: &[u8]) -> Result<Vec<Loose>, Fail> {
    let mut r = Reader::new(text);
    let mut keys = Vec::new();
    r.structure(&JWKS, 1, &mut |r, _| {
        keys = r.loose_list()?;
        Ok(())
    })?;
    r.end()?;
    Ok(keys)
}

/// The fields of [`SessionUser`], then the tokens of authd's signin response (`SigninResponse`).
const SIGNIN: [&str; 6] = [
    "id",
    "username",
    "email",
    "roles",
    "accessToken",
    "refreshToken",
];

/// The fields of a stored [`Session`].
const STORED: [&str; 3] = ["user", "accessToken", "refreshToken"];

fn empty_user() -> SessionUser {
    SessionUser {
        id: 0,
        username: String::new(),
        email: String::new(),
        roles: Vec::new(),
    }
}

/// Field `k` of [`SessionUser`] (`SIGNIN`'s first four).
fn user_field(r: &mut Reader<'_>, user: &mut SessionUser, k: usize) -> R<()> {
    match k {
        0 => user.id = r.i64()?,
        1 => user.username = r.string()?,
        2 => user.email = r.string()?,
        _ => user.roles = r.strings()?,
    }
    Ok(())
}

/// authd's signin response as `serde_json::from_slice` reads its `SigninResponse`: the user and the
/// tokens as written (the caller checks them).
pub(crate) fn signin(text: &[u8]) -> Result<Session, Fail> {
    let mut r = Reader::new(text);
    let mut user = empty_user();
    let (mut access_token, mut refresh_token) = (String::new(), None);
    r.structure(&SIGNIN, 5, &mut |r, k| {
        match k {
            0..=3 => user_field(r, &mut user, k)?,
            4 => access_token = r.string()?,
            _ => refresh_token = r.optional_string()?,
        }
        Ok(())
    })?;
    r.end()?;
    Ok(Session {
        user,
        access_token,
        refresh_token,
    })
}

/// authd's refresh response as `serde_json::from_slice` reads its `RefreshResponse`: the access
/// token and the refresh token as written.
pub(crate) fn refresh(text: &[u8]) -> Result<(String, Option<String>), Fail> {
    let mut r = Reader::new(text);
    let (mut access_token, mut refresh_token) = (String::new(), None);
    r.structure(&STORED[1..], 1, &mut |r, k| {
        if k == 0 {
            access_token = r.string()?;
        } else {
            refresh_token = r.optional_string()?;
        }
        Ok(())
    })?;
    r.end()?;
    Ok((access_token, refresh_token))
}

/// A stored session as `serde_json::from_slice` reads a [`Session`].
pub(crate) fn stored_session(text: &[u8]) -> Result<Session, Fail> {
    let mut r = Reader::new(text);
    let mut user = empty_user();
    let (mut access_token, mut refresh_token) = (String::new(), None);
    r.structure(&STORED, 2, &mut |r, k| {
        match k {
            0 => r.structure(&SIGNIN[..4], 4, &mut |r, k| user_field(r, &mut user, k))?,
            1 => access_token = r.string()?,
            _ => refresh_token = r.optional_string()?,
        }
        Ok(())
    })?;
    r.end()?;
    Ok(Session {
        user,
        access_token,
        refresh_token,
    })
}

/// A [`SessionUser`] as serde_json writes it: `{"id","username","email","roles"}`.
pub(crate) fn user_json(user: &SessionUser) -> String {
    let mut w = ObjectWriter::new();
    w.optional_i64("id", Some(user.id));
    w.string("username", &user.username);
    w.string("email", &user.email);
    w.optional_strings("roles", Some(&user.roles));
    w.finish()
}

/// A [`Session`]'s stored form as serde_json writes it (no `refreshToken` when there is none).
pub(crate) fn session_json(session: &Session) -> String {
    let mut w = ObjectWriter::new();
    w.raw("user", &user_json(&session.user));
    w.string("accessToken", &session.access_token);
    if let Some(token) = &session.refresh_token {
        w.string("refreshToken", token);
    }
    w.finish()
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it.
pub(crate) fn push_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    // Runs of bytes that need no escape are copied whole; every byte that needs one is ASCII, so
    // each run starts and ends on a character boundary.
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..0x20 => "\\u00",
            _ => continue,
        };
        out.push_str(s.get(run..i).unwrap_or_default());
        out.push_str(escape);
        if escape == "\\u00" {
            out.push(char::from(
                HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
            ));
            out.push(char::from(
                HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
            ));
        }
        run = i + 1;
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

/// Appends `n` in decimal.
pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            // `n % 10` < 10.
            #[allow(clippy::cast_possible_truncation)]
            {
                *d = b'0' + (n % 10) as u8;
            }
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in digits.get(at..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// Appends `n` in decimal.
pub(crate) fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

/// Writes a JSON object member by member, as serde_json writes a struct.
pub(crate) struct ObjectWriter {
    out: String,
}

impl ObjectWriter {
    pub(crate) fn new() -> ObjectWriter {
        ObjectWriter {
            out: String::from("{"),
        }
    }

    fn name(&mut self, name: &str) {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        push_string(&mut self.out, name);
        self.out.push(':');
    }

    pub(crate) fn string(&mut self, name: &str, value: &str) {
        self.name(name);
        push_string(&mut self.out, value);
    }

    pub(crate) fn optional_string(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(v) => self.string(name, v),
            None => self.null(name),
        }
    }

    pub(crate) fn optional_i64(&mut self, name: &str, value: Option<i64>) {
        self.name(name);
        match value {
            Some(v) => push_i64(&mut self.out, v),
            None => self.out.push_str("null"),
        }
    }

    pub(crate) fn optional_strings(&mut self, name: &str, value: Option<&[String]>) {
        self.name(name);
        match value {
            Some(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    push_string(&mut self.out, item);
                }
                self.out.push(']');
            }
            None => self.out.push_str("null"),
        }
    }

    /// A member whose value is already JSON text.
    pub(crate) fn raw(&mut self, name: &str, json: &str) {
        self.name(name);
        self.out.push_str(json);
    }

    pub(crate) fn bool(&mut self, name: &str, value: bool) {
        self.name(name);
        self.out.push_str(if value { "true" } else { "false" });
    }

    fn null(&mut self, name: &str) {
        self.name(name);
        self.out.push_str("null");
    }

    pub(crate) fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// `1e{k}` as a literal gives it (the f64 nearest 10^k, ties to even) for `k` in 0..=308, the
/// values of serde_json's table `POW10`; `None` beyond. Computed, not tabled: the 309 entries
/// would be ~2.5 KB of incompressible data in each WebAssembly module. 10^k = 5^k · 2^k, and
/// 5^k (at most 716 bits) is built exactly in 12 limbs, then rounded to 53 bits.
fn pow10(k: u32) -> Option<f64> {
    const LIMBS: usize = 12;
    if k > 308 {
        return None;
    }
    // 5^k, little-endian limbs.
    let mut n = [0u64; LIMBS];
    n[0] = 1;
    for _ in 0..k {
        let mut carry = 0u64;
        for limb in &mut n {
            let wide = u128::from(*limb) * 5 + u128::from(carry);
            // The low 64 bits; the high ones carry.
            #[allow(clippy::cast_possible_truncation)]
            {
                *limb = wide as u64;
                carry = (wide >> 64) as u64;
            }
        }
    }
    let top = n.iter().rposition(|&limb| limb != 0).unwrap_or(0);
    // Bits below the leading one; `bits + 1` is the bit length of 5^k.
    let bits = 64 * top as u32 + 63 - n[top].leading_zeros();
    let bit = |i: u32| n[(i / 64) as usize] >> (i % 64) & 1;
    // The 53 leading bits, then round to nearest, ties to even, on the bits below them.
    let mut mantissa = 0u64;
    let first = bits.saturating_sub(52);
    for i in (first..=bits).rev() {
        mantissa = mantissa << 1 | bit(i);
    }
    let mut exponent = bits + k;
    if first > 0 {
        let half = bit(first - 1) == 1;
        let sticky = (0..first - 1).any(|i| bit(i) == 1);
        if half && (sticky || mantissa & 1 == 1) {
            mantissa += 1;
            if mantissa == 1 << 53 {
                mantissa >>= 1;
                exponent += 1;
            }
        }
    } else {
        // Fewer than 53 bits: exact, the leading one moved to bit 52.
        mantissa <<= 52 - bits;
    }
    // 10^k = 1.f · 2^exponent, with exponent at most 1023 for k ≤ 308.
    Some(f64::from_bits(
        u64::from(exponent + 1023) << 52 | (mantissa & ((1 << 52) - 1)),
    ))
}

#[cfg(test)]
mod tests {
    use super::pow10;

    #[test]
    fn powers_of_ten_are_the_nearest_doubles_as_the_literals_are() {
        for k in 0..=308u32 {
            let literal: f64 = format!("1e{k}").parse().unwrap();
            assert_eq!(pow10(k).map(f64::to_bits), Some(literal.to_bits()), "1e{k}");
        }
        assert_eq!(pow10(309), None);
        assert_eq!(pow10(u32::MAX), None);
    }
}
