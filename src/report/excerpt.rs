//! What a human-format snippet quotes of a file. For one diagnostic, an excerpt holds only the lines
//! codespan-reporting draws, and a line of more than `LONG_LINE` characters only as windows around
//! the label ends on it, `…` where cut: a minified file is one line, and each of its diagnostics
//! would otherwise print all of it. Line and column numbers stay the real ones.

use crate::base::span::{floor_char_boundary, LineIndex, Span};
use codespan_reporting::files::{Error, Files};
use codespan_reporting::term::Config;
use std::collections::BTreeMap;
use std::ops::Range;

/// Lines up to this many characters (line break aside) are quoted whole.
const LONG_LINE: usize = 200;
/// Characters quoted on either side of a label end on a longer line.
const CONTEXT: usize = 60;
const CUT: &str = "…";

/// A file as snippets quote it: its display name and its neutralized text.
pub struct Source<'a> {
    name: &'a str,
    text: &'a str,
    lines: LineIndex<'a>,
}

impl<'a> Source<'a> {
    pub fn new(name: &'a str, text: &'a str) -> Source<'a> {
        Source {
            name,
            text,
            lines: LineIndex::new(text),
        }
    }
}

/// The files of one diagnostic's labels, as codespan-reporting `Files` whose ids are indexes into
/// the list of `Source`s.
pub struct Excerpt<'a> {
    parts: Vec<Part<'a>>,
}

/// One file's quoted lines, one after the other in `text`.
struct Part<'a> {
    id: usize,
    source: &'a Source<'a>,
    text: String,
    lines: Vec<Quoted>,
    /// The copied runs of all quoted lines: in order both in `text` and in the file.
    runs: Vec<Run>,
}

/// A quoted line and where it starts in the part's text.
struct Quoted {
    line: usize,
    at: usize,
}

/// Bytes `real` of the file, copied to `at` in the part's text.
struct Run {
    at: usize,
    real: Range<usize>,
}

impl<'a> Excerpt<'a> {
    /// The excerpt for labels `spans` (index into `sources`, span), and each span as a range of it.
    pub fn new(
        sources: &'a [Source<'a>],
        spans: &[(usize, Span)],
        config: &Config,
    ) -> (Excerpt<'a>, Vec<Range<usize>>) {
        let mut ids: Vec<usize> = Vec::new();
        let labels: Vec<(usize, Range<usize>)> = spans
            .iter()
            .map(|&(id, span)| {
                let part = ids.iter().position(|&i| i == id).unwrap_or_else(|| {
                    ids.push(id);
                    ids.len() - 1
                });
                let text = sources[id].text;
                let at = |offset: u32| floor_char_boundary(text, (offset as usize).min(text.len()));
                (part, at(span.start)..at(span.end))
            })
            .collect();
        let parts: Vec<Part> = ids
            .iter()
            .enumerate()
            .map(|(index, &id)| {
                let ranges = labels.iter().filter(|(part, _)| *part == index);
                Part::new(id, &sources[id], ranges.map(|(_, r)| r.clone()), config)
            })
            .collect();
        let ranges = labels
            .iter()
            .map(|(part, r)| {
                parts[*part].excerpt_offset(r.start)..parts[*part].excerpt_offset(r.end)
            })
            .collect();
        (Excerpt { parts }, ranges)
    }

    fn part(&self, id: usize) -> Result<&Part<'a>, Error> {
        self.parts
            .iter()
            .find(|p| p.id == id)
            .ok_or(Error::FileMissing)
    }
}

