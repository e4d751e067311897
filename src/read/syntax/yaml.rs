//! YAML into the spanned `Node` tree, through saphyr-parser's event stream: CloudFormation short-form
//! tags (`!Sub`, `!Ref`, ...) become `Tagged` nodes under their long names (`Fn::Sub`, `Ref`), plain
//! scalars are typed by the YAML 1.2 core schema, aliases are expanded within a node budget, nesting is
//! bounded by `MAX_DEPTH`, and duplicate keys are warnings (the last one wins), as in the JSON reader.
//! saphyr counts positions in characters; spans here are byte offsets. Most files never reach saphyr:
//! `fast` reads the subset of YAML templates and configs are written in to the same trees.

use super::{Entry, Node, ParseError, ParseWarning, Parsed, Text, Value, MAX_DEPTH};
use crate::base::span::Span;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::collections::HashMap;

pub mod fast;

/// How many nodes alias expansion may add to one document: real templates use a handful, an alias
/// bomb asks for billions.
pub const ALIAS_NODE_BUDGET: usize = 100_000;

/// CloudFormation's short-form tags and the long names the model knows them by.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Sub", "Fn::Sub"),
    ("GetAtt", "Fn::GetAtt"),
    ("Join", "Fn::Join"),
    ("If", "Fn::If"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("FindInMap", "Fn::FindInMap"),
    ("ImportValue", "Fn::ImportValue"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("GetAZs", "Fn::GetAZs"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("Transform", "Fn::Transform"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
];

const CORE_SCHEMA: &str = "tag:yaml.org,2002:";

/// Parses the first document of `text`; later documents (a Kubernetes manifest's) are not read.
/// The fast reader takes the common subset; saphyr reads the rest. Kept out of line so a profile
/// shows YAML reading as one entry.
#[inline(never)]
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    match fast::read(text) {
        Some(parsed) => Ok(parsed),
        None => parse_with_saphyr(text),
    }
}

/// The general reader: any YAML, and every error. `parse` gives the same result for any text.
pub fn parse_with_saphyr(text: &str) -> Result<Parsed, ParseError> {
    let mut builder = Builder {
        text,
        offsets: CharOffsets::new(text),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: ALIAS_NODE_BUDGET,
        warnings: Vec::new(),
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| {
            let at = builder.offsets.byte(e.marker().index());
            ParseError {
                span: builder.char_span_at(at),
                message: e.info().to_string(),
            }
        })?;
        let start = builder.offsets.byte(span.start.index());
        let end = builder.offsets.byte(span.end.index());
        if builder.event(event, Span::new(start, end))? {
            break;
        }
    }
    let root = builder.root.take().map_or(
        Node {
            value: Value::Null,
            span: Span::default(),
        },
        |b| b.node,
    );
    Ok(Parsed {
        root,
        warnings: builder.warnings,
    })
}

/// A mapping's entries with the entries of its merge keys (`<<: *defaults`, `<<: [*a, *b]`) in their
/// place, as YAML 1.1 defines them: a key the mapping sets itself wins wherever it is written, and
/// among merged mappings the earlier one wins. The merged nodes were counted against the alias
/// budget when their aliases were read; merging moves them, it copies nothing.
fn merged(entries: Vec<Entry>, merges: Vec<(usize, Node)>) -> Result<Vec<Entry>, ParseError> {
    if merges.is_empty() {
        return Ok(entries);
    }
    let mut taken: std::collections::HashSet<Text> =
        entries.iter().map(|e| e.key.clone()).collect();
    let mut out = Vec::with_capacity(entries.len());
    let mut own = entries.into_iter();
    let mut placed = 0;
    for (before, value) in merges {
        out.extend(own.by_ref().take(before - placed));
        placed = before;
        let sources = match value.value {
            Value::Object(entries) => vec![entries],
            Value::Array(items) if items.iter().all(Node::is_object) => items
                .into_iter()
                .filter_map(|n| match n.value {
                    Value::Object(entries) => Some(entries),
                    _ => None,
                })
                .collect(),
            _ => {
                return Err(ParseError {
                    span: value.span,
                    message: "a merge key `<<` takes a mapping or a list of mappings".into(),
                })
            }
        };
        for entry in sources.into_iter().flatten() {
            if taken.insert(entry.key.clone()) {
                out.push(entry);
            }
        }
    }
    out.extend(own);
    Ok(out)
}

/// saphyr's character index → byte offset; the identity for ASCII text.
struct CharOffsets {
    table: Option<Vec<u32>>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> CharOffsets {
        let table = (!text.is_ascii()).then(|| {
            let mut t: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            t.push(text.len() as u32);
            t
        });
        CharOffsets {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).map_or(self.len, |&b| b as usize),
        }
    }
}

