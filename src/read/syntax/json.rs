//! Strict JSON (RFC 8259) into the spanned `Node` tree: no comments, no trailing commas, bounded depth,
//! duplicate keys reported as warnings (the last one wins, as in Python's `json`).

use super::{Entry, Node, ParseError, ParseWarning, Parsed, Text, Value, MAX_DEPTH};
use crate::base::span::Span;
use crate::base::FastMap;
use std::collections::hash_map::Entry as Slot;

pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let (open_entries, open_items) = OPEN.take();
    let mut p = Parser {
        src: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
        warnings: Vec::new(),
        open_entries,
        open_items,
    };
    let parsed = p.document();
    if p.open_entries.capacity() + p.open_items.capacity() <= KEPT_OPEN {
        p.open_entries.clear();
        p.open_items.clear();
        OPEN.set((p.open_entries, p.open_items));
    }
    Ok(Parsed {
        root: parsed?,
        warnings: p.warnings,
    })
}

thread_local! {
    /// The open entries and items of the thread's last document, emptied, for its next: a worker
    /// parses hundreds of files, and growing the stacks afresh for each cost 7k reallocations on
    /// the shared corpus. Stacks a huge document grew past `KEPT_OPEN` are freed instead.
    static OPEN: std::cell::Cell<(Vec<Entry>, Vec<Node>)> = const { std::cell::Cell::new((Vec::new(), Vec::new())) };
}

const KEPT_OPEN: usize = 1 << 14;

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    depth: usize,
    warnings: Vec<ParseWarning>,
    /// The entries and items of the objects and arrays still open, innermost last: each moves into
    /// a vector of its exact size when it closes, so no tree vector grows by doubling.
    open_entries: Vec<Entry>,
    open_items: Vec<Node>,
}

