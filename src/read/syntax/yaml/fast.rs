//! A fast reader for the YAML that CloudFormation templates, ORB configs and Kubernetes-style files
//! are written in: block mappings and sequences (compact `- key: value` entries and sequences at
//! their key's indentation included), plain and quoted scalars on one line, literal and folded
//! block scalars, flow collections on one line, comments, `!Name` tags on any of these, and the
//! `---` and `...` lines around the first document.
//!
//! It gives exactly what `parse_with_saphyr` gives — tree, spans and duplicate-key warnings — by
//! following saphyr's token positions and reusing that reader's typing, tag names and span rules.
//! Anything else it declines (`None`) and saphyr reads the text: anchors, aliases and merge keys, `?` keys,
//! directives, lone carriage returns, control characters, a byte order mark, tabs outside scalars
//! and comments, scalars and flow collections over several lines, escapes it does not know, and
//! every error, so error messages are always saphyr's. A decline costs a second read; a construct
//! read differently would change a tree, so any doubt is a decline.

use super::{key_text, local_tag_name, scalar_end, scalar_value, wrap_in_tag, Entries, ScalarTag};
use crate::base::span::Span;
use crate::read::syntax::{Entry, Node, Parsed, Text, Value, MAX_DEPTH};
use saphyr_parser::ScalarStyle;
use std::borrow::Cow;

/// Nesting (collections and tags) past which the reader declines: well inside `MAX_DEPTH`, so the
/// saphyr path's nesting errors are never skipped.
const DEPTH_LIMIT: usize = MAX_DEPTH / 2;

/// How far a block mapping key may run to its `:`: saphyr stops looking for the `:` of a key after
/// 1024 characters (a byte count at most this long is never more characters).
const KEY_LIMIT: usize = 1024;

/// The first document of `text` as `parse_with_saphyr` reads it, or `None` when the text is not in
/// the subset this reader is certain of.
pub fn read(text: &str) -> Option<Parsed> {
    if !plain_bytes(text.as_bytes()) {
        return None;
    }
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        warnings: Vec::new(),
    };
    let body = reader.document_body()?;
    let root = match reader.next_line(body)? {
        // saphyr gives an empty explicit document (`---` alone) a span of its own.
        None if body > 0 => return None,
        None => Node {
            value: Value::Null,
            span: Span::default(),
        },
        Some(line) => {
            // No key holds the root: like a sequence entry, a tag alone is not followed by its
            // own sequence.
            let (root, next) = reader.node(line, 0, Holder::Sequence, ScalarTag::Untagged, 1)?;
            // A less indented line after the root ends saphyr's first document; a scalar root
            // follows rules of its own.
            if next.is_some() || !matches!(root.value, Value::Array(_) | Value::Object(_)) {
                return None;
            }
            root
        }
    };
    Some(Parsed {
        root,
        warnings: reader.warnings,
    })
}

/// No control character but tabs and line breaks (`\n` or `\r\n`), and no byte order mark: each has
/// rules of its own (lone `\r` breaks, BOMs between documents) this reader leaves to saphyr. A `\r`
/// is thus always the start of a `\r\n` line break. Tabs are taken only inside block and quoted scalars and comments: everywhere else, where
/// saphyr has rules for tabs as blanks, they make the reader decline.
fn plain_bytes(bytes: &[u8]) -> bool {
    // `b | 4 == b'\r'` exactly for `\t` and `\r`: two tests, not three, in this hot loop.
    let controls = bytes.chunks(64).any(|chunk| {
        chunk.iter().fold(false, |seen, &b| {
            seen | (b < b' ' && b != b'\n' && (b | 4) != b'\r')
        })
    });
    !controls
        && memchr::memchr_iter(b'\r', bytes).all(|at| bytes.get(at + 1) == Some(&b'\n'))
        && memchr::memmem::find(bytes, "\u{feff}".as_bytes()).is_none()
}

/// A line with content (not blank, not only a comment): where it starts and how many spaces
/// indent it. Inside compact entries (`- - a`, `- key: a`) `indent` is the column the nested node
/// starts at.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    indent: usize,
}

impl Line {
    fn content(self) -> usize {
        self.start + self.indent
    }
}

/// A node and the first content line after it (`None` at the end of the text).
type Read = (Node, Option<Line>);

/// A scalar on one line.
struct Scalar<'a> {
    value: Cow<'a, str>,
    style: ScalarStyle,
    start: usize,
    /// After its last non-blank character or its closing quote.
    end: usize,
    /// The first non-blank byte after it.
    after: usize,
}

/// The merge key `<<`, which saphyr's path expands (`yaml::merged`).
fn is_merge_key(key: &Scalar) -> bool {
    key.style == ScalarStyle::Plain && key.value == "<<"
}

/// What holds a node: after a tag at a mapping key's indentation, a `-` starts the tagged
/// node's sequence, and in a sequence its next entry.
#[derive(Clone, Copy, PartialEq)]
enum Holder {
    Mapping,
    Sequence,
}

#[derive(Clone, Copy, PartialEq)]
enum Chomping {
    Strip,
    Clip,
    Keep,
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    warnings: Vec<crate::read::syntax::ParseWarning>,
}

/// saphyr's tag characters (URI characters less flow indicators and `!`), less `%`, which starts an
/// escape.
fn is_tag_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-#;/?:@&=+$_.~*'()".contains(&b)
}