/// A finished node with what alias expansion needs to know about it.
#[derive(Clone)]
struct Built {
    node: Node,
    /// Nodes in this subtree.
    size: usize,
    /// Levels of collections in this subtree (a scalar is 0).
    height: usize,
}

enum Kind {
    Sequence(Vec<Node>),
    Mapping {
        entries: Entries,
        /// The key waiting for its value, and whether it is the merge key `<<`.
        key: Option<(Text, Span, bool)>,
        /// The values of merge keys, each with the number of entries before it.
        merges: Vec<(usize, Node)>,
    },
}

struct Frame {
    kind: Kind,
    start: usize,
    /// The end of the collection's closing `]`/`}`; block collections end at their last child.
    end: usize,
    anchor: usize,
    tag: Option<Tag>,
    size: usize,
    height: usize,
}

struct Builder<'a> {
    text: &'a str,
    offsets: CharOffsets,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Built>,
    alias_budget: usize,
    warnings: Vec<ParseWarning>,
    root: Option<Built>,
}

const LINEAR_KEY_SEARCH: usize = 16;

/// A mapping's entries in source order. A repeated key is kept (`Node::entry` finds the last one) and
/// warned about, pointing back at its first occurrence.
#[derive(Default)]
struct Entries {
    list: Vec<Entry>,
    /// Key → first entry index, built once a mapping is large enough for linear search to hurt.
    index: Option<HashMap<Text, usize>>,
}

impl Entries {
    fn push(&mut self, entry: Entry, warnings: &mut Vec<ParseWarning>) {
        let previous = match &self.index {
            Some(index) => index.get(&entry.key).copied(),
            None => self.list.iter().position(|e| e.key == entry.key),
        };
        if let Some(i) = previous {
            warnings.push(ParseWarning {
                span: entry.key_span,
                message: format!("duplicate key `{}`; the last one wins", entry.key),
                first: self.list[i].key_span,
            });
        }
        if let Some(index) = &mut self.index {
            index.entry(entry.key.clone()).or_insert(self.list.len());
        } else if self.list.len() >= LINEAR_KEY_SEARCH {
            let mut map = HashMap::with_capacity(self.list.len() * 2);
            for (i, e) in self.list.iter().enumerate() {
                map.entry(e.key.clone()).or_insert(i);
            }
            map.entry(entry.key.clone()).or_insert(self.list.len());
            self.index = Some(map);
        }
        self.list.push(entry);
    }
}

