//! codespan-reporting's rich layout, drawn directly for the usual diagnostic: every label on one
//! line, no two labels on a line, and every quoted line of printable one-column characters. Such
//! a snippet needs none of codespan's general machinery (multi-line label gutters, hanging
//! messages, tab stops, character widths), which writes each source character through `fmt` and
//! was three quarters of the human format's cost on the shared corpus. Any other diagnostic is left
//! to codespan-reporting. The bytes are codespan's, colours included: `tests` compares the two on
//! crafted cases and `human::tests` on every diagnostic of the shared corpus.

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
    lines: Vec<Quoted<'a>>,
}

/// A labelled line: its number, its text (line break trimmed), its one label, and what is drawn
/// between it and the part's next labelled line.
struct Quoted<'a> {
    index: usize,
    number: usize,
    text: &'a str,
    style: LabelStyle,
    /// Bytes of `text` under the label, at least one.
    label: Range<usize>,
    message: &'a str,
    then: Then<'a>,
}

/// codespan quotes the one unlabelled line between two labelled lines, and marks a longer gap.
enum Then<'a> {
    Nothing,
    Line { number: usize, text: &'a str },
    Break,
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
    let Some((padding, parts)) = layout(files, diagnostic) else {
        return Ok(false);
    };
    let mut draw = Draw {
        out,
        styles: &look.styles,
        config: &look.config,
        padding,
        severity: diagnostic.severity,
    };
    draw.header(diagnostic)?;
    for (k, part) in parts.iter().enumerate() {
        draw.start(part)?;
        draw.empty()?;
        for quoted in &part.lines {
            draw.source(quoted.number, quoted.text, Some(quoted))?;
            match quoted.then {
                Then::Nothing => {}
                Then::Line { number, text } => draw.source(number, text, None)?,
                Then::Break => draw.gap()?,
            }
        }
        if k + 1 < parts.len() || !diagnostic.notes.is_empty() {
            draw.empty()?;
        }
    }
    for note in &diagnostic.notes {
        draw.note(note)?;
    }
    writeln!(draw.out)?;
    Ok(true)
}

/// The files, lines and labels as `RichDiagnostic::render` groups them, and the line numbers'
/// width; `None` when a label spans lines, shares its line, or a line is not plain.
fn layout<'a, 'f: 'a, F>(files: &'f F, d: &'a Diagnostic<usize>) -> Option<(usize, Vec<Part<'a>>)>
where
    F: Files<'f, FileId = usize, Source = &'f str>,
{
    let mut padding = 0;
    let mut parts: Vec<Part> = Vec::new();
    for label in &d.labels {
        let id = label.file_id;
        let index = files.line_index(id, label.range.start).ok()?;
        if files.line_index(id, label.range.end).ok()? != index {
            return None;
        }
        let line = line(files, id, index)?;
        padding = padding.max(line.number.ilog10() as usize + 1);
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
                });
                parts.last_mut()?
            }
        };
        let at = match part.lines.binary_search_by_key(&index, |l| l.index) {
            Ok(_) => return None,
            Err(at) => at,
        };
        let start = label.range.start - line.start;
        part.lines.insert(
            at,
            Quoted {
                index,
                number: line.number,
                text: line.text,
                style: label.style,
                label: start..(label.range.end - line.start).max(start + 1),
                message: &label.message,
                then: Then::Nothing,
            },
        );
    }
    for part in &mut parts {
        for i in 1..part.lines.len() {
            let before = part.lines[i - 1].index;
            part.lines[i - 1].then = match part.lines[i].index - before {
                1 => Then::Nothing,
                2 => {
                    let between = line(files, part.id, before + 1)?;
                    Then::Line {
                        number: between.number,
                        text: between.text,
                    }
                }
                _ => Then::Break,
            };
        }
    }
    Some((padding, parts))
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

struct Draw<'o> {
    out: &'o mut dyn WriteColor,
    styles: &'o Styles,
    config: &'o Config,
    padding: usize,
    severity: Severity,
}