fn is_flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'a> Reader<'a> {
    fn skip_spaces(&self, mut at: usize) -> usize {
        while self.bytes.get(at) == Some(&b' ') {
            at += 1;
        }
        at
    }

    /// Past the spaces at `at`, eight at a time: for indentation, where there are often more than a
    /// few.
    fn skip_indentation(&self, mut at: usize) -> usize {
        while let Some(word) = word_at(self.bytes, at) {
            let not_space = word ^ (ONES * u64::from(b' '));
            if not_space != 0 {
                return at + not_space.trailing_zeros() as usize / 8;
            }
            at += 8;
        }
        self.skip_spaces(at)
    }

    /// The line break (`\n` or `\r\n`) ending the line `at` is on, or the end of the text.
    fn line_end(&self, at: usize) -> usize {
        match memchr::memchr(b'\n', &self.bytes[at..]) {
            Some(i) if i > 0 && self.bytes[at + i - 1] == b'\r' => at + i - 1,
            Some(i) => at + i,
            None => self.bytes.len(),
        }
    }

    /// The start of the line after the one `at` is on.
    fn next_line_start(&self, at: usize) -> usize {
        match self.bytes.get(at) {
            Some(b'\n') => at + 1,
            // Always the start of a `\r\n` (`plain_bytes`).
            Some(b'\r') => at + 2,
            _ => memchr::memchr(b'\n', &self.bytes[at..]).map_or(self.bytes.len(), |i| at + i + 1),
        }
    }

    /// A blank, a line break or the end of the text: what ends `-`, `:` and tags as indicators.
    fn blank_or_end(&self, at: usize) -> bool {
        matches!(self.bytes.get(at), None | Some(b' ' | b'\n' | b'\r'))
    }

    /// Whether nothing but a comment follows on the line: `at` is past any blanks, and a `#` there
    /// follows one.
    fn line_ends_at(&self, at: usize) -> bool {
        matches!(self.bytes.get(at), None | Some(b'\n' | b'\r' | b'#'))
    }

    /// The first line with content (not blank, not only a comment) from the line starting at
    /// `from`.
    fn content_line(&self, mut from: usize) -> Option<Line> {
        loop {
            let at = self.skip_indentation(from);
            match self.bytes.get(at) {
                None => return None,
                Some(b'\n' | b'\r') => from = self.next_line_start(at),
                Some(b'#') => from = self.next_line_start(at),
                Some(_) => {
                    return Some(Line {
                        start: from,
                        indent: at - from,
                    })
                }
            }
        }
    }

    /// `---` or `...` opening `line`: a document marker.
    fn document_marker(&self, line: Line) -> Option<u8> {
        let at = line.start;
        let b = *self.bytes.get(at)?;
        (line.indent == 0
            && matches!(b, b'-' | b'.')
            && self.bytes[at..].starts_with(&[b, b, b])
            && self.blank_or_end(at + 3))
        .then_some(b)
    }

    /// Where the first document's content may start: past a `---` line opening it. Declines at a
    /// `...` before it and at content on the `---` line (`--- !Tag`, `--- text`).
    fn document_body(&self) -> Option<usize> {
        let Some(first) = self.content_line(0) else {
            return Some(0);
        };
        match self.document_marker(first) {
            None => Some(0),
            Some(b'-') => {
                let after = self.skip_spaces(first.start + 3);
                self.line_ends_at(after)
                    .then(|| self.next_line_start(after))
            }
            Some(_) => None,
        }
    }

    /// The first content line from the line starting at `from`, past blank and comment lines;
    /// `Some(None)` at the end of the text or of the first document (a `---` or `...` line).
    /// Declines at content after a `...`, which saphyr rejects.
    fn next_line(&self, from: usize) -> Option<Option<Line>> {
        let Some(line) = self.content_line(from) else {
            return Some(None);
        };
        match self.document_marker(line) {
            None => Some(Some(line)),
            Some(b'-') => Some(None),
            Some(_) => self
                .line_ends_at(self.skip_spaces(line.start + 3))
                .then_some(None),
        }
    }

    /// After a node that ends its line: blanks and a comment, then the next content line.
    fn end_line(&self, at: usize) -> Option<Option<Line>> {
        let at = self.skip_spaces(at);
        match self.bytes.get(at) {
            None => Some(None),
            Some(b'\n' | b'\r') => self.next_line(self.next_line_start(at)),
            Some(b'#') if self.bytes[at - 1] == b' ' => self.next_line(self.next_line_start(at)),
            _ => None,
        }
    }

    /// A block sequence entry's `-`.
    fn is_entry(&self, at: usize) -> bool {
        self.bytes.get(at) == Some(&b'-') && self.blank_or_end(at + 1)
    }

    /// Where saphyr places a block entry: past the `-`, its blanks and a comment after them.
    fn entry_mark(&self, dash: usize) -> usize {
        let at = self.skip_spaces(dash + 1);
        if at > dash + 1 && self.bytes.get(at) == Some(&b'#') {
            self.line_end(at)
        } else {
            at
        }
    }

    /// Whether a plain or quoted scalar starts at `at`. Inside flow collections saphyr also takes
    /// `|`, `>` and a few other indicators for plain scalars; those are left to it.
    fn starts_scalar(&self, at: usize) -> bool {
        match self.bytes.get(at) {
            None => false,
            Some(b'-' | b'?' | b':') => !self.blank_or_end(at + 1),
            Some(&b) => !matches!(
                b,
                b' ' | b'\t'
                    | b'\n'
                    | b'\r'
                    | b'#'
                    | b'&'
                    | b'*'
                    | b'!'
                    | b'|'
                    | b'>'
                    | b'%'
                    | b'@'
                    | b'`'
                    | b','
                    | b'['
                    | b']'
                    | b'{'
                    | b'}'
            ),
        }
    }

    /// A node starting at `line.content()` where a block collection may start too: on a line of
    /// its own, or after a `-` (`- - a`, `- key: a`). `column` is the collection holding it; `tag`
    /// is `Other` for the node of a tag on the line above.
    fn node(
        &mut self,
        line: Line,
        column: usize,
        holder: Holder,
        tag: ScalarTag,
        depth: usize,
    ) -> Option<Read> {
        if depth > DEPTH_LIMIT {
            return None;
        }
        let at = line.content();
        if self.is_entry(at) {
            return self.sequence(line, false, depth);
        }
        if !self.starts_scalar(at) {
            return self.inline_node(at, column, holder, depth);
        }
        let scalar = self.scalar(at, false)?;
        if self.is_key(&scalar) {
            return self.mapping(line, scalar, depth);
        }
        self.scalar_to_line_end(&scalar, at, tag)
    }

    /// A block mapping at `line.indent` whose first key is `key`.
    fn mapping(&mut self, line: Line, mut key: Scalar<'a>, depth: usize) -> Option<Read> {
        let column = line.indent;
        let start = key.start;
        let mut end = start;
        let mut entries = Entries::default();
        loop {
            if key.after - key.start > KEY_LIMIT || is_merge_key(&key) {
                return None;
            }
            let key_node = scalar_node(&key, key.start, ScalarTag::Untagged);
            let key_span = key_node.span;
            let key_text = key_text(self.text, key_node);
            let (value, next) = self.mapping_value(key.after, column, depth + 1)?;
            end = end.max(key_span.end as usize).max(value.span.end as usize);
            entries.push(
                Entry {
                    key: key_text,
                    key_span,
                    value,
                },
                &mut self.warnings,
            );
            match next {
                Some(l) if l.indent == column && self.starts_scalar(l.content()) => {
                    key = self.scalar(l.content(), false)?;
                    if !self.is_key(&key) {
                        return None;
                    }
                }
                Some(l) if l.indent >= column => return None,
                _ => {
                    let node = Node {
                        value: Value::Object(entries.list),
                        span: Span::new(start, end),
                    };
                    return Some((node, next));
                }
            }
        }
    }

    /// Whether a scalar is a block mapping key: `:` and a blank follow it on its line.
    fn is_key(&self, scalar: &Scalar) -> bool {
        self.bytes.get(scalar.after) == Some(&b':') && self.blank_or_end(scalar.after + 1)
    }

    /// The value after the `:` at `colon` of a key in a mapping at `column`.
    fn mapping_value(&mut self, colon: usize, column: usize, depth: usize) -> Option<Read> {
        let at = self.skip_spaces(colon + 1);
        if !self.line_ends_at(at) {
            return self.inline_node(at, column, Holder::Mapping, depth);
        }
        let next = self.next_line(self.next_line_start(at))?;
        match next {
            Some(l) if l.indent > column => {
                self.node(l, column, Holder::Mapping, ScalarTag::Untagged, depth)
            }
            Some(l) if l.indent == column && self.is_entry(l.content()) => {
                self.sequence(l, true, depth)
            }
            // An empty value: saphyr places its null at the `:`.
            _ => Some((null_at(colon), next)),
        }
    }

    /// A block sequence whose first `-` is on `line`; `indentless` when it sits at the indentation
    /// of the key it is the value of.
    fn sequence(&mut self, line: Line, indentless: bool, depth: usize) -> Option<Read> {
        if depth > DEPTH_LIMIT {
            return None;
        }
        let column = line.indent;
        // An indented sequence starts at its first `-`; saphyr starts one at its key's indentation
        // where its first entry starts.
        let start = if indentless {
            self.entry_mark(line.content())
        } else {
            line.content()
        };
        let mut end = start;
        let mut items = Vec::new();
        let mut line = line;
        loop {
            let (item, next) = self.sequence_entry(line, depth + 1)?;
            end = end.max(item.span.end as usize);
            items.push(item);
            match next {
                Some(l) if l.indent == column && self.is_entry(l.content()) => line = l,
                Some(l) if l.indent > column || (l.indent == column && !indentless) => return None,
                _ => {
                    let node = Node {
                        value: Value::Array(items),
                        span: Span::new(start, end),
                    };
                    return Some((node, next));
                }
            }
        }
    }

    /// The entry after the `-` starting `line`'s content.
    fn sequence_entry(&mut self, line: Line, depth: usize) -> Option<Read> {
        let dash = line.content();
        let at = self.skip_spaces(dash + 1);
        if !self.line_ends_at(at) {
            let compact = Line {
                start: line.start,
                indent: at - line.start,
            };
            return self.node(
                compact,
                line.indent,
                Holder::Sequence,
                ScalarTag::Untagged,
                depth,
            );
        }
        let next = self.next_line(self.next_line_start(at))?;
        match next {
            Some(l) if l.indent > line.indent => {
                self.node(l, line.indent, Holder::Sequence, ScalarTag::Untagged, depth)
            }
            // An empty entry: saphyr places its null where the entry's content would start.
            _ => Some((null_at(self.entry_mark(dash)), next)),
        }
    }

    /// A node starting at `at` on the line of its key, `-` or tag, in a collection at `column`: no
    /// block collection starts there.
    fn inline_node(
        &mut self,
        at: usize,
        column: usize,
        holder: Holder,
        depth: usize,
    ) -> Option<Read> {
        if self.bytes[at] != b'!' {
            return self.untagged_inline(at, at, column, ScalarTag::Untagged, depth);
        }
        if depth > DEPTH_LIMIT {
            return None;
        }
        let (name, tag_end) = self.tag(at)?;
        let body = self.skip_spaces(tag_end);
        let (mut node, next) = if self.line_ends_at(body) {
            match self.next_line(self.next_line_start(body))? {
                // The tagged node on the lines below; a second tag or a block scalar there is left
                // to saphyr.
                Some(l) if l.indent > column => {
                    if matches!(self.bytes[l.content()], b'!' | b'|' | b'>') {
                        return None;
                    }
                    self.node(l, column, holder, ScalarTag::Other, depth + 1)?
                }
                // A key's tagged sequence at the key's indentation.
                Some(l)
                    if holder == Holder::Mapping
                        && l.indent == column
                        && self.is_entry(l.content()) =>
                {
                    self.sequence(l, true, depth + 1)?
                }
                // A tag alone: saphyr's empty scalar ends with the tag.
                next => {
                    let value = scalar_value("", ScalarStyle::Plain, ScalarTag::Other);
                    let empty = Node {
                        value,
                        span: Span::new(tag_end, tag_end),
                    };
                    (empty, next)
                }
            }
        } else if self.bytes[body] == b'!' {
            return None;
        } else {
            self.untagged_inline(body, at, column, ScalarTag::Other, depth + 1)?
        };
        // saphyr's node starts at its tag.
        node.span.start = at as u32;
        Some((wrap_in_tag(self.text, name, node), next))
    }

    /// An untagged node at `at` on the line of its key, `-` or tag; `span_start` is where its tag
    /// starts, if it has one.
    fn untagged_inline(
        &mut self,
        at: usize,
        span_start: usize,
        column: usize,
        tag: ScalarTag,
        depth: usize,
    ) -> Option<Read> {
        match self.bytes[at] {
            b'|' | b'>' => self.block_scalar(at, span_start, column, tag),
            b'[' | b'{' => {
                let (node, after) = self.flow_collection(at, depth)?;
                Some((node, self.end_line(after)?))
            }
            _ if self.starts_scalar(at) => {
                let scalar = self.scalar(at, false)?;
                if self.is_key(&scalar) {
                    return None;
                }
                self.scalar_to_line_end(&scalar, span_start, tag)
            }
            _ => None,
        }
    }

    /// A scalar that ends its line.
    fn scalar_to_line_end(
        &self,
        scalar: &Scalar,
        span_start: usize,
        tag: ScalarTag,
    ) -> Option<Read> {
        let next = self.end_line(scalar.after)?;
        Some((scalar_node(scalar, span_start, tag), next))
    }

    /// A local tag (`!Sub`, `!Rain::Embed`) at `at`: its name and its end. `None` for other tags
    /// (`!`, `!!str`, `!<...>`, `!a!b`, `%` escapes) and a tag not followed by a blank.
    fn tag(&self, at: usize) -> Option<(Text, usize)> {
        let suffix_start = at + 1;
        let mut end = suffix_start;
        while self.bytes.get(end).is_some_and(|&b| is_tag_char(b)) {
            end += 1;
        }
        (end > suffix_start && self.blank_or_end(end))
            .then(|| (local_tag_name(&self.text[suffix_start..end]), end))
    }

    /// A plain or quoted scalar at `at`, which `starts_scalar` accepted (or, in flow context, any
    /// byte but an indicator).
    fn scalar(&self, at: usize, in_flow: bool) -> Option<Scalar<'a>> {
        match self.bytes[at] {
            b'\'' | b'"' => self.quoted(at),
            _ if in_flow => self.flow_plain(at),
            _ => self.block_plain(at),
        }
    }

    /// A plain scalar outside flow collections: up to a `: `, a ` #` or the end of the line.
    fn block_plain(&self, start: usize) -> Option<Scalar<'a>> {
        let bytes = self.bytes;
        let mut at = start;
        loop {
            at = plain_run_end(bytes, at);
            while bytes.get(at) == Some(&b':') && !self.blank_or_end(at + 1) {
                at = plain_run_end(bytes, at + 1);
            }
            let end = at;
            let next = self.skip_spaces(at);
            let ends = match bytes.get(next) {
                None | Some(b'\n' | b'\r') => true,
                Some(b'#') => next > end,
                Some(b':') => self.blank_or_end(next + 1),
                Some(b'\t') => return None,
                Some(_) => false,
            };
            if ends {
                return Some(Scalar {
                    value: Cow::Borrowed(&self.text[start..end]),
                    style: ScalarStyle::Plain,
                    start,
                    end,
                    after: next,
                });
            }
            at = next;
        }
    }

    /// A plain scalar inside a flow collection: up to a flow indicator or a `:` before a blank or
    /// one. Declines where a line break or comment would carry the collection to another line.
    fn flow_plain(&self, start: usize) -> Option<Scalar<'a>> {
        let bytes = self.bytes;
        let ends_value = |at: usize| {
            self.blank_or_end(at) || bytes.get(at).is_some_and(|&b| is_flow_indicator(b))
        };
        if matches!(bytes[start], b'-' | b'?' | b':') && ends_value(start + 1) {
            return None;
        }
        let mut at = start;
        loop {
            while at < bytes.len() {
                match bytes[at] {
                    b' ' | b'\n' | b'\r' => break,
                    b'\t' => return None,
                    b if is_flow_indicator(b) => break,
                    b':' if ends_value(at + 1) => break,
                    _ => at += 1,
                }
            }
            let end = at;
            let next = self.skip_spaces(at);
            match bytes.get(next) {
                None | Some(b'\n' | b'\r') => return None,
                Some(b'#') if next > end => return None,
                // saphyr rejects a word of a flow scalar that is a `-` before an indicator.
                Some(b'-')
                    if next > end && bytes.get(next + 1).is_some_and(|&b| is_flow_indicator(b)) =>
                {
                    return None
                }
                Some(&b) if is_flow_indicator(b) || (b == b':' && ends_value(next + 1)) => {
                    return Some(Scalar {
                        value: Cow::Borrowed(&self.text[start..end]),
                        style: ScalarStyle::Plain,
                        start,
                        end,
                        after: next,
                    });
                }
                Some(_) => at = next,
            }
        }
    }

    /// A single- or double-quoted scalar closed on its line.
    fn quoted(&self, start: usize) -> Option<Scalar<'a>> {
        let bytes = self.bytes;
        let quote = bytes[start];
        let mut unescaped: Option<String> = None;
        let mut copied_to = start + 1;
        let mut at = start + 1;
        loop {
            at += memchr::memchr3(quote, b'\\', b'\n', &bytes[at..])?;
            match bytes[at] {
                b'\n' => return None,
                b'\'' if quote == b'\'' && bytes.get(at + 1) == Some(&b'\'') => {
                    let s = unescaped.get_or_insert_with(String::new);
                    s.push_str(&self.text[copied_to..=at]);
                    at += 2;
                    copied_to = at;
                }
                b if b == quote => break,
                b'\\' if quote == b'"' => {
                    let s = unescaped.get_or_insert_with(String::new);
                    s.push_str(&self.text[copied_to..at]);
                    let (c, len) = escape(&bytes[at + 1..])?;
                    s.push(c);
                    at += 1 + len;
                    copied_to = at;
                }
                // A `\` in a single-quoted scalar.
                _ => at += 1,
            }
        }
        let value = match unescaped {
            Some(mut s) => {
                s.push_str(&self.text[copied_to..at]);
                Cow::Owned(s)
            }
            None => Cow::Borrowed(&self.text[start + 1..at]),
        };
        let style = if quote == b'\'' {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        Some(Scalar {
            value,
            style,
            start,
            end: at + 1,
            after: self.skip_spaces(at + 1),
        })
    }

    /// A literal (`|`) or folded (`>`) scalar whose indicator is at `indicator`, in a collection at
    /// `column`, as saphyr's `scan_block_scalar` reads it.
    fn block_scalar(
        &self,
        indicator: usize,
        span_start: usize,
        column: usize,
        tag: ScalarTag,
    ) -> Option<Read> {
        let bytes = self.bytes;
        let literal = bytes[indicator] == b'|';
        // The header: a chomping indicator and an indentation digit, in either order.
        let mut at = indicator + 1;
        let mut chomping = Chomping::Clip;
        let mut explicit_indent = None;
        for _ in 0..2 {
            match bytes.get(at) {
                Some(b'+') if chomping == Chomping::Clip => chomping = Chomping::Keep,
                Some(b'-') if chomping == Chomping::Clip => chomping = Chomping::Strip,
                // saphyr rejects `0`.
                Some(&d @ b'1'..=b'9') if explicit_indent.is_none() => {
                    explicit_indent = Some(column + usize::from(d - b'0'));
                }
                _ => break,
            }
            at += 1;
        }
        let header_rest = self.skip_spaces(at);
        let first_line = match bytes.get(header_rest) {
            Some(b'\n' | b'\r') => self.next_line_start(header_rest),
            Some(b'#') if header_rest > at => self.next_line_start(header_rest),
            _ => return None,
        };
        let mut breaks = 0;
        let (line, indent) = match explicit_indent {
            Some(indent) => {
                let (content, eaten) = self.eat_indentation(first_line, indent, &mut breaks);
                (content - eaten, indent)
            }
            None => self.first_line_indentation(first_line, &mut breaks)?,
        };
        // A first line indented less than the scalar is an error or an empty scalar: saphyr's.
        if indent <= column
            || bytes
                .get(line + indent)
                .is_none_or(|&b| b == b'\n' || b == b'\r')
        {
            return None;
        }
        if bytes[line..line + indent].iter().any(|&b| b != b' ') {
            return None;
        }
        let token_start = line + indent;
        let mut value = String::new();
        let mut leading_break = false;
        let mut leading_blank = false;
        let mut at = token_start;
        // Where saphyr stops: past the indentation it ate on the first line not in the scalar, and
        // that indentation.
        let (stop, stop_column) = loop {
            // `at` is a content line's first character after the scalar's indentation.
            let trailing_blank = matches!(bytes[at], b' ' | b'\t');
            if !literal && leading_break && !leading_blank && !trailing_blank {
                if breaks == 0 {
                    value.push(' ');
                }
            } else if leading_break {
                value.push('\n');
            }
            push_breaks(&mut value, breaks);
            breaks = 0;
            leading_break = false;
            leading_blank = trailing_blank;
            let end = self.line_end(at);
            value.push_str(&self.text[at..end]);
            if end == bytes.len() {
                break (end, indent + end - at);
            }
            leading_break = true;
            let (eaten_to, eaten) =
                self.eat_indentation(self.next_line_start(end), indent, &mut breaks);
            if eaten == indent && eaten_to < bytes.len() {
                at = eaten_to;
            } else {
                break (eaten_to, eaten);
            }
        };
        if chomping != Chomping::Strip {
            if leading_break {
                value.push('\n');
            }
            // saphyr ends a scalar cut off by the end of the text with a line break.
            if stop == bytes.len() && stop_column >= indent {
                value.push('\n');
            }
        }
        if chomping == Chomping::Keep {
            push_breaks(&mut value, breaks);
        }
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        let start = if matches!(tag, ScalarTag::Untagged) {
            token_start
        } else {
            span_start
        };
        let end = scalar_end(self.text, Span::new(start, stop), style);
        let node = Node {
            value: scalar_value(&value, style, tag),
            span: Span::new(start, end),
        };
        let next = if stop == bytes.len() {
            None
        } else {
            self.next_line(stop - stop_column)?
        };
        Some((node, next))
    }

    /// saphyr's `skip_block_scalar_indent` from the line starting at `line`: up to `indent` spaces
    /// of each line, counting the lines that hold nothing more in `breaks`. Where it stops, and how
    /// many spaces it ate on that line.
    fn eat_indentation(
        &self,
        mut line: usize,
        indent: usize,
        breaks: &mut usize,
    ) -> (usize, usize) {
        loop {
            let limit = (line + indent).min(self.bytes.len());
            let mut at = line;
            while at < limit && self.bytes[at] == b' ' {
                at += 1;
            }
            if !matches!(self.bytes.get(at), Some(b'\n' | b'\r')) {
                return (at, at - line);
            }
            *breaks += 1;
            line = self.next_line_start(at);
        }
    }

    /// saphyr's `skip_block_scalar_first_line_indent` from the line starting at `line`: the empty
    /// lines before the first content line, counted in `breaks`, and that line's start and
    /// indentation, which is the scalar's. `None` for no content line, and for a blank line
    /// indented deeper than it, which would make saphyr's indentation deeper.
    fn first_line_indentation(
        &self,
        mut line: usize,
        breaks: &mut usize,
    ) -> Option<(usize, usize)> {
        let mut deepest_blank = 0;
        loop {
            let content = self.skip_spaces(line);
            match self.bytes.get(content)? {
                b'\n' | b'\r' => {
                    *breaks += 1;
                    deepest_blank = deepest_blank.max(content - line);
                    line = self.next_line_start(content);
                }
                _ => return (deepest_blank <= content - line).then_some((line, content - line)),
            }
        }
    }

    /// A `[...]` or `{...}` closed on its line, and where saphyr ends it: past its closing bracket,
    /// the blanks after it and a comment after those.
    fn flow_collection(&mut self, open: usize, depth: usize) -> Option<(Node, usize)> {
        if depth > DEPTH_LIMIT {
            return None;
        }
        let bytes = self.bytes;
        let sequence = bytes[open] == b'[';
        let close = if sequence { b']' } else { b'}' };
        let mut at = self.skip_spaces(open + 1);
        let value = if sequence {
            let mut items = Vec::new();
            while bytes.get(at) != Some(&close) {
                let (item, after) = self.flow_sequence_item(at, depth + 1)?;
                items.push(item);
                at = self.flow_separator(after, close)?;
            }
            Value::Array(items)
        } else {
            let mut entries = Entries::default();
            while bytes.get(at) != Some(&close) {
                if !self.starts_scalar(at) {
                    return None;
                }
                let key = self.scalar(at, true)?;
                let (entry, after) = self.flow_entry(key, depth + 1)?;
                entries.push(entry, &mut self.warnings);
                // saphyr ends a mapping with a trailing comma at the comma.
                if bytes.get(after) == Some(&b',')
                    && bytes.get(self.skip_spaces(after + 1)) == Some(&close)
                {
                    return None;
                }
                at = self.flow_separator(after, close)?;
            }
            Value::Object(entries.list)
        };
        let after = self.skip_spaces(at + 1);
        let end = match bytes.get(after) {
            Some(b'#') if after > at + 1 => self.line_end(after),
            _ => after,
        };
        Some((
            Node {
                value,
                span: Span::new(open, end),
            },
            end,
        ))
    }

    /// An item of a flow sequence: a node, or a single `key: value` pair, which saphyr reads as a
    /// mapping spanning key and value.
    fn flow_sequence_item(&mut self, at: usize, depth: usize) -> Option<(Node, usize)> {
        if !self.starts_scalar(at) {
            return self.flow_node(at, depth);
        }
        let scalar = self.scalar(at, true)?;
        if self.bytes.get(scalar.after) != Some(&b':') {
            return Some((scalar_node(&scalar, at, ScalarTag::Untagged), scalar.after));
        }
        if depth > DEPTH_LIMIT {
            return None;
        }
        let (entry, after) = self.flow_entry(scalar, depth + 1)?;
        let node = Node {
            span: Span::new(at, entry.span().end as usize),
            value: Value::Object(vec![entry]),
        };
        Some((node, after))
    }

    /// The `key: value` entry of a flow mapping or pair whose key is `key`, and the first non-blank
    /// byte after it. A `:` not followed by a space (`"a":b`, `a:[b]`) is left to saphyr.
    fn flow_entry(&mut self, key: Scalar, depth: usize) -> Option<(Entry, usize)> {
        if self.bytes.get(key.after) != Some(&b':')
            || self.bytes.get(key.after + 1) != Some(&b' ')
            || is_merge_key(&key)
        {
            return None;
        }
        let (value, after) = self.flow_node(self.skip_spaces(key.after + 1), depth)?;
        let key_node = scalar_node(&key, key.start, ScalarTag::Untagged);
        let entry = Entry {
            key_span: key_node.span,
            key: key_text(self.text, key_node),
            value,
        };
        Some((entry, after))
    }

    /// Past a flow entry at `after` (blanks skipped): the next entry after a `,`, or the closing
    /// bracket.
    fn flow_separator(&self, after: usize, close: u8) -> Option<usize> {
        match *self.bytes.get(after)? {
            b',' => Some(self.skip_spaces(after + 1)),
            b if b == close => Some(after),
            _ => None,
        }
    }

    /// A node inside a flow collection and the first non-blank byte after it.
    fn flow_node(&mut self, at: usize, depth: usize) -> Option<(Node, usize)> {
        match *self.bytes.get(at)? {
            b'[' | b'{' => {
                let (node, end) = self.flow_collection(at, depth)?;
                Some((node, self.skip_spaces(end)))
            }
            b'!' => {
                if depth > DEPTH_LIMIT {
                    return None;
                }
                let (name, tag_end) = self.tag(at)?;
                let body = self.skip_spaces(tag_end);
                let (mut node, after) = match self.bytes.get(body) {
                    Some(b'[' | b'{') => {
                        let (node, end) = self.flow_collection(body, depth + 1)?;
                        (node, self.skip_spaces(end))
                    }
                    _ if self.starts_scalar(body) => {
                        let scalar = self.scalar(body, true)?;
                        (scalar_node(&scalar, at, ScalarTag::Other), scalar.after)
                    }
                    _ => return None,
                };
                node.span.start = at as u32;
                Some((wrap_in_tag(self.text, name, node), after))
            }
            _ if self.starts_scalar(at) => {
                let scalar = self.scalar(at, true)?;
                Some((scalar_node(&scalar, at, ScalarTag::Untagged), scalar.after))
            }
            _ => None,
        }
    }
}

