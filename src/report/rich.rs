//! codespan-reporting's rich layout, drawn directly for the usual diagnostic: no two labels on a
//! line, at most one label per file spanning lines, and every quoted line of printable one-column
//! characters. Such a snippet needs none of codespan's general machinery (nested multi-line label
//! gutters, hanging messages, tab stops, character widths), which writes each source character
//! through `fmt` and was three quarters of the human format's cost on the shared corpus. Any other
//! diagnostic is left to codespan-reporting. The bytes are codespan's, colours included: `tests`
//! compares the two on crafted cases and `human::tests` on every diagnostic of the shared corpus.

use codespan_reporting::diagnostic::{Diagnostic, LabelStyle, Severity};
use codespan_reporting::files::{Files, Location};
use codespan_reporting::term::{Config, Styles};
use std::io;
use std::ops::Range;
use termcolor::WriteColor;

/// One file's part of the snippet, as codespan groups labels: in the order files are first
/// labelled, with the lines in file order.
struct Part<'a> {
    id: usize,
    name: String,
    /// Where the file's first primary label starts (else its first secondary one).
    start: usize,
    location: Location,
    max_style: LabelStyle,
    /// The quoted lines, in file order.
    lines: Vec<Quoted<'a>>,
    /// The part's one label over several lines, if it has one: then every line of the part has a
    /// gutter column for it.
    spanning: Option<Spanning<'a>>,
}

/// A quoted line: its number, its text (line break trimmed), its one single-line label or its
/// place under the part's spanning label, and what is drawn between it and the part's next line.
struct Quoted<'a> {
    index: usize,
    number: usize,
    text: &'a str,
    label: Option<Single<'a>>,
    mark: Mark,
    then: Then<'a>,
}

impl<'a> Quoted<'a> {
    /// Line `index` of its file as quoted; what follows it (`then`) is settled once every line is in.
    fn new(index: usize, line: &Line<'a>, label: Option<Single<'a>>, mark: Mark) -> Quoted<'a> {
        Quoted {
            index,
            number: line.number,
            text: line.text,
            label,
            mark,
            then: Then::Nothing,
        }
    }
}

/// A label on one line.
struct Single<'a> {
    style: LabelStyle,
    /// Bytes of the line's text under the label, at least one.
    range: Range<usize>,
    message: &'a str,
}

/// A label from one line to another.
#[derive(Clone, Copy)]
struct Spanning<'a> {
    style: LabelStyle,
    /// Its first and last lines' indexes, and where it starts in the first and ends in the last.
    first: usize,
    last: usize,
    start: usize,
    end: usize,
    message: &'a str,
}

/// Where a line is under the part's spanning label.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    None,
    Top,
    Left,
    Bottom,
}

impl Spanning<'_> {
    fn mark(&self, index: usize) -> Mark {
        match index {
            i if i == self.first => Mark::Top,
            i if i == self.last => Mark::Bottom,
            i if self.first < i && i < self.last => Mark::Left,
            _ => Mark::None,
        }
    }
}

/// codespan quotes the one unquoted line between two quoted lines, and marks a longer gap (with the
/// spanning label's column as it is on the next quoted line).
enum Then<'a> {
    Nothing,
    Line {
        number: usize,
        text: &'a str,
        mark: Mark,
    },
    Break(Mark),
}

/// A line of a file as a snippet quotes it.
struct Line<'a> {
    number: usize,
    /// Where it starts in the file's text.
    start: usize,
    /// Without its line break.
    text: &'a str,
}