/// The position of the first byte at or after `from` that ends a run of string text: a quote, a
/// backslash or a control character (which JSON strings may not hold raw). Eight bytes a step,
/// each byte tested exactly (the sums stay within a byte, so no test borrows from its neighbour).
fn special_byte(src: &[u8], from: usize) -> Option<usize> {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let is_byte = |w: u64, b: u8| {
        let x = w ^ (u64::from(b) * 0x0101_0101_0101_0101);
        !(((x & LOW) + LOW) | x | LOW)
    };
    let mut at = from;
    while let Some(chunk) = src.get(at..at + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let control = !(((w & LOW) + 0x6060_6060_6060_6060) | w) & HIGH;
        let found = is_byte(w, b'"') | is_byte(w, b'\\') | control;
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    src[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| at + i)
}

/// Past this many keys an object finds duplicates through a hash index, not by scanning, so a
/// hostile object with a million keys costs linear time.
const KEYS_SCANNED: usize = 16;

impl Parser<'_> {
    /// One value and nothing after it but whitespace (a byte order mark may come first).
    fn document(&mut self) -> Result<Node, ParseError> {
        if self.text.starts_with('\u{feff}') {
            self.pos = 3;
        }
        self.skip_ws();
        let root = self.value()?;
        self.skip_ws();
        if self.pos < self.src.len() {
            return Err(self.error_here("unexpected content after the JSON value"));
        }
        Ok(root)
    }

    fn error_here(&self, message: &str) -> ParseError {
        let end = (self.pos + 1).min(self.src.len());
        let end = (end..=self.src.len())
            .find(|&i| self.text.is_char_boundary(i))
            .unwrap_or(self.src.len());
        ParseError {
            span: Span::new(self.pos, end),
            message: message.to_string(),
        }
    }

    fn describe_here(&self) -> String {
        match self.text[self.pos..].chars().next() {
            None => "end of file".to_string(),
            Some(c) if c.is_control() => format!("control character U+{:04X}", c as u32),
            Some(c) => format!("`{c}`"),
        }
    }

    fn expected(&self, what: &str) -> ParseError {
        self.error_here(&format!("expected {what}, found {}", self.describe_here()))
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.src.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    self.skip_indent();
                }
                _ => break,
            }
        }
    }

    /// The spaces that open a line, eight at a time: 30% of the JSON bytes in the shared corpus are
    /// indentation.
    fn skip_indent(&mut self) {
        const SPACES: u64 = u64::from_le_bytes(*b"        ");
        while let Some(chunk) = self.src.get(self.pos..self.pos + 8) {
            let other = u64::from_le_bytes(chunk.try_into().expect("eight bytes")) ^ SPACES;
            // The spaces before the first other byte: all eight when there is none.
            self.pos += other.trailing_zeros() as usize / 8;
            if other != 0 {
                break;
            }
        }
    }

    fn value(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        let value = match self.src.get(self.pos) {
            Some(b'{') => self.nested(Self::object)?,
            Some(b'[') => self.nested(Self::array)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b'/') => return Err(self.error_here("comments are not allowed in JSON")),
            _ => return Err(self.expected("a value")),
        };
        Ok(Node {
            value,
            span: Span::new(start, self.pos),
        })
    }

    fn nested(
        &mut self,
        f: fn(&mut Self) -> Result<Value, ParseError>,
    ) -> Result<Value, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error_here(&format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, ParseError> {
        if self.src[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.expected("a value"))
        }
    }

    fn object(&mut self) -> Result<Value, ParseError> {
        self.pos += 1;
        let base = self.open_entries.len();
        // Key → where it was first defined, once the object is too large to scan.
        let mut index: Option<FastMap<Text, Span>> = None;
        self.skip_ws();
        if self.src.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Value::Object(Vec::new()));
        }
        loop {
            self.skip_ws();
            if self.src.get(self.pos) != Some(&b'"') {
                let what = if self.src.get(self.pos) == Some(&b'}') {
                    "a key (trailing commas are not allowed)"
                } else {
                    "a string key"
                };
                return Err(self.expected(what));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_ws();
            if self.src.get(self.pos) != Some(&b':') {
                return Err(self.expected("`:`"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value()?;
            let open = &self.open_entries[base..];
            if index.is_none() && open.len() >= KEYS_SCANNED {
                let mut built = FastMap::default();
                for e in open {
                    built.entry(e.key.clone()).or_insert(e.key_span);
                }
                index = Some(built);
            }
            let first = match &mut index {
                Some(index) => match index.entry(key.clone()) {
                    Slot::Occupied(first) => Some(*first.get()),
                    Slot::Vacant(slot) => {
                        slot.insert(key_span);
                        None
                    }
                },
                None => open.iter().find(|e| e.key == key).map(|e| e.key_span),
            };
            if let Some(first) = first {
                self.warnings.push(ParseWarning {
                    span: key_span,
                    message: format!("duplicate key `{key}`; the last one wins"),
                    first,
                });
            }
            self.open_entries.push(Entry {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.src.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(self.open_entries.drain(base..).collect()));
                }
                _ => return Err(self.expected("`,` or `}`")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, ParseError> {
        self.pos += 1;
        let base = self.open_items.len();
        self.skip_ws();
        if self.src.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Value::Array(Vec::new()));
        }
        loop {
            self.skip_ws();
            if self.src.get(self.pos) == Some(&b']') {
                return Err(self.error_here("trailing commas are not allowed in JSON"));
            }
            let item = self.value()?;
            self.open_items.push(item);
            self.skip_ws();
            match self.src.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(self.open_items.drain(base..).collect()));
                }
                _ => return Err(self.expected("`,` or `]`")),
            }
        }
    }

    fn string(&mut self) -> Result<Text, ParseError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = Text::default();
        loop {
            let run_start = self.pos;
            let Some(run_end) = special_byte(self.src, self.pos) else {
                self.pos = open;
                return Err(self.error_here("unterminated string"));
            };
            self.pos = run_end;
            match self.src[self.pos] {
                // Most strings have no escape: taken whole, inline when short.
                b'"' if out.is_empty() => {
                    self.pos += 1;
                    return Ok(Text::from(&self.text[run_start..run_end]));
                }
                b'"' => {
                    out.push_str(&self.text[run_start..run_end]);
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(&self.text[run_start..run_end]);
                    self.escape(&mut out)?;
                }
                _ => {
                    return Err(
                        self.error_here("control characters must be escaped in JSON strings")
                    )
                }
            }
        }
    }

    fn escape(&mut self, out: &mut Text) -> Result<(), ParseError> {
        let esc_start = self.pos;
        self.pos += 1;
        let c = match self.src.get(self.pos) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let hi = self.hex4(esc_start)?;
                let c =
                    if (0xD800..0xDC00).contains(&hi) && self.src[self.pos..].starts_with(b"\\u") {
                        let save = self.pos;
                        self.pos += 2;
                        let lo = self.hex4(esc_start)?;
                        if (0xDC00..0xE000).contains(&lo) {
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                        } else {
                            self.pos = save;
                            None
                        }
                    } else {
                        char::from_u32(hi)
                    };
                // A lone surrogate cannot be represented; keep the replacement character.
                out.push(c.unwrap_or('\u{fffd}'));
                return Ok(());
            }
            _ => {
                self.pos = esc_start;
                return Err(self.error_here("invalid escape sequence"));
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self, esc_start: usize) -> Result<u32, ParseError> {
        let digits = self.src.get(self.pos..self.pos + 4);
        match digits
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u32::from_str_radix(d, 16).ok())
        {
            Some(v) if digits.is_some_and(|d| d.iter().all(u8::is_ascii_hexdigit)) => {
                self.pos += 4;
                Ok(v)
            }
            _ => {
                self.pos = esc_start;
                Err(self.error_here("invalid \\u escape: expected four hex digits"))
            }
        }
    }

    fn number(&mut self) -> Result<Value, ParseError> {
        let start = self.pos;
        if self.src[self.pos] == b'-' {
            self.pos += 1;
        }
        match self.src.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.expected("a digit")),
        }
        if self.src.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if !self.src.get(self.pos).is_some_and(u8::is_ascii_digit) {
                return Err(self.expected("a digit after `.`"));
            }
            self.digits();
        }
        if matches!(self.src.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.src.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !self.src.get(self.pos).is_some_and(u8::is_ascii_digit) {
                return Err(self.expected("a digit in the exponent"));
            }
            self.digits();
        }
        Ok(Value::Number(self.text[start..self.pos].into()))
    }

    fn digits(&mut self) {
        while self.src.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Indentation of every width, mixed with tabs and carriage returns, is skipped to the byte.
    #[test]
    fn indentation_is_skipped_exactly() {
        for width in 0..40 {
            for tail in ["", "\t", "\r\n  ", " \t "] {
                let pad = format!("\n{}{tail}", " ".repeat(width));
                let text = format!("{{{pad}\"a\":{pad}[{pad}1,{pad}\"x\"{pad}]{pad}}}{pad}");
                let root = parse(&text).expect("parses").root;
                let a = root.entry("a").expect("has a");
                assert_eq!(&text[a.key_span.range()], "\"a\"");
                let items = a.value.as_array().expect("a list");
                assert_eq!(&text[items[0].span.range()], "1");
                assert_eq!(&text[items[1].span.range()], "\"x\"");
                assert_eq!(text[a.value.span.range()].chars().last(), Some(']'));
            }
        }
    }

    /// The word-at-a-time search stops where a byte-by-byte one does, at every offset and alignment.
    #[test]
    fn special_bytes_are_found_exactly() {
        let alphabet: &[u8] = b"a\"\\\x00\x1f\x20\x7f\x80\xc3\xe9\xff!#/\\\n\t";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let len = (state % 40) as usize;
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // Mostly plain letters, as strings are.
                    let pick = (state >> 32) as usize % (alphabet.len() * 4);
                    alphabet.get(pick).copied().unwrap_or(b'x')
                })
                .collect();
            for from in 0..=len {
                let naive = text[from..]
                    .iter()
                    .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                    .map(|i| from + i);
                assert_eq!(special_byte(&text, from), naive, "{text:?} from {from}");
            }
        }
    }

    fn err(text: &str) -> ParseError {
        parse(text).expect_err(text)
    }

    #[test]
    fn spans_cover_keys_and_values() {
        let text = r#"{"a": [1, "x\u00e9"], "b": {"c": null}}"#;
        let root = parse(text).unwrap().root;
        let a = root.entry("a").unwrap();
        assert_eq!(&text[a.key_span.range()], "\"a\"");
        assert_eq!(&text[a.value.span.range()], "[1, \"x\\u00e9\"]");
        assert_eq!(a.value.as_array().unwrap()[1].as_str(), Some("xé"));
        assert!(root.get("b").unwrap().get("c").unwrap().is_null());
    }

    #[test]
    fn strictness() {
        assert!(err("{\"a\": 1,}").message.contains("trailing"));
        assert!(err("[1,]").message.contains("trailing"));
        assert!(err("// x\n{}").message.contains("comments"));
        assert!(err("{\"a\": 1} x").message.contains("after"));
        assert!(err("\"a\nb\"").message.contains("control"));
        assert!(err("[01]").message.contains("`,` or `]`"));
        assert!(err("\"\\x\"").message.contains("escape"));
        assert!(err("\"abc").message.contains("unterminated"));
        assert_eq!(err("{\"a\" 1}").span, Span::new(5, 6));
        assert!(err("").message.contains("end of file"));
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(100_000);
        assert!(err(&deep).message.contains("nesting"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn duplicates_warn_and_last_wins() {
        let p = parse(r#"{"k": 1, "k": 2}"#).unwrap();
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(p.root.get("k").unwrap().value, Value::Number("2".into()));
    }

    /// Large objects find duplicates through an index: the same warnings, pointing at the first
    /// definition, whether the earlier key was scanned or indexed.
    #[test]
    fn duplicates_in_large_objects() {
        let mut keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        keys.push("\"k3\": 0".into());
        keys.push("\"k50\": 0".into());
        keys.push("\"k3\": 1".into());
        let text = format!("{{{}}}", keys.join(", "));
        let p = parse(&text).unwrap();
        let shown: Vec<(&str, &str)> = p
            .warnings
            .iter()
            .map(|w| (&text[w.span.range()], &text[w.first.range()]))
            .collect();
        assert_eq!(
            shown,
            [
                ("\"k3\"", "\"k3\""),
                ("\"k50\"", "\"k50\""),
                ("\"k3\"", "\"k3\"")
            ]
        );
        assert!(p.warnings.iter().all(|w| w.first.start < 1000));
        assert_eq!(p.root.get("k3").unwrap().value, Value::Number("1".into()));
        let wide = format!(
            "{{{}}}",
            (0..200_000)
                .map(|i| format!("\"k{i}\": 0"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert!(parse(&wide).unwrap().warnings.is_empty());
    }

    #[test]
    fn bom_and_surrogates() {
        let p = parse("\u{feff}[\"\\ud83d\\ude00\", \"\\ud800\"]").unwrap();
        let items = p.root.as_array().unwrap();
        assert_eq!(items[0].as_str(), Some("😀"));
        assert_eq!(items[1].as_str(), Some("\u{fffd}"));
    }
}