/// A byte repeated in each byte of a word: `ONES * u64::from(b)`.
const ONES: u64 = u64::from_le_bytes([1; 8]);

/// The eight bytes at `at` as a little-endian word (the first byte lowest), if there are eight.
fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk: [u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// The first space, tab, `\n`, `\r` or `:` at or after `at` (or the end of `bytes`): where a plain
/// scalar's run of non-blank characters may end. Eight bytes at a time: most scalars are short,
/// too short for `memchr` to pay for itself. `plain_bytes` let no other byte below `!` through, so
/// a byte below `!` is one of the four blanks and breaks.
fn plain_run_end(bytes: &[u8], mut at: usize) -> usize {
    const HIGH_BITS: u64 = u64::from_le_bytes([0x80; 8]);
    // The high bit of each byte of `word` below `n` (at most 0x80), and perhaps of bytes after it.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH_BITS;
    while let Some(word) = word_at(bytes, at) {
        let found = below(word, b'!') | below(word ^ (ONES * u64::from(b':')), 1);
        if found != 0 {
            return at + found.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| b < b'!' || b == b':')
        .unwrap_or(bytes.len() - at)
}

/// A one-line scalar's node; its span starts at its tag if it has one. saphyr's span ends where
/// `scalar_end` would put it: at the closing quote, or after the last non-blank character.
fn scalar_node(scalar: &Scalar, span_start: usize, tag: ScalarTag) -> Node {
    Node {
        value: scalar_value(&scalar.value, scalar.style, tag),
        span: Span::new(span_start, scalar.end),
    }
}

/// An empty value, where saphyr places it.
fn null_at(at: usize) -> Node {
    Node {
        value: Value::Null,
        span: Span::new(at, at),
    }
}

fn push_breaks(value: &mut String, breaks: usize) {
    value.extend(std::iter::repeat_n('\n', breaks));
}

/// A double-quoted scalar's escape after its `\`: the character and how many bytes it takes.
fn escape(after: &[u8]) -> Option<(char, usize)> {
    let simple = match *after.first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' | b'\t' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex_escape(after, 2),
        b'u' => return hex_escape(after, 4),
        b'U' => return hex_escape(after, 8),
        _ => return None,
    };
    Some((simple, 1))
}

/// `\x41`, `\u00e9`, `\U0001F600`: `digits` hex digits after the letter.
fn hex_escape(after: &[u8], digits: usize) -> Option<(char, usize)> {
    let hex = after.get(1..=digits)?;
    let hex = std::str::from_utf8(hex).ok()?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
    Some((c, 1 + digits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::syntax::yaml::parse_with_saphyr;

    /// The fast reader takes `text` and reads it exactly as saphyr does.
    fn same(text: &str) -> Parsed {
        let fast = read(text).unwrap_or_else(|| panic!("declined {text:?}"));
        assert_eq!(parse_with_saphyr(text).as_ref(), Ok(&fast), "{text:?}");
        fast
    }

    fn declines(text: &str) {
        assert!(read(text).is_none(), "took {text:?}");
    }

    fn at<'t>(text: &'t str, node: &Node) -> &'t str {
        &text[node.span.range()]
    }

    #[test]
    fn block_collections_compact_entries_and_indentless_sequences() {
        let text = "a:\n  b: 1\n  c:\n  - x\n  - y: 2\n    z: 3\n  - - n\n    - m\n  -\n  - # c\n    k: v\nd: e\n";
        let r = same(text).root;
        let c = r.get("a").unwrap().get("c").unwrap();
        // saphyr starts a sequence at its key's indentation where its first entry starts.
        assert!(at(text, c).starts_with("x\n  - y: 2"));
        let items = c.as_array().unwrap();
        assert_eq!(at(text, &items[1]), "y: 2\n    z: 3");
        assert_eq!(at(text, &items[2]), "- n\n    - m");
        assert!(items[3].is_null() && items[3].span.start == items[3].span.end);
        same("- a\n- b:\n    c\n- - - deep\n");
        same("root:\n    four: spaces\n    list:\n        - x\nnext: 1\n");
        same("  indented: root\n  second: key\n");
        same("a:\n  -\n    b: 1\n  - c\n");
        same("quoted 'key': 1\n'single': 2\n\"double\": 3\na b  c : 4\n-dash: 5\n?x: 6\n:y: 7\n");
    }

    #[test]
    fn empty_values_sit_where_saphyr_puts_them() {
        let text = "a:\nb: # comment\nc:\n  # only a comment\nd:";
        let r = same(text).root;
        assert_eq!(r.get("a").unwrap().span, Span::new(1, 1));
        assert!(r.get("d").unwrap().is_null());
        same("- \n-\n- # c\n- x\n");
        same("");
        same("# only comments\n\n  # indented\n");
    }

    #[test]
    fn scalars_keep_saphyr_values_and_spans() {
        let text = "a: 1\nb: -2.5e3\nc: True\nd: ~\ne: '1'\nf: 'it''s'\ng: \"t\\tu\\u00e9\\x41\\/\\\\\"\nh: a b  c   \ni: x:y\nj: a#b # c\nk: é ü\n";
        let r = same(text).root;
        assert_eq!(r.get("f").unwrap().as_str(), Some("it's"));
        assert_eq!(r.get("g").unwrap().as_str(), Some("t\tuéA/\\"));
        assert_eq!(at(text, r.get("h").unwrap()), "a b  c");
        assert_eq!(r.get("j").unwrap().as_str(), Some("a#b"));
        same("null: 1\n1: 2\ntrue: 3\n0x1F: 4\n~: 5\n");
        same("a: 'tab\there'\nb: \"\\\tand\tthere\t\" # \ttab in a comment\n");
        same("é: ü # comment\n'ü': \"é\"\n");
    }

    #[test]
    fn tags_wrap_scalars_flows_and_blocks() {
        let text = "a: !Sub 'x-${AWS::Region}'\nb: !GetAtt Role.Arn\nc: !Join [ \":\", [ a, !Ref B ] ]\nd: !If\n  - C\n  - !Ref X\ne: !Select\n- 0\n- !GetAZs ''\nf: !GetAZs\ng: !Rain::Embed file.py\nh: !Custom 12\n";
        let r = same(text).root;
        let (name, inner) = r.get("a").unwrap().intrinsic().unwrap();
        assert_eq!(name, "Fn::Sub");
        assert_eq!(at(text, inner), "'x-${AWS::Region}'");
        let (name, inner) = r.get("e").unwrap().intrinsic().unwrap();
        assert_eq!(name, "Fn::Select");
        // The tagged sequence at its key's indentation starts at its `-`.
        assert!(at(text, inner).starts_with("- 0"));
        let (_, empty) = r.get("f").unwrap().intrinsic().unwrap();
        assert_eq!(empty.as_str(), Some(""));
        same("a: !Base64\n  4\nb: !Sub\n  'q'\n");
        same("- !Ref A\n- !GetAZs\n- !Sub\n  - x\n  - {a: b}\n- !If # why\n  [C, a, b]\n- !Sub\n    ${X}\n");
        same("a: !Sub |\n  text ${X}\nb: !Base64\n  Fn::Sub: >-\n    folded\n    text\n");
    }

    #[test]
    fn block_scalars_chomp_and_fold_as_saphyr_does() {
        for header in [
            "|", "|-", "|+", ">", ">-", ">+", "| # c", ">- # c", "|2", ">1-", "|+2", "|1",
        ] {
            for body in [
                "  one\n  two\n",
                "  one\n\n  two\n\n\n",
                "  one\n    more\n  two\n",
                "\n\n  one\n   \n  two",
                "  one\n  # content\n# comment\n",
                "  one\n   \n",
                "  one\n  ",
                "  one\n \n",
                "  one\n    \n  two\n",
                "  a\n   b\n  c\n\n  d\n",
                "  \tindented\n  by\ttabs\t\n  \t\n",
                "  \n  one\n",
            ] {
                same(&format!("k: {header}\n{body}"));
                same(&format!("k: {header}\n{body}\nnext: 1\n"));
                same(&format!("- {header}\n{body}"));
                let deeper: String = body
                    .split_inclusive('\n')
                    .map(|l| format!("  {l}"))
                    .collect();
                same(&format!("- k: !Sub {header}\n{deeper}\n- n\n"));
            }
        }
    }

    #[test]
    fn flow_collections_on_one_line() {
        let text = "a: [b, 'c', \"d\", [e], {f: g, 'h': [i]}, ]  # trailing\nb: {}\nc: [ ]\nd: [a b, -1, x:y, 'q':]\n";
        declines(text);
        let text = "a: [b, 'c', \"d\", [e], {f: g, 'h': [i]}, ]  # trailing\nb: {}\nc: [ ]\nd: [a b, -1, x:y]\n";
        let r = same(text).root;
        // saphyr ends a flow collection past the blanks and comment after its bracket.
        assert_eq!(at(text, r.get("a").unwrap()).chars().last(), Some('g'));
        same("[a, {b: c}]\n");
        // A single pair in a flow sequence is a mapping spanning key and value.
        let text = "a: !Select [0, Fn::GetAZs: !Ref 'AWS::Region', 'k': [v] ]\n";
        let r = same(text).root;
        let (_, items) = r.get("a").unwrap().intrinsic().unwrap();
        assert_eq!(at(text, &items.as_array().unwrap()[2]), "'k': [v] ");
        same("- [a, [b, [c]] , d]\n- {a: [1, 2], b: {c: d}}\n- !If [C, !Ref A, !Ref 'AWS::NoValue']\n");
    }

    #[test]
    fn documents_after_the_first_are_not_read() {
        let r = same("---\na: 1\n---\nb: 2\n: : bad\n").root;
        assert!(r.get("a").is_some() && r.get("b").is_none());
        same("# c\n--- # start\na: |\n  x\n...\nanything: [\n");
        same("a:\n- x\n---\n");
    }

    #[test]
    fn crlf_line_breaks() {
        let text = "a: b # c\r\nc:\r\n  - x\r\n  - # c\r\n  - |\r\n    text\r\n\r\n     more\r\n  \r\n  - [a, b]   # c\r\nd: >-\r\n  f\r\n  g\r\ne:\r\n- 'q'\r\n";
        let r = same(text).root;
        assert_eq!(at(text, r.get("a").unwrap()), "b");
        same("---\r\na: !If\r\n  - C\r\n  - |+\r\n    x\r\n\r\n...\r\n");
    }

    #[test]
    fn duplicate_keys_warn_in_order() {
        let text = "k: 1\nm:\n  x: 1\n  x: 2\nk: 2\nf: {a: 1, a: 2}\n";
        let warnings = same(text).warnings;
        let keys: Vec<&str> = warnings.iter().map(|w| &text[w.span.range()]).collect();
        assert_eq!(keys, ["x", "k", "a"]);
        let mut big: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        big.push_str("k7: again\nk39: again\n");
        assert_eq!(same(&big).warnings.len(), 2);
    }

    #[test]
    fn declines_what_it_does_not_take() {
        for text in [
            // Anchors, aliases, complex keys, directives.
            "a: &x 1\nb: *x\n",
            "? a\n: b\n",
            "%YAML 1.2\n---\na: 1\n",
            // Characters with rules of their own.
            "a:\n\t- b\n",
            "a: b\rc: d\n",
            "\u{feff}a: 1\n",
            "a: \"nul\u{0}\"\n",
            "a: form\u{c}feed\n",
            // Scalars and flows over several lines, explicit indentation, odd escapes and tags.
            "a: one\n  two\n",
            "a: 'one\n  two'\n",
            "a: [b,\n  c]\n",
            "a: |0\n   x\n",
            "a: |\n   \n  x\n",
            "a: |3\n  x\n",
            "a: |\n\tx\n",
            "a: b\t# tab before a comment\n",
            "a:\tb\n",
            "- [a,\tb]\n",
            "a: \"\\d\"\n",
            "a: !!str 1\n",
            "a: !<tag:x> 1\n",
            "a: !e!x 1\n",
            "a: !Sub\n  |\n    x\n",
            // Flow forms with saphyr rules of their own.
            "a: [b: ]\n",
            "a: [b: c: d]\n",
            "a: ['b':c]\n",
            "a: {b: c,}\n",
            "a: {b}\n",
            "a: [a]#c\n",
            "a: [-]\n",
            // Documents: content on the `---` line, an empty one, a scalar root.
            "--- text\n",
            "---\n",
            "just a scalar\n",
            // Errors are saphyr's to report.
            "a: b: c\n",
            "a: 'x' y\n",
            "a: 1\n- b\n",
            "a:\n  b: 1\n c: 2\n",
            "a: 1\n  b: 2\n",
            "a: x # c\n  more\n",
        ] {
            declines(text);
        }
        let deep: String = (0..DEPTH_LIMIT + 1)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        declines(&deep);
        declines(&format!("{}: 1\n", "k".repeat(KEY_LIMIT + 1)));
    }
}