impl<'a> Part<'a> {
    fn new(
        id: usize,
        source: &'a Source<'a>,
        labels: impl Iterator<Item = Range<usize>>,
        config: &Config,
    ) -> Part<'a> {
        let last = source.lines.line(source.text.len());
        // Each drawn line with the label ends on it. codespan-reporting draws a label's first and
        // last lines, the context lines `config` asks for, and a single line between two drawn ones.
        let mut drawn: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for label in labels {
            let (first, end) = (source.lines.line(label.start), source.lines.line(label.end));
            drawn.entry(first).or_default().push(label.start);
            drawn.entry(end).or_default().push(label.end);
            let mut context: Vec<usize> = (first.saturating_sub(config.before_label_lines)..first)
                .chain(end + 1..=(end + config.after_label_lines).min(last))
                .collect();
            if first < end {
                context.extend(first + 1..=(first + config.start_context_lines).min(end - 1));
                context.extend(end.saturating_sub(config.end_context_lines).max(first + 1)..end);
            }
            for line in context {
                drawn.entry(line).or_default();
            }
        }
        let gaps: Vec<usize> = drawn
            .keys()
            .zip(drawn.keys().skip(1))
            .filter(|&(a, b)| b - a == 2)
            .map(|(a, _)| a + 1)
            .collect();
        for line in gaps {
            drawn.entry(line).or_default();
        }
        let mut part = Part {
            id,
            source,
            text: String::new(),
            lines: Vec::with_capacity(drawn.len()),
            runs: Vec::new(),
        };
        for (line, ends) in drawn {
            let range = source.lines.line_range(line).unwrap_or_default();
            part.lines.push(Quoted {
                line,
                at: part.text.len(),
            });
            let windows = windows(source.text, range.clone(), &ends);
            for (k, window) in windows.iter().enumerate() {
                if k > 0 || window.start > range.start {
                    part.text.push_str(CUT);
                }
                part.runs.push(Run {
                    at: part.text.len(),
                    real: window.clone(),
                });
                part.text.push_str(&source.text[window.clone()]);
            }
            if windows.last().is_some_and(|w| w.end < range.end) {
                part.text.push_str(CUT);
            }
        }
        part
    }

    /// Where file offset `real`, a label end, is in the part's text.
    fn excerpt_offset(&self, real: usize) -> usize {
        let run = self.runs.partition_point(|r| r.real.start <= real);
        run.checked_sub(1)
            .and_then(|i| self.runs.get(i))
            .map_or(0, |r| r.at + real.min(r.real.end) - r.real.start)
    }

    /// Where offset `at` of the part's text is in the file.
    fn real_offset(&self, at: usize) -> usize {
        let run = self.runs.partition_point(|r| r.at <= at);
        run.checked_sub(1)
            .and_then(|i| self.runs.get(i))
            .map_or(0, |r| r.real.start + (at - r.at).min(r.real.len()))
    }
}

/// The runs of `line` (a line's bytes in `text`) to quote: all of it when it has at most
/// `LONG_LINE` characters; else `CONTEXT` characters either side of each of `ends` (of the line's
/// start when there is none), overlapping runs merged, a run reaching the line break taking it.
fn windows(text: &str, line: Range<usize>, ends: &[usize]) -> Vec<Range<usize>> {
    // Only one line break is stripped: the cost must not depend on what the line holds.
    let body = &text[line.clone()];
    let body = body.strip_suffix('\n').unwrap_or(body);
    let body = body.strip_suffix('\r').unwrap_or(body);
    if body.chars().nth(LONG_LINE).is_none() {
        return vec![line];
    }
    let body_end = line.start + body.len();
    let before = |at: usize| {
        text[line.start..at]
            .char_indices()
            .rev()
            .nth(CONTEXT - 1)
            .map_or(line.start, |(i, _)| line.start + i)
    };
    let after = |at: usize| {
        text[at.min(body_end)..body_end]
            .char_indices()
            .nth(CONTEXT)
            .map_or(line.end, |(i, _)| at + i)
    };
    let mut ends = ends.to_vec();
    if ends.is_empty() {
        ends.push(line.start);
    }
    ends.sort_unstable();
    let mut runs: Vec<Range<usize>> = Vec::new();
    for at in ends {
        let run = before(at)..after(at);
        match runs.last_mut() {
            Some(last) if run.start <= last.end => last.end = last.end.max(run.end),
            _ => runs.push(run),
        }
    }
    runs
}