impl Builder<'_> {
    fn char_span_at(&self, at: usize) -> Span {
        let end = self.text[at.min(self.text.len())..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8());
        Span::new(at, end)
    }

    fn error(&self, at: usize, message: String) -> ParseError {
        ParseError {
            span: self.char_span_at(at),
            message,
        }
    }

    /// Handles one event; `true` once the first document is complete.
    fn event(&mut self, event: Event, span: Span) -> Result<bool, ParseError> {
        match event {
            Event::DocumentEnd => return Ok(self.root.is_some()),
            Event::StreamEnd => return Ok(true),
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => {}
            Event::Scalar(value, style, anchor, tag) => {
                let end = scalar_end(self.text, span, style);
                let span = Span::new(span.start as usize, end);
                let node = Node {
                    value: scalar_value(&value, style, ScalarTag::of(tag.as_deref())),
                    span,
                };
                // YAML 1.1's merge key, which CloudFormation reads: a plain, untagged `<<`.
                let merge = style == ScalarStyle::Plain && tag.is_none() && value == "<<";
                let built = self.tagged(node, tag.as_deref(), 0, 1);
                self.register(anchor, &built)?;
                self.insert(built, merge)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(Kind::Sequence(Vec::new()), span, anchor, tag.as_deref())?
            }
            Event::MappingStart(anchor, tag) => self.open(
                Kind::Mapping {
                    entries: Entries::default(),
                    key: None,
                    merges: Vec::new(),
                },
                span,
                anchor,
                tag.as_deref(),
            )?,
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(self.error(span.start as usize, "unbalanced collection".into()));
                };
                // A flow collection's end event covers its `]`/`}`; a block one's is empty.
                let end = if span.end > span.start {
                    span.end as usize
                } else {
                    frame.end.max(frame.start)
                };
                let value = match frame.kind {
                    Kind::Sequence(items) => Value::Array(items),
                    Kind::Mapping {
                        entries, merges, ..
                    } => Value::Object(merged(entries.list, merges)?),
                };
                let node = Node {
                    value,
                    span: Span::new(frame.start, end),
                };
                let built = self.tagged(node, frame.tag.as_ref(), frame.height, frame.size);
                self.register(frame.anchor, &built)?;
                self.insert(built, false)?;
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(self.error(span.start as usize, "unknown anchor".into()));
                };
                let size = target.size;
                self.spend(size, span.start as usize)?;
                let mut built = self.anchors[&id].clone();
                built.node.span = span;
                self.insert(built, false)?;
            }
        }
        Ok(false)
    }

    fn open(
        &mut self,
        kind: Kind,
        span: Span,
        anchor: usize,
        tag: Option<&Tag>,
    ) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(
                span.start as usize,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.stack.push(Frame {
            kind,
            start: span.start as usize,
            end: span.end as usize,
            anchor,
            tag: tag.cloned(),
            size: 1,
            height: 1,
        });
        Ok(())
    }

    /// Keeps a copy of an anchored node for its aliases. The copy counts against the alias budget
    /// too: nested anchors over one large subtree would otherwise copy it once per level.
    fn register(&mut self, anchor: usize, built: &Built) -> Result<(), ParseError> {
        if anchor == 0 {
            return Ok(());
        }
        self.spend(built.size, built.node.span.start as usize)?;
        self.anchors.insert(anchor, built.clone());
        Ok(())
    }

    fn spend(&mut self, nodes: usize, at: usize) -> Result<(), ParseError> {
        if nodes > self.alias_budget {
            return Err(self.error(
                at,
                format!(
                    "anchors and aliases copy more than {ALIAS_NODE_BUDGET} nodes (an alias bomb?)"
                ),
            ));
        }
        self.alias_budget -= nodes;
        Ok(())
    }

    /// Adds a finished node to the collection being built (as a key or a value), or makes it the
    /// root. `merge_key`: the node is a plain `<<`, which as a key merges its value's entries.
    fn insert(&mut self, built: Built, merge_key: bool) -> Result<(), ParseError> {
        let depth = self.stack.len();
        if depth + built.height > MAX_DEPTH {
            return Err(self.error(
                built.node.span.start as usize,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        let text = self.text;
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(built);
            }
            return Ok(());
        };
        frame.size = frame.size.saturating_add(built.size);
        frame.height = frame.height.max(built.height + 1);
        frame.end = frame.end.max(built.node.span.end as usize);
        match &mut frame.kind {
            Kind::Sequence(items) => items.push(built.node),
            Kind::Mapping {
                entries,
                key,
                merges,
            } => match key.take() {
                None => {
                    let span = built.node.span;
                    *key = Some((key_text(text, built.node), span, merge_key));
                }
                Some((_, _, true)) => merges.push((entries.list.len(), built.node)),
                Some((key, key_span, false)) => entries.push(
                    Entry {
                        key,
                        key_span,
                        value: built.node,
                    },
                    &mut self.warnings,
                ),
            },
        }
        Ok(())
    }

    /// Wraps a node in its CloudFormation or custom tag.
    fn tagged(&self, node: Node, tag: Option<&Tag>, height: usize, size: usize) -> Built {
        let name = match tag {
            Some(t) if t.handle == "!" => local_tag_name(&t.suffix),
            Some(t) if t.handle != CORE_SCHEMA => format!("{}{}", t.handle, t.suffix).into(),
            _ => return Built { node, size, height },
        };
        Built {
            node: wrap_in_tag(self.text, name, node),
            size: size + 1,
            height: height + 1,
        }
    }
}