impl Draw<'_> {
    fn color(&mut self, spec: impl Fn(&Styles) -> &termcolor::ColorSpec) -> io::Result<()> {
        self.out.set_color(spec(self.styles))
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
            write!(self.out, "[{code}]")?;
        }
        self.color(|s| &s.header_message)?;
        write!(self.out, ": {}", d.message)?;
        self.out.reset()?;
        writeln!(self.out)
    }

    /// The outer gutter without a line number: as wide as the widest (at most 20 digits), and a
    /// space. Written from a slice: it opens most lines drawn.
    fn gutter(&mut self) -> io::Result<()> {
        const BLANK: &[u8; 21] = b"                     ";
        self.out.write_all(&BLANK[..=self.padding])
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

    /// The mark of lines left out.
    fn gap(&mut self) -> io::Result<()> {
        self.gutter()?;
        self.color(|s| &s.source_border)?;
        write!(self.out, "{}", self.config.chars.source_border_left_break)?;
        self.out.reset()?;
        writeln!(self.out)
    }

    /// `= note`, its further lines indented under the first.
    fn note(&mut self, note: &str) -> io::Result<()> {
        for (i, line) in note.lines().enumerate() {
            self.gutter()?;
            if i == 0 {
                self.color(|s| &s.note_bullet)?;
                write!(self.out, "{}", self.config.chars.note_bullet)?;
                self.out.reset()?;
            } else {
                self.out.write_all(b" ")?;
            }
            writeln!(self.out, " {line}")?;
        }
        Ok(())
    }

    fn border(&mut self) -> io::Result<()> {
        self.color(|s| &s.source_border)?;
        write!(self.out, "{}", self.config.chars.source_border_left)?;
        self.out.reset()
    }

    fn empty(&mut self) -> io::Result<()> {
        self.gutter()?;
        self.border()?;
        writeln!(self.out)
    }

    /// A quoted line, coloured under a primary label, then its label's carets and message.
    fn source(&mut self, number: usize, text: &str, label: Option<&Quoted>) -> io::Result<()> {
        self.color(|s| &s.line_number)?;
        write!(self.out, "{number:>0$}", self.padding)?;
        self.out.reset()?;
        self.out.write_all(b" ")?;
        self.border()?;
        self.out.write_all(b" ")?;
        let primary = label
            .filter(|l| l.style == LabelStyle::Primary)
            .map(|l| &l.label);
        let mut run = 0;
        let mut in_primary = false;
        for (at, c) in text.char_indices() {
            let covered = primary.is_some_and(|r| overlaps(r, &(at..at + c.len_utf8())));
            if covered != in_primary {
                self.out.write_all(&text.as_bytes()[run..at])?;
                run = at;
                if covered {
                    let spec = self.styles.label(self.severity, LabelStyle::Primary);
                    self.out.set_color(spec)?;
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
        writeln!(self.out)?;
        let Some(label) = label else {
            return Ok(());
        };
        self.gutter()?;
        self.border()?;
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
            let covered = overlaps(&label.label, &column);
            if covered != covering {
                self.out.write_all(marks.as_bytes())?;
                marks.clear();
                if covered {
                    let spec = self.styles.label(self.severity, label.style);
                    self.out.set_color(spec)?;
                } else {
                    self.out.reset()?;
                }
                covering = covered;
            }
            if covered {
                marks.push(caret);
            } else if column.start < label.label.end {
                marks.push(' ');
            }
        }
        self.out.write_all(marks.as_bytes())?;
        if covering {
            self.out.reset()?;
        }
        if !label.message.is_empty() {
            self.out.write_all(b" ")?;
            let spec = self.styles.label(self.severity, label.style);
            self.out.set_color(spec)?;
            self.out.write_all(label.message.as_bytes())?;
            self.out.reset()?;
        }
        writeln!(self.out)
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

    #[test]
    fn other_snippets_are_left_to_codespan() {
        let mut files = SimpleFiles::new();
        let f = files.add("f", "a\tb\nline two\nthree\nmaña\n");
        let declined = [
            // Over two lines.
            Label::primary(f, 0..6),
            // Two labels on one line.
            Label::primary(f, 6..9),
            // A tab, a character outside ASCII.
            Label::primary(f, 0..1),
            Label::primary(f, 19..20),
        ];
        for (i, label) in declined.into_iter().enumerate() {
            let mut labels = vec![label];
            if i == 1 {
                labels.push(Label::secondary(f, 10..12));
            }
            assert!(both(&files, &Diagnostic::error().with_labels(labels)).is_none());
        }
    }
}