/// Draws `diagnostic` as `codespan_reporting::term::emit` would with the default `config` (its
/// characters; context lines are not drawn) and the default `styles`, and returns `Ok(false)`
/// without writing anything when its snippet is not one this module draws.
pub fn emit<'f, F>(
    out: &mut dyn WriteColor,
    look: &Look,
    files: &'f F,
    diagnostic: &Diagnostic<usize>,
) -> io::Result<bool>
where
    F: Files<'f, FileId = usize, Source = &'f str>,
{
    let Some((padding, parts)) = layout(files, diagnostic, &look.config) else {
        return Ok(false);
    };
    let mut draw = Draw {
        out,
        styles: &look.styles,
        config: &look.config,
        padding,
        severity: diagnostic.severity,
        spanning: None,
    };
    draw.header(diagnostic)?;
    for (k, part) in parts.iter().enumerate() {
        draw.spanning = part.spanning;
        draw.start(part)?;
        draw.empty()?;
        for quoted in &part.lines {
            draw.source(
                quoted.number,
                quoted.text,
                quoted.label.as_ref(),
                quoted.mark,
            )?;
            if let Some(label) = &quoted.label {
                draw.carets(quoted.text, label)?;
            }
            draw.spanning_carets(quoted.text, quoted.mark)?;
            match quoted.then {
                Then::Nothing => {}
                Then::Line { number, text, mark } => draw.source(number, text, None, mark)?,
                Then::Break(mark) => draw.gap(mark)?,
            }
        }
        if k + 1 < parts.len() || !diagnostic.notes.is_empty() {
            draw.empty()?;
        }
    }
    draw.spanning = None;
    for note in &diagnostic.notes {
        draw.note(note)?;
    }
    draw.out.write_all(b"\n")?;
    Ok(true)
}

/// The files, lines and labels as `RichDiagnostic::render` groups them, and the line numbers'
/// width; `None` when two labels share a line, a part has two labels over several lines or one
/// beside a line under its spanning label, or a quoted line is not plain.
fn layout<'a, 'f: 'a, F>(
    files: &'f F,
    d: &'a Diagnostic<usize>,
    config: &Config,
) -> Option<(usize, Vec<Part<'a>>)>
where
    F: Files<'f, FileId = usize, Source = &'f str>,
{
    let mut padding = 0;
    let mut parts: Vec<Part> = Vec::new();
    for label in &d.labels {
        let id = label.file_id;
        let index = files.line_index(id, label.range.start).ok()?;
        let last = files.line_index(id, label.range.end).ok()?;
        let part = match parts.iter().position(|p| p.id == id) {
            Some(at) => {
                let part = &mut parts[at];
                if part.max_style > label.style
                    || (part.max_style == label.style && part.start > label.range.start)
                {
                    part.start = label.range.start;
                    part.location = files.location(id, label.range.start).ok()?;
                    part.max_style = label.style;
                }
                part
            }
            None => {
                parts.push(Part {
                    id,
                    name: files.name(id).ok()?.to_string(),
                    start: label.range.start,
                    location: files.location(id, label.range.start).ok()?,
                    max_style: label.style,
                    lines: Vec::new(),
                    spanning: None,
                });
                parts.last_mut()?
            }
        };
        let line = line(files, id, index)?;
        if last != index {
            let end = line_start(files, id, last)?;
            padding = padding.max(digits(files.line_number(id, last).ok()?));
            if part.spanning.is_some() {
                return None;
            }
            part.spanning = Some(Spanning {
                style: label.style,
                first: index,
                last,
                start: label.range.start - line.start,
                end: label.range.end - end,
                message: &label.message,
            });
            continue;
        }
        padding = padding.max(digits(line.number));
        let at = match part.lines.binary_search_by_key(&index, |l| l.index) {
            Ok(_) => return None,
            Err(at) => at,
        };
        let start = label.range.start - line.start;
        let single = Single {
            style: label.style,
            range: start..(label.range.end - line.start).max(start + 1),
            message: &label.message,
        };
        part.lines
            .insert(at, Quoted::new(index, &line, Some(single), Mark::None));
    }
    for part in &mut parts {
        if let Some(spanning) = part.spanning {
            quote_spanning(files, config, part, spanning)?;
        }
        for i in 1..part.lines.len() {
            let (before, next) = (part.lines[i - 1].index, &part.lines[i]);
            let mark_of = |index| part.spanning.map_or(Mark::None, |s| s.mark(index));
            part.lines[i - 1].then = match next.index - before {
                1 => Then::Nothing,
                2 => {
                    let between = line(files, part.id, before + 1)?;
                    Then::Line {
                        number: between.number,
                        text: between.text,
                        mark: mark_of(before + 1),
                    }
                }
                _ => Then::Break(next.mark),
            };
        }
    }
    Some((padding, parts))
}

/// Adds the lines codespan quotes of a part's spanning label: its first and last, the first few
/// after its start and the last few before its end (`Config::start_context_lines`,
/// `end_context_lines`); `None` when a single-line label is on one of its lines.
fn quote_spanning<'a, 'f: 'a, F>(
    files: &'f F,
    config: &Config,
    part: &mut Part<'a>,
    spanning: Spanning,
) -> Option<()>
where
    F: Files<'f, FileId = usize, Source = &'f str>,
{
    let (first, last) = (spanning.first, spanning.last);
    if part
        .lines
        .iter()
        .any(|l| first <= l.index && l.index <= last)
    {
        return None;
    }
    let quoted = (first..=last).filter(|&i| {
        i == first
            || i == last
            || i - first <= config.start_context_lines
            || last - i <= config.end_context_lines
    });
    for index in quoted {
        let line = line(files, part.id, index)?;
        let at = part.lines.partition_point(|l| l.index < index);
        part.lines
            .insert(at, Quoted::new(index, &line, None, spanning.mark(index)));
    }
    Some(())
}