impl<'a> Files<'a> for Excerpt<'_> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, Error> {
        Ok(self.part(id)?.source.name)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, Error> {
        Ok(&self.part(id)?.text)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, Error> {
        let part = self.part(id)?;
        let line = part.lines.partition_point(|l| l.at <= byte_index);
        Ok(line
            .checked_sub(1)
            .and_then(|i| part.lines.get(i))
            .map_or(0, |l| l.line))
    }

    fn line_range(&'a self, id: usize, line: usize) -> Result<Range<usize>, Error> {
        let part = self.part(id)?;
        let end = part.text.len();
        match part.lines.binary_search_by_key(&line, |l| l.line) {
            Ok(i) => Ok(part.lines[i].at..part.lines.get(i + 1).map_or(end, |next| next.at)),
            // Inside a multi-line label, away from its ends: asked for, never drawn.
            Err(_) if part.source.lines.line_range(line).is_some() => Ok(end..end),
            // Past the end: codespan-reporting stops looking for context lines there.
            Err(_) => Err(Error::LineTooLarge {
                given: line,
                max: part.source.lines.line(part.source.text.len()),
            }),
        }
    }

    fn column_number(&'a self, id: usize, _line: usize, byte_index: usize) -> Result<usize, Error> {
        let part = self.part(id)?;
        Ok(part
            .source
            .lines
            .position(part.real_offset(byte_index))
            .column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codespan_reporting::diagnostic::{Diagnostic, Label, LabelStyle};
    use codespan_reporting::files::SimpleFiles;
    use codespan_reporting::term;
    use termcolor::NoColor;

    fn draw<'f>(
        files: &'f impl Files<'f, FileId = usize>,
        labels: Vec<Label<usize>>,
        config: &Config,
    ) -> String {
        let diagnostic = Diagnostic::error()
            .with_message("m")
            .with_labels(labels)
            .with_notes(vec!["n".into()]);
        let mut out = NoColor::new(Vec::new());
        term::emit_to_write_style(&mut out, config, files, &diagnostic).unwrap();
        String::from_utf8(out.into_inner()).unwrap()
    }

    /// `spans` (file, start, end, primary) drawn from an excerpt of `texts`.
    fn draw_excerpt(
        texts: &[&str],
        spans: &[(usize, usize, usize, bool)],
        config: &Config,
    ) -> String {
        let sources: Vec<Source> = texts.iter().map(|t| Source::new("f", t)).collect();
        let at: Vec<(usize, Span)> = spans
            .iter()
            .map(|&(file, start, end, _)| (file, Span::new(start, end)))
            .collect();
        let (excerpt, ranges) = Excerpt::new(&sources, &at, config);
        let labels = spans
            .iter()
            .zip(ranges)
            .map(|(&(file, .., primary), range)| {
                let style = if primary {
                    LabelStyle::Primary
                } else {
                    LabelStyle::Secondary
                };
                Label::new(style, file, range).with_message("here")
            });
        draw(&excerpt, labels.collect(), config)
    }

    /// Files of short lines are drawn exactly as codespan-reporting's own `SimpleFiles` draws
    /// them, whatever the labels and the context settings.
    #[test]
    fn short_lines_are_drawn_as_before() {
        let long: String = (0..40).map(|i| format!("line {i}: é€😀\tx\n")).collect();
        let texts = [long.as_str(), "ab\r\né x\n\n\tz\n😀 last", "", "one\n"];
        let mut simple = SimpleFiles::new();
        for text in texts {
            simple.add("f", text);
        }
        let wide = Config {
            before_label_lines: 1,
            after_label_lines: 2,
            start_context_lines: 1,
            end_context_lines: 2,
            ..Config::default()
        };
        // A fixed linear congruential sequence: many label layouts, the same on every run.
        let mut seed: u64 = 7;
        let mut next = |n: usize| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize % n.max(1)
        };
        for round in 0..600 {
            let config = if round % 2 == 0 {
                Config::default()
            } else {
                wide.clone()
            };
            let spans: Vec<(usize, usize, usize, bool)> = (0..1 + next(4))
                .map(|i| {
                    let file = next(texts.len());
                    let text = texts[file];
                    let mut at = || floor_char_boundary(text, next(text.len() + 1));
                    let (a, b) = (at(), at());
                    (file, a.min(b), a.max(b), i == 0)
                })
                .collect();
            let labels = spans.iter().map(|&(file, start, end, primary)| {
                let style = if primary {
                    LabelStyle::Primary
                } else {
                    LabelStyle::Secondary
                };
                Label::new(style, file, start..end).with_message("here")
            });
            assert_eq!(
                draw_excerpt(&texts, &spans, &config),
                draw(&simple, labels.collect(), &config),
                "{spans:?}"
            );
        }
    }

    /// Spans past the end of their file, inside a character or reversed (none expected) are
    /// clamped to the file and drawn.
    #[test]
    fn stray_spans_are_clamped() {
        let out = draw_excerpt(
            &["ab\ncé", ""],
            &[(0, 99, 120, true), (0, 6, 1, false), (1, 3, 4, false)],
            &Config::default(),
        );
        assert!(out.contains("┌─ f:2:3\n"), "{out}");
        assert!(out.contains("2 │   cé\n  │     ^ here\n"), "{out}");
        assert!(out.contains("┌─ f:1:1\n"), "{out}");
    }

    /// On a long line of multi-byte characters, runs start and end on characters, `CONTEXT`
    /// characters either side of each label end, and merge where they meet.
    #[test]
    fn windows_cut_long_lines_on_characters() {
        // Runs as character positions; slicing at them checks that they are on characters.
        let runs = |text: &str, ends: &[usize]| -> Vec<(usize, usize)> {
            let byte = |chars: usize| text.char_indices().nth(chars).unwrap().0;
            let ends: Vec<usize> = ends.iter().map(|&c| byte(c)).collect();
            let chars = |at: usize| text[..at].chars().count();
            windows(text, 0..text.len(), &ends)
                .into_iter()
                .map(|r| (chars(r.start), chars(r.end)))
                .collect()
        };
        let line = "aé€😀".repeat(100) + "\n";
        assert_eq!(runs(&line, &[200]), [(200 - CONTEXT, 200 + CONTEXT)]);
        // Near the start and the end: no cut there, and the line break goes with the last run.
        assert_eq!(runs(&line, &[390, 10]), [(0, 70), (330, 401)]);
        // Ends closer than twice the context: one run.
        assert_eq!(runs(&line, &[100, 200]), [(40, 260)]);
        // A drawn line without a label end shows its start.
        assert_eq!(runs(&line, &[]), [(0, CONTEXT)]);
        // Up to `LONG_LINE` characters, the line break aside: whole; one more: cut.
        let short = "é".repeat(LONG_LINE) + "\r\n";
        assert_eq!(runs(&short, &[4]), [(0, LONG_LINE + 2)]);
        let long = "é".repeat(LONG_LINE + 1) + "\n";
        assert_eq!(runs(&long, &[0]), [(0, CONTEXT)]);
    }

    /// A label on a long line is drawn from a window of it, `…` where cut, with the real line and
    /// column in the locus and its carets under its text.
    #[test]
    fn long_lines_are_drawn_cut_with_real_columns() {
        let text = format!(
            "{{\n{}\"key\": 1, {}\n}}\n",
            "é€a".repeat(300),
            "b".repeat(500)
        );
        let start = text.find("\"key\"").unwrap();
        let out = draw_excerpt(&[&text], &[(0, start, start + 5, true)], &Config::default());
        assert!(out.contains("┌─ f:2:901\n"), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        let quoted = lines.iter().find(|l| l.starts_with("2 │ ")).unwrap();
        let body = &quoted["2 │ ".len()..];
        let expected = format!("…{}\"key\": 1, {}…", "é€a".repeat(20), "b".repeat(55));
        assert_eq!(body, expected);
        let carets = lines.iter().find(|l| l.contains('^')).unwrap();
        let column = |s: &str, pat: &str| s[..s.find(pat).unwrap()].chars().count();
        assert_eq!(column(carets, "^^^^^ here"), column(quoted, "\"key\""));
        assert!(out.len() < 600, "{out}");
    }

    /// A label across lines, from far into a long line to another one: both ends are drawn cut,
    /// and a long line drawn between them shows its start.
    #[test]
    fn labels_across_long_lines_are_drawn_cut() {
        let long = "x".repeat(1_000);
        let text = format!("{long}\n{long}\n{long}\n");
        let out = draw_excerpt(&[&text], &[(0, 500, 2_500, true)], &Config::default());
        // The top caret is under the label's first character, the bottom one under its last.
        let expected = format!(
            "1 │   …{x}…\n  │ ╭{top}^\n2 │ │ {start}…\n3 │ │ …{x}…\n  │ ╰{bottom}^ here",
            x = "x".repeat(2 * CONTEXT),
            top = "─".repeat(CONTEXT + 2),
            start = "x".repeat(CONTEXT),
            bottom = "─".repeat(CONTEXT + 1),
        );
        assert!(out.contains(&expected), "{out}");
    }
}