/// The name a local tag (`!Sub`) is kept under: a short form's long name, else the tag as written.
fn local_tag_name(suffix: &str) -> Text {
    SHORT_FORMS
        .iter()
        .find(|(short, _)| *short == suffix)
        .map_or_else(|| format!("!{suffix}").into(), |(_, long)| (*long).into())
}

/// `node`, whose span starts at its tag, as a `Tagged` node spanning tag and body around the body
/// alone, which starts after the tag.
fn wrap_in_tag(text: &str, name: Text, mut node: Node) -> Node {
    let outer = node.span;
    let inner_start = skip_properties(text, outer.start as usize, outer.end as usize);
    node.span = Span::new(inner_start, outer.end as usize);
    Node {
        value: Value::Tagged(name, Box::new(node)),
        span: outer,
    }
}

/// saphyr's scalar spans run on over trailing blanks and, for quoted scalars, comments: end a
/// quoted scalar at its closing quote and any other at its last non-blank character.
fn scalar_end(text: &str, span: Span, style: ScalarStyle) -> usize {
    let bytes = text.as_bytes();
    let (start, end) = (span.start as usize, (span.end as usize).min(bytes.len()));
    let body = skip_properties(text, start, end);
    let quoted_end = match style {
        ScalarStyle::DoubleQuoted => closing_quote(bytes, body, b'"'),
        ScalarStyle::SingleQuoted => closing_quote(bytes, body, b'\''),
        _ => None,
    };
    if let Some(e) = quoted_end {
        return e;
    }
    let mut e = end;
    loop {
        while e > body && bytes[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        // A block scalar's span may take in the comment lines after it.
        let line_start = bytes[body..e]
            .iter()
            .rposition(|&b| b == b'\n')
            .map(|i| body + i + 1);
        match line_start {
            Some(ls) if bytes[ls..e].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'#') => {
                e = ls
            }
            _ => return e.max(start),
        }
    }
}

/// The end (after the quote) of a quoted scalar opening at `open`.
fn closing_quote(bytes: &[u8], open: usize, quote: u8) -> Option<usize> {
    if bytes.get(open) != Some(&quote) {
        return None;
    }
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            q if q == quote => {
                if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Skips a node's tag and anchor (`!Sub`, `&name`), and the blanks and comments after them.
fn skip_properties(text: &str, mut at: usize, end: usize) -> usize {
    let bytes = text.as_bytes();
    let end = end.min(bytes.len());
    while at < end && matches!(bytes[at], b'!' | b'&') {
        while at < end && !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        loop {
            while at < end && bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            if at < end && bytes[at] == b'#' {
                while at < end && bytes[at] != b'\n' {
                    at += 1;
                }
            } else {
                break;
            }
        }
    }
    at.min(end)
}

/// A mapping key as text: a scalar's value, else the key's source (`[a, b]` as a complex key).
fn key_text(text: &str, key: Node) -> Text {
    match key.value {
        Value::String(s) | Value::Number(s) => s,
        Value::Bool(b) => b.to_string().into(),
        Value::Null => Text::default(),
        _ => text.get(key.span.range()).unwrap_or("").into(),
    }
}

/// What a scalar's tag says about its type.
#[derive(Clone, Copy)]
enum ScalarTag<'a> {
    Untagged,
    /// A core schema tag's suffix: `!!int` is `int`.
    Core(&'a str),
    /// Any other tag: the scalar is a string.
    Other,
}

impl ScalarTag<'_> {
    fn of(tag: Option<&Tag>) -> ScalarTag<'_> {
        match tag {
            None => ScalarTag::Untagged,
            Some(t) if t.handle == CORE_SCHEMA => ScalarTag::Core(&t.suffix),
            Some(_) => ScalarTag::Other,
        }
    }
}