fn digits(n: usize) -> usize {
    n.ilog10() as usize + 1
}

/// Where line `index` of file `id` starts.
fn line_start<'f, F>(files: &'f F, id: usize, index: usize) -> Option<usize>
where
    F: Files<'f, FileId = usize, Source = &'f str>,
{
    Some(files.line_range(id, index).ok()?.start)
}

/// Line `index` of file `id`, if every character of it is printable and one column wide.
fn line<'f, F>(files: &'f F, id: usize, index: usize) -> Option<Line<'f>>
where
    F: Files<'f, FileId = usize, Source = &'f str>,
{
    let range = files.line_range(id, index).ok()?;
    let start = range.start;
    let text = files
        .source(id)
        .ok()?
        .get(range)?
        .trim_end_matches(['\n', '\r', '\0']);
    let plain = text.chars().all(|c| matches!(c, ' '..='~' | '…'));
    plain.then_some(Line {
        number: files.line_number(id, index).ok()?,
        start,
        text,
    })
}

/// How codespan-reporting draws by default: its characters and colours, made once per report.
#[derive(Default)]
pub struct Look {
    pub config: Config,
    pub styles: Styles,
}

struct Draw<'o, 's> {
    out: &'o mut dyn WriteColor,
    styles: &'o Styles,
    config: &'o Config,
    padding: usize,
    severity: Severity,
    /// The spanning label of the part being drawn: its column is in every line's gutter.
    spanning: Option<Spanning<'s>>,
}

impl Draw<'_, '_> {
    fn color(&mut self, spec: impl Fn(&Styles) -> &termcolor::ColorSpec) -> io::Result<()> {
        self.out.set_color(spec(self.styles))
    }

    fn label_color(&mut self, style: LabelStyle) -> io::Result<()> {
        self.out.set_color(self.styles.label(self.severity, style))
    }

    fn header(&mut self, d: &Diagnostic<usize>) -> io::Result<()> {
        self.out.set_color(self.styles.header(d.severity))?;
        self.out.write_all(match d.severity {
            Severity::Bug => b"bug",
            Severity::Error => b"error",
            Severity::Warning => b"warning",
            Severity::Help => b"help",
            Severity::Note => b"note",
        })?;
        if let Some(code) = d.code.as_deref().filter(|c| !c.is_empty()) {
            self.out.write_all(b"[")?;
            self.out.write_all(code.as_bytes())?;
            self.out.write_all(b"]")?;
        }
        self.color(|s| &s.header_message)?;
        self.out.write_all(b": ")?;
        self.out.write_all(d.message.as_bytes())?;
        self.out.reset()?;
        self.out.write_all(b"\n")
    }

    /// One character, without going through `fmt`: the drawing characters open most lines.
    fn char(&mut self, c: char) -> io::Result<()> {
        self.out.write_all(c.encode_utf8(&mut [0; 4]).as_bytes())
    }

    /// The outer gutter without a line number: as wide as the widest (at most 20 digits), and a
    /// space. Written from a slice: it opens most lines drawn.
    fn gutter(&mut self) -> io::Result<()> {
        const BLANK: &[u8; 21] = b"                     ";
        self.out.write_all(&BLANK[..=self.padding])
    }

    /// The spanning label's column: `│` on the lines under it, `╭` (`corner`) where it starts at
    /// the line's text, blank elsewhere; nothing in a part without one.
    fn column(&mut self, mark: Mark, corner: bool) -> io::Result<()> {
        let Some(spanning) = self.spanning else {
            return Ok(());
        };
        let c = match mark {
            Mark::Top if corner => self.config.chars.multi_top_left,
            Mark::Left | Mark::Bottom => self.config.chars.multi_left,
            Mark::Top | Mark::None => return self.out.write_all(b"  "),
        };
        self.out.write_all(b" ")?;
        self.label_color(spanning.style)?;
        self.char(c)?;
        self.out.reset()
    }

    /// `┌─ file:line:column`
    fn start(&mut self, part: &Part) -> io::Result<()> {
        self.gutter()?;
        self.color(|s| &s.source_border)?;
        self.out
            .write_all(self.config.chars.snippet_start.as_bytes())?;
        self.out.reset()?;
        let at = part.location;
        writeln!(
            self.out,
            " {}:{}:{}",
            part.name, at.line_number, at.column_number
        )
    }

    /// The mark of lines left out, with the spanning label's column as it is on the next line.
    fn gap(&mut self, mark: Mark) -> io::Result<()> {
        self.gutter()?;
        self.color(|s| &s.source_border)?;
        self.char(self.config.chars.source_border_left_break)?;
        self.out.reset()?;
        self.column(mark, false)?;
        self.out.write_all(b"\n")
    }