/// Types a scalar: quoted and `!!str` ones are strings; plain ones follow the YAML 1.2 core schema.
fn scalar_value(value: &str, style: ScalarStyle, tag: ScalarTag) -> Value {
    let string = || Value::String(value.into());
    if let ScalarTag::Core(suffix) = tag {
        return match suffix {
            "null" => Value::Null,
            "bool" => match value {
                "true" | "True" | "TRUE" => Value::Bool(true),
                "false" | "False" | "FALSE" => Value::Bool(false),
                _ => string(),
            },
            "int" | "float" => Value::Number(value.into()),
            _ => string(),
        };
    }
    if style != ScalarStyle::Plain || !matches!(tag, ScalarTag::Untagged) {
        return string();
    }
    match value {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        // Every core schema number starts with a digit, a sign or a dot.
        v if v.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.'))
            && is_core_number(v) =>
        {
            Value::Number(v.into())
        }
        _ => string(),
    }
}

/// YAML 1.2 core schema ints and floats: `12`, `-1.5e3`, `0x1F`, `0o17`, `.inf`, `.nan`.
fn is_core_number(v: &str) -> bool {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if let Some(h) = v.strip_prefix("0x") {
        return digits(h, 16);
    }
    if let Some(o) = v.strip_prefix("0o") {
        return digits(o, 8);
    }
    let unsigned = v.strip_prefix(['-', '+']).unwrap_or(v);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(v, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() || digits(int, 10))
                && (frac.is_empty() || digits(frac, 10))
                && !(int.is_empty() && frac.is_empty())
        }
        None => digits(mantissa, 10),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        parse(text).expect(text).root
    }

    fn at<'a>(text: &'a str, node: &Node) -> &'a str {
        &text[node.span.range()]
    }

    #[test]
    fn short_forms_become_long_names() {
        let text = "a: !Sub 'x-${AWS::Region}'\nb: !GetAtt Role.Arn\nc: !Ref X\nd: !Condition C\ne: !Custom 1\n";
        let r = root(text);
        let (name, inner) = r.get("a").unwrap().intrinsic().unwrap();
        assert_eq!(name, "Fn::Sub");
        assert_eq!(inner.as_str(), Some("x-${AWS::Region}"));
        assert_eq!(at(text, r.get("a").unwrap()), "!Sub 'x-${AWS::Region}'");
        assert_eq!(at(text, inner), "'x-${AWS::Region}'");
        assert_eq!(r.get("b").unwrap().intrinsic().unwrap().0, "Fn::GetAtt");
        assert_eq!(r.get("c").unwrap().intrinsic().unwrap().0, "Ref");
        assert_eq!(r.get("d").unwrap().intrinsic().unwrap().0, "Condition");
        assert!(
            matches!(&r.get("e").unwrap().value, Value::Tagged(t, _) if t == "!Custom"),
            "unknown tags are kept as written"
        );
    }

    #[test]
    fn every_short_form_is_recognised() {
        for (short, long) in SHORT_FORMS {
            let r = root(&format!("v: !{short} [a, b]\n"));
            assert_eq!(r.get("v").unwrap().intrinsic().unwrap().0, *long);
        }
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let r = root("a: 1\nb: -2.5e3\nc: true\nd: ~\ne: '1'\nf: 2012-10-17\ng: yes\nh: !!str 12\ni: 0x1F\nj: .inf\nk:\n");
        let v = |k: &str| r.get(k).unwrap().value.clone();
        assert_eq!(v("a"), Value::Number("1".into()));
        assert_eq!(v("b"), Value::Number("-2.5e3".into()));
        assert_eq!(v("c"), Value::Bool(true));
        assert_eq!(v("d"), Value::Null);
        assert_eq!(v("e"), Value::String("1".into()));
        assert_eq!(v("f"), Value::String("2012-10-17".into()));
        assert_eq!(v("g"), Value::String("yes".into()));
        assert_eq!(v("h"), Value::String("12".into()));
        assert_eq!(v("i"), Value::Number("0x1F".into()));
        assert_eq!(v("j"), Value::Number(".inf".into()));
        assert_eq!(v("k"), Value::Null);
        for not_number in ["1.2.3", "-", ".", "1e", "e5", "0x", "12a"] {
            assert!(!is_core_number(not_number), "{not_number}");
        }
    }

    #[test]
    fn spans_are_bytes_after_non_ascii_text() {
        let text = "# héllo wörld\nDescription: «ünïcödé»\nResources:\n  R:\n    Action: \"ec2:*\"   # trailing\n    Other: 'it''s'  # c\n";
        let r = root(text);
        let d = r.get("Description").unwrap();
        assert_eq!(at(text, d), "«ünïcödé»");
        let action = r
            .get("Resources")
            .unwrap()
            .get("R")
            .unwrap()
            .get("Action")
            .unwrap();
        assert_eq!(at(text, action), "\"ec2:*\"");
        let other = r
            .get("Resources")
            .unwrap()
            .get("R")
            .unwrap()
            .entry("Other")
            .unwrap();
        assert_eq!(at(text, &other.value), "'it''s'");
        assert_eq!(other.value.as_str(), Some("it's"));
        assert_eq!(&text[other.key_span.range()], "Other");
    }

    #[test]
    fn block_and_flow_collections() {
        let text = "Statement:\n  - Effect: Allow\n    Action:\n      - a\n      - b\n  - {Effect: Deny, Action: [c, d]}\nNext: 1\n";
        let r = root(text);
        let st = r.get("Statement").unwrap();
        assert_eq!(
            at(text, st),
            "- Effect: Allow\n    Action:\n      - a\n      - b\n  - {Effect: Deny, Action: [c, d]}"
        );
        let items = st.as_array().unwrap();
        assert_eq!(
            at(text, &items[0]),
            "Effect: Allow\n    Action:\n      - a\n      - b"
        );
        assert_eq!(at(text, &items[1]), "{Effect: Deny, Action: [c, d]}");
        assert_eq!(at(text, items[1].get("Action").unwrap()), "[c, d]");
    }

    #[test]
    fn tagged_block_collections_span_tag_and_body() {
        let text = "R: !Join\n  - ''\n  - - 'arn:'\n    - !Ref AWS::Partition\nS: !If [C, !GetAtt X.Arn, !Ref AWS::NoValue]\n";
        let r = root(text);
        let join = r.get("R").unwrap();
        assert_eq!(
            at(text, join),
            "!Join\n  - ''\n  - - 'arn:'\n    - !Ref AWS::Partition"
        );
        let (_, inner) = join.intrinsic().unwrap();
        assert_eq!(
            at(text, inner),
            "- ''\n  - - 'arn:'\n    - !Ref AWS::Partition"
        );
        let (name, branches) = r.get("S").unwrap().intrinsic().unwrap();
        assert_eq!(name, "Fn::If");
        let b = branches.as_array().unwrap();
        assert_eq!(at(text, &b[1]), "!GetAtt X.Arn");
        assert_eq!(b[2].intrinsic().unwrap().1.as_str(), Some("AWS::NoValue"));
    }

    #[test]
    fn multi_line_scalars() {
        let text = "a: |\n  line one\n  line two\n\n# after\nb: >-\n  folded\n  text\nc: plain\n  continued\n";
        let r = root(text);
        assert_eq!(r.get("a").unwrap().as_str(), Some("line one\nline two\n"));
        assert_eq!(at(text, r.get("a").unwrap()), "line one\n  line two");
        assert_eq!(r.get("b").unwrap().as_str(), Some("folded text"));
        assert_eq!(r.get("c").unwrap().as_str(), Some("plain continued"));
        assert_eq!(at(text, r.get("c").unwrap()), "plain\n  continued");
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}a: x\r\nb:\r\n  - !Sub y\r\n";
        let r = root(text);
        assert_eq!(at(text, r.get("a").unwrap()), "x");
        let b = &r.get("b").unwrap().as_array().unwrap()[0];
        assert_eq!(at(text, b), "!Sub y");
        assert_eq!(at(text, r.get("b").unwrap()), "- !Sub y");
    }

    #[test]
    fn nested_anchors_over_a_large_subtree_are_refused() {
        let leaf: String = (0..20_000).map(|i| format!("{i}, ")).collect();
        let mut text = format!("[{leaf}]");
        for i in 0..20 {
            text = format!("&a{i} [{text}]");
        }
        let e = parse(&format!("k: {text}\n")).unwrap_err();
        assert!(e.message.contains("anchors and aliases"), "{}", e.message);
    }

    #[test]
    fn anchors_and_aliases_expand() {
        let text = "base: &b {Effect: Allow, Action: 'ec2:*'}\nuse: *b\n";
        let r = root(text);
        let used = r.get("use").unwrap();
        assert_eq!(used.get("Action").unwrap().as_str(), Some("ec2:*"));
        assert_eq!(at(text, used), "*b");
        assert!(parse("a: *missing\n").is_err());
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("alias"), "{}", e.message);
    }

    #[test]
    fn depth_is_bounded() {
        // saphyr's own flow-nesting limit (256) or ours, whichever comes first.
        let deep = "[".repeat(100_000);
        let e = parse(&deep).unwrap_err().message;
        assert!(e.contains("nesting") || e.contains("recursion"), "{e}");
        let deep_block: String = (0..MAX_DEPTH + 1)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        assert!(parse(&deep_block).unwrap_err().message.contains("nesting"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        // Aliases cannot stack an anchored subtree deeper than the limit.
        let nested = format!(
            "a: &x {}{}\n",
            "[".repeat(MAX_DEPTH - 2),
            "]".repeat(MAX_DEPTH - 2)
        );
        assert!(parse(&nested).is_ok());
        let via_alias = format!("{nested}b: [[[*x]]]\n");
        assert!(parse(&via_alias).unwrap_err().message.contains("nesting"));
    }

    /// YAML 1.1 merge keys: the mapping's own keys win wherever they are, earlier merged mappings
    /// over later ones; a quoted `"<<"` is an ordinary key; a merge of a scalar is an error; and
    /// merged aliases count against the alias budget like any other.
    #[test]
    fn merge_keys_merge() {
        let text = "base: &b {Effect: Allow, Resource: '*'}\nother: &o {Effect: Deny, Sid: X}\nS:\n  Action: a\n  <<: [*b, *o]\n  Resource: r\n";
        let root = parse(text).unwrap().root;
        let s = root.get("S").unwrap();
        let keys: Vec<&str> = s
            .as_object()
            .unwrap()
            .iter()
            .map(|e| e.key.as_str())
            .collect();
        assert_eq!(keys, ["Action", "Effect", "Sid", "Resource"]);
        assert_eq!(s.get("Effect").unwrap().as_str(), Some("Allow"));
        assert_eq!(s.get("Resource").unwrap().as_str(), Some("r"));
        assert!(parse(text).unwrap().warnings.is_empty());
        let quoted = parse("a: {\"<<\": {b: 1}}").unwrap().root;
        assert!(quoted.get("a").unwrap().get("<<").is_some());
        let e = parse("a:\n  <<: x\n").unwrap_err();
        assert!(e.message.contains("merge key"), "{}", e.message);
        // An alias bomb through merge keys is still a bomb.
        let mut bomb = String::from(
            "a0: &a0 {k0: x, k1: x, k2: x, k3: x, k4: x, k5: x, k6: x, k7: x, k8: x, k9: x}\n",
        );
        for i in 1..9 {
            let refs: Vec<String> = (0..10).map(|_| format!("*a{}", i - 1)).collect();
            bomb.push_str(&format!("a{i}: &a{i} [{}]\n", refs.join(", ")));
        }
        bomb.push_str("m:\n  <<: *a0\n");
        assert!(parse(&bomb).unwrap_err().message.contains("alias"));
    }

    #[test]
    fn duplicates_warn_and_last_wins() {
        let text = "k: 1\nj: 0\nk: 2\n";
        let p = parse(text).unwrap();
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(&text[p.warnings[0].span.range()], "k");
        assert_eq!(p.warnings[0].first, Span::new(0, 1));
        assert_eq!(p.root.get("k").unwrap().value, Value::Number("2".into()));
        // Large mappings switch to an index and still see duplicates.
        let mut big: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
        big.push_str("k7: again\n");
        assert_eq!(parse(&big).unwrap().warnings.len(), 1);
    }

    #[test]
    fn errors_point_at_bytes() {
        let text = "é: x\nb: c: d\n";
        let e = parse(text).unwrap_err();
        assert_eq!(e.span.start, 10);
        assert!(parse("a: [1, 2\n").is_err());
        assert!(parse("").unwrap().root.is_null());
    }

    #[test]
    fn only_the_first_document_is_read() {
        let r = root("a: 1\n---\nb: 2\n---\n: : bad\n");
        assert!(r.get("a").is_some() && r.get("b").is_none());
    }
}