    /// `= note`, its further lines indented under the first.
    fn note(&mut self, note: &str) -> io::Result<()> {
        for (i, line) in note.lines().enumerate() {
            self.gutter()?;
            if i == 0 {
                self.color(|s| &s.note_bullet)?;
                self.char(self.config.chars.note_bullet)?;
                self.out.reset()?;
            } else {
                self.out.write_all(b" ")?;
            }
            self.out.write_all(b" ")?;
            self.out.write_all(line.as_bytes())?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn border(&mut self) -> io::Result<()> {
        self.color(|s| &s.source_border)?;
        self.char(self.config.chars.source_border_left)?;
        self.out.reset()
    }

    fn empty(&mut self) -> io::Result<()> {
        self.gutter()?;
        self.border()?;
        self.column(Mark::None, false)?;
        self.out.write_all(b"\n")
    }

    /// A quoted line, coloured under a primary label: its single-line label's, or the spanning
    /// label's from its start to its end.
    fn source(
        &mut self,
        number: usize,
        text: &str,
        label: Option<&Single>,
        mark: Mark,
    ) -> io::Result<()> {
        self.color(|s| &s.line_number)?;
        // Right-aligned in the gutter's width (at most 20 digits).
        let mut digits = [b' '; 20];
        let mut n = number;
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let width = self.padding.max(digits.len() - at);
        self.out.write_all(&digits[digits.len() - width..])?;
        self.out.reset()?;
        self.out.write_all(b" ")?;
        self.border()?;
        let spanning = self.spanning.filter(|_| mark != Mark::None);
        let corner = spanning.is_some_and(|s| s.start <= text.len() - text.trim_start().len());
        self.column(mark, corner)?;
        self.out.write_all(b" ")?;
        let single = label
            .filter(|l| l.style == LabelStyle::Primary)
            .map(|l| &l.range);
        let spanned = spanning.filter(|s| s.style == LabelStyle::Primary);
        if single.is_none() && spanned.is_none() {
            self.out.write_all(text.as_bytes())?;
            return self.out.write_all(b"\n");
        }
        let mut run = 0;
        let mut in_primary = false;
        for (at, c) in text.char_indices() {
            let column = at..at + c.len_utf8();
            let covered = single.is_some_and(|r| overlaps(r, &column))
                || spanned.is_some_and(|s| match mark {
                    Mark::Top => column.start >= s.start,
                    Mark::Left => true,
                    Mark::Bottom => column.end <= s.end,
                    Mark::None => false,
                });
            if covered != in_primary {
                self.out.write_all(&text.as_bytes()[run..at])?;
                run = at;
                if covered {
                    self.label_color(LabelStyle::Primary)?;
                } else {
                    self.out.reset()?;
                }
                in_primary = covered;
            }
        }
        self.out.write_all(&text.as_bytes()[run..])?;
        if in_primary {
            self.out.reset()?;
        }
        self.out.write_all(b"\n")
    }

    /// A single-line label's carets and message under its line.
    fn carets(&mut self, text: &str, label: &Single) -> io::Result<()> {
        self.gutter()?;
        self.border()?;
        self.column(Mark::None, false)?;
        self.out.write_all(b" ")?;
        let caret = match label.style {
            LabelStyle::Primary => self.config.chars.single_primary_caret,
            LabelStyle::Secondary => self.config.chars.single_secondary_caret,
        };
        // One column per character, and one past the end for a label at the line's end.
        let columns = text
            .char_indices()
            .map(|(at, c)| at..at + c.len_utf8())
            .chain(std::iter::once(text.len()..text.len() + 1));
        let mut marks = String::new();
        let mut covering = false;
        for column in columns {
            let covered = overlaps(&label.range, &column);
            if covered != covering {
                self.out.write_all(marks.as_bytes())?;
                marks.clear();
                if covered {
                    self.label_color(label.style)?;
                } else {
                    self.out.reset()?;
                }
                covering = covered;
            }
            if covered {
                marks.push(caret);
            } else if column.start < label.range.end {
                marks.push(' ');
            }
        }
        self.out.write_all(marks.as_bytes())?;
        if covering {
            self.out.reset()?;
        }
        if !label.message.is_empty() {
            self.out.write_all(b" ")?;
            self.label_color(label.style)?;
            self.out.write_all(label.message.as_bytes())?;
            self.out.reset()?;
        }
        self.out.write_all(b"\n")
    }

    /// Under the spanning label's first line when text comes before its start, `╭──^` up to it;
    /// under its last line, `╰──^` up to its end, and its message.
    fn spanning_carets(&mut self, text: &str, mark: Mark) -> io::Result<()> {
        let Some(spanning) = self.spanning else {
            return Ok(());
        };
        let (corner, upto, message) = match mark {
            Mark::Top if spanning.start > text.len() - text.trim_start().len() => {
                (self.config.chars.multi_top_left, spanning.start + 1, None)
            }
            Mark::Bottom => (
                self.config.chars.multi_bottom_left,
                spanning.end,
                Some(spanning.message),
            ),
            _ => return Ok(()),
        };
        let (line, caret) = match (mark, spanning.style) {
            (Mark::Top, LabelStyle::Primary) => (
                self.config.chars.multi_top,
                self.config.chars.multi_primary_caret_start,
            ),
            (Mark::Top, LabelStyle::Secondary) => (
                self.config.chars.multi_top,
                self.config.chars.multi_secondary_caret_start,
            ),
            (_, LabelStyle::Primary) => (
                self.config.chars.multi_bottom,
                self.config.chars.multi_primary_caret_start,
            ),
            (_, LabelStyle::Secondary) => (
                self.config.chars.multi_bottom,
                self.config.chars.multi_secondary_caret_start,
            ),
        };
        self.gutter()?;
        self.border()?;
        self.out.write_all(b" ")?;
        self.label_color(spanning.style)?;
        self.char(corner)?;
        self.out.reset()?;
        self.label_color(spanning.style)?;
        // One per character before `upto` (plain characters are one column wide).
        let mut marks = String::new();
        for _ in text.char_indices().take_while(|(at, _)| *at < upto) {
            marks.push(line);
        }
        marks.push(caret);
        self.out.write_all(marks.as_bytes())?;
        if let Some(message) = message.filter(|m| !m.is_empty()) {
            self.out.write_all(b" ")?;
            self.out.write_all(message.as_bytes())?;
        }
        self.out.reset()?;
        self.out.write_all(b"\n")
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start.max(b.start) < a.end.min(b.end)
}

/// What codespan-reporting draws and what `emit` draws, without colour and in colour; `None` when
/// `emit` declines (and wrote nothing). For the tests here and `human`'s over the whole corpus.
#[cfg(test)]
pub fn both_ways<'f, F>(files: &'f F, d: &Diagnostic<usize>) -> Option<[(String, String); 2]>
where
    F: Files<'f, FileId = usize, Source = &'f str>,
{
    use termcolor::Buffer;
    let mut drawn = Vec::new();
    let look = Look::default();
    for blank in [Buffer::no_color, Buffer::ansi] {
        let (mut ours, mut theirs) = (blank(), blank());
        codespan_reporting::term::emit_to_write_style(&mut theirs, &look.config, files, d)
            .expect("codespan draws it");
        if !emit(&mut ours, &look, files, d).expect("drawn into memory") {
            assert!(ours.is_empty(), "a declined diagnostic wrote nothing");
            return None;
        }
        let text = |b: Buffer| String::from_utf8_lossy(b.as_slice()).into_owned();
        drawn.push((text(ours), text(theirs)));
    }
    drawn.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::both_ways as both;
    use codespan_reporting::diagnostic::{Diagnostic, Label};
    use codespan_reporting::files::SimpleFiles;

    #[test]
    fn plain_snippets_are_drawn_as_codespan_draws_them() {
        let mut files = SimpleFiles::new();
        let a = files.add(
            "a.json",
            "{\n  \"Action\": \"ec2:Foo\",\r\n  \"x\": 1,\n  \"y\": 2\n}\n\0\0",
        );
        let b = files.add(
            "dir/b.yaml",
            "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n",
        );
        let cases: Vec<Diagnostic<usize>> = vec![
            // One primary label with a message and notes of one and two lines.
            Diagnostic::error()
                .with_code("ORB301")
                .with_message("`ec2:Foo` is not an IAM action")
                .with_labels(vec![Label::primary(a, 14..23).with_message("did you mean?")])
                .with_notes(vec!["one".into(), "two\nlines".into(), String::new()]),
            // Secondary before primary in another file; an empty span; a label past the line's end;
            // lines two apart (the one between is quoted) and further apart (`·`).
            Diagnostic::warning().with_message("m").with_labels(vec![
                Label::secondary(b, 4..7).with_message("here"),
                Label::primary(a, 2..2),
                Label::secondary(b, 14..14).with_message("end"),
                Label::primary(b, 45..48),
                Label::secondary(a, 33..34),
            ]),
            // A line number of two digits widens every gutter; no notes, no code.
            Diagnostic::note().with_labels(vec![
                Label::primary(b, 1..2).with_message("x"),
                Label::secondary(b, 45..48).with_message(""),
            ]),
            Diagnostic::help().with_code("").with_message("no labels"),
            // A label over a `\r`, one at the trimmed text's end, one on a line of NULs.
            Diagnostic::bug().with_labels(vec![
                Label::primary(a, 24..25).with_message("cr"),
                Label::primary(a, 35..35),
                Label::secondary(a, 47..48).with_message("nul"),
            ]),
        ];
        for d in &cases {
            let drawn = both(&files, d).expect("a plain snippet");
            for (ours, theirs) in drawn {
                assert_eq!(ours, theirs);
            }
        }
    }

    /// A label over several lines (ORB306 points at a whole `Resource` list), one per file: its
    /// column in every line's gutter, `╭` where it starts at the text or a `╭──^` line under its
    /// first line, `│` down the lines quoted in between (the first three and the last, a lone line
    /// between them quoted, a longer gap marked), `╰──'` and its message under its last line.
    #[test]
    fn spanning_labels_are_drawn_as_codespan_draws_them() {
        let text: String = (1..=40).map(|i| format!("  line {i} text\n")).collect();
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let offset = |line: usize, column: usize| starts[line - 1] + column;
        let mut files = SimpleFiles::new();
        let f = files.add("policy.json", text.as_str());
        let g = files.add("other.json", "{\n  \"a\": 1,\n  \"b\": 2\n}\n");
        let cases: Vec<Diagnostic<usize>> = vec![
            // ORB306's shape: an action's line, then a list over many lines starting at its text.
            Diagnostic::warning()
                .with_code("ORB306")
                .with_message("m")
                .with_labels(vec![
                    Label::primary(f, offset(3, 2)..offset(3, 6)).with_message("this action"),
                    Label::secondary(f, offset(10, 2)..offset(30, 8))
                        .with_message("names none of its resources"),
                ])
                .with_notes(vec!["a note".into()]),
            // Primary, starting after text, two lines, no notes; the single label just before it
            // (one line between, quoted) in the same file.
            Diagnostic::error().with_labels(vec![
                Label::secondary(f, offset(5, 4)..offset(5, 6)).with_message("x"),
                Label::primary(f, offset(7, 5)..offset(8, 3)).with_message("spans"),
            ]),
            // First line, three lines, ending at a line's start, empty message, a second file.
            Diagnostic::note().with_labels(vec![
                Label::primary(g, 2..5),
                Label::secondary(f, offset(1, 0)..offset(3, 0)),
            ]),
            // Lines 1..=7: lines 2-4 and 6 are quoted, so 5, alone between them, is too.
            Diagnostic::bug().with_labels(vec![
                Label::primary(f, offset(1, 4)..offset(7, 4)).with_message("seven lines")
            ]),
            // Up to the last line, past its text; a single label after it with a gap.
            Diagnostic::help().with_labels(vec![
                Label::secondary(f, offset(36, 2)..offset(40, 20)).with_message("end"),
                Label::primary(f, offset(33, 0)..offset(33, 2)).with_message("before"),
                Label::primary(g, 20..21),
            ]),
        ];
        for d in &cases {
            let drawn = both(&files, d).expect("one spanning label per file");
            for (ours, theirs) in drawn {
                assert_eq!(ours, theirs);
            }
        }
    }

    #[test]
    fn other_snippets_are_left_to_codespan() {
        let mut files = SimpleFiles::new();
        let f = files.add("f", "a\tb\nline two\nthree\nmaña\nfive\nsix\n");
        let declined: [&[Label<usize>]; 5] = [
            // Two labels on one line.
            &[Label::primary(f, 6..9), Label::secondary(f, 10..12)],
            // A tab, a character outside ASCII, a label over a line with a tab.
            &[Label::primary(f, 0..1)],
            &[Label::primary(f, 19..20)],
            &[Label::primary(f, 0..6)],
            // Two labels over several lines in one file; a label on a line under one.
            &[Label::primary(f, 6..17), Label::secondary(f, 25..33)],
        ];
        for labels in declined {
            let d = Diagnostic::error().with_labels(labels.to_vec());
            assert!(both(&files, &d).is_none());
        }
        let d = Diagnostic::error()
            .with_labels(vec![Label::primary(f, 6..24), Label::secondary(f, 16..18)]);
        assert!(both(&files, &d).is_none());
    }
}
