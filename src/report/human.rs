//! rustc-like output in codespan-reporting's layout: labels across files, notes and help. The
//! usual snippet is drawn by `rich`, any other by codespan-reporting itself.

use super::excerpt::{Excerpt, Source};
use super::{escape_text, neutralize_source, Report};
use crate::base::diagnostic::{Diagnostic, FilePath, Severity, Sources};
use crate::base::span::Span;
use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label, LabelStyle, Severity as CsSeverity,
};
use codespan_reporting::term::{self, Config};
use std::borrow::Cow;
use std::collections::BTreeMap;
use termcolor::WriteColor;

/// Renders on up to `threads` cores: diagnostics are drawn independently, each share into its own
/// buffer, and the buffers are written in order, so the bytes do not depend on the thread count.
pub fn render(report: &Report, threads: usize, out: &mut dyn WriteColor) -> std::io::Result<()> {
    emit_on(&report.diagnostics, &report.sources, threads, out)?;
    summary(report, out)
}

/// The diagnostics alone, as codespan-reporting draws them; also used for settings errors, which
/// have no rule code.
pub fn emit(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    out: &mut dyn WriteColor,
) -> std::io::Result<()> {
    emit_on(diagnostics, sources, 1, out)
}

/// Fewer diagnostics than this per thread are not worth a thread.
const DIAGNOSTICS_PER_THREAD: usize = 64;

fn emit_on(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    threads: usize,
    out: &mut dyn WriteColor,
) -> std::io::Result<()> {
    let (texts, spans) = quoted(diagnostics, sources);
    let threads = threads.clamp(1, diagnostics.len().div_ceil(DIAGNOSTICS_PER_THREAD).max(1));
    if threads == 1 {
        return draw(diagnostics, &spans, &index(&texts), out);
    }
    // Indexing the lines of every quoted file is a fifth of the work: shared out too.
    let files: Vec<Source> = std::thread::scope(|scope| {
        let workers: Vec<_> = texts
            .chunks(texts.len().div_ceil(threads))
            .map(|texts| scope.spawn(move || index(texts)))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("indexing panicked"))
            .collect()
    });
    let share = diagnostics.len().div_ceil(threads);
    let blank = || {
        if out.supports_color() {
            termcolor::Buffer::ansi()
        } else {
            termcolor::Buffer::no_color()
        }
    };
    let buffers: Vec<std::io::Result<termcolor::Buffer>> = std::thread::scope(|scope| {
        let workers: Vec<_> = diagnostics
            .chunks(share)
            .zip(spans.chunks(share))
            .map(|(diagnostics, spans)| {
                let mut buffer = blank();
                let files = &files;
                scope.spawn(move || draw(diagnostics, spans, files, &mut buffer).map(|()| buffer))
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("rendering panicked"))
            .collect()
    });
    for buffer in buffers {
        out.write_all(buffer?.as_slice())?;
    }
    Ok(())
}

/// Every labelled file once, neutralized, and each diagnostic's spans as (file, span).
type Quoted<'a> = (Vec<(String, Cow<'a, str>)>, Vec<Vec<(usize, Span)>>);

fn quoted<'a>(diagnostics: &'a [Diagnostic], sources: &'a Sources) -> Quoted<'a> {
    let mut ids: BTreeMap<&FilePath, usize> = BTreeMap::new();
    let mut texts: Vec<(String, Cow<str>)> = Vec::new();
    let spans = diagnostics
        .iter()
        .map(|d| {
            let labels = d.labels.iter().map(|l| (&l.file, l.span));
            std::iter::once((&d.file, d.span))
                .chain(labels)
                .map(|(path, span)| {
                    let id = *ids.entry(path).or_insert_with(|| {
                        let text = sources.get(path).map(|t| neutralize_source(t));
                        texts.push((escape_text(path), text.unwrap_or_default()));
                        texts.len() - 1
                    });
                    (id, span)
                })
                .collect()
        })
        .collect();
    (texts, spans)
}

fn index<'a>(texts: &'a [(String, Cow<'a, str>)]) -> Vec<Source<'a>> {
    texts
        .iter()
        .map(|(name, text)| Source::new(name, text))
        .collect()
}

fn draw(
    diagnostics: &[Diagnostic],
    spans: &[Vec<(usize, Span)>],
    files: &[Source],
    out: &mut dyn WriteColor,
) -> std::io::Result<()> {
    let look = super::rich::Look::default();
    let config = &look.config;
    for (d, spans) in diagnostics.iter().zip(spans) {
        let (excerpt, shown) = shown(d, spans, files, config);
        if super::rich::emit(out, &look, &excerpt, &shown)? {
            continue;
        }
        // The excerpt clamps spans to their file, so no lookup fails; if one did, the report goes on.
        if term::emit_to_write_style(out, config, &excerpt, &shown).is_err() {
            writeln!(out, "{}: {}", d.code, shown.message)?;
        }
    }
    Ok(())
}

/// A diagnostic as codespan-reporting takes it, and the excerpt its labels point into.
fn shown<'a>(
    d: &Diagnostic,
    spans: &[(usize, Span)],
    files: &'a [Source<'a>],
    config: &Config,
) -> (Excerpt<'a>, CsDiagnostic<usize>) {
    let (excerpt, ranges) = Excerpt::new(files, spans, config);
    let messages = std::iter::once(&d.primary_label).chain(d.labels.iter().map(|l| &l.message));
    let labels = spans
        .iter()
        .zip(ranges)
        .zip(messages)
        .enumerate()
        .map(|(i, ((&(id, _), range), message))| {
            let style = if i == 0 {
                LabelStyle::Primary
            } else {
                LabelStyle::Secondary
            };
            Label::new(style, id, range).with_message(escape_text(message))
        })
        .collect();
    let mut notes: Vec<String> = d.notes.iter().map(|n| escape_text(n)).collect();
    if let Some(h) = &d.help {
        notes.push(format!("help: {}", escape_text(h)));
    }
    let severity = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Note => CsSeverity::Note,
    };
    let mut shown = CsDiagnostic::new(severity)
        .with_message(escape_text(&d.message))
        .with_labels(labels)
        .with_notes(notes);
    if !d.code.is_empty() {
        shown = shown.with_code(d.code);
    }
    (excerpt, shown)
}

fn summary(report: &Report, out: &mut dyn WriteColor) -> std::io::Result<()> {
    for line in super::scope_lines(&report.scopes, false) {
        writeln!(out, "{line}")?;
    }
    let s = &report.summary;
    let suppressed = if s.suppressed > 0 {
        format!(", {} suppressed", s.suppressed)
    } else {
        String::new()
    };
    let files = format!(
        "{} file{} walked, {} read, {} checked{suppressed}",
        s.files_walked,
        plural(s.files_walked),
        s.files_read,
        s.files_checked
    );
    if report.diagnostics.is_empty() {
        writeln!(out, "orb-scan: no problems found ({files})")?;
    } else {
        writeln!(
            out,
            "orb-scan: {} error{}, {} warning{}, {} note{} ({files})",
            s.errors,
            plural(s.errors),
            s.warnings,
            plural(s.warnings),
            s.notes,
            plural(s.notes),
        )?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::{index, quoted, shown};
    use std::path::Path;

    /// Every diagnostic of a scan of `folder`, drawn by `rich` and by codespan-reporting:
    /// (drawn, declined). They must agree byte for byte wherever `rich` draws.
    fn draw_both_ways(folder: &Path) -> (usize, usize) {
        let look = crate::report::rich::Look::default();
        let (mut drawn, mut declined) = (0, 0);
        let opts = crate::ScanOptions {
            paths: vec![folder.to_path_buf()],
            root: folder.to_path_buf(),
            walk: Default::default(),
            stdin_name: None,
            keep_text: false,
        };
        let report = crate::check(&crate::collect(&opts), &[], &[]);
        let (texts, spans) = quoted(&report.diagnostics, &report.sources);
        let files = index(&texts);
        for (d, spans) in report.diagnostics.iter().zip(&spans) {
            let (excerpt, shown) = shown(d, spans, &files, &look.config);
            match crate::report::rich::both_ways(&excerpt, &shown) {
                Some(drawn_both) => {
                    for (ours, theirs) in drawn_both {
                        assert_eq!(ours, theirs, "{}:{}", d.file, d.span.start);
                    }
                    drawn += 1;
                }
                None => declined += 1,
            }
        }
        (drawn, declined)
    }

    /// `rich` draws a diagnostic byte for byte as codespan-reporting does, in colour and without,
    /// on every diagnostic of testdata/ (rule fixtures, hostile input and real files), and most
    /// are its to draw.
    #[test]
    fn rich_snippets_are_codespans_on_every_testdata_diagnostic() {
        let (drawn, declined) =
            draw_both_ways(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"));
        assert!(
            drawn > 250 && declined > 0,
            "{drawn} drawn, {declined} declined"
        );
    }

    /// The same over the shared corpus beside the checkout, when it is there.
    #[test]
    fn rich_snippets_are_codespans_on_every_corpus_diagnostic() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        if !corpus.is_dir() {
            // Past the test harness's capture, so `cargo test` shows it.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "skipped: {} is absent", corpus.display());
            return;
        }
        let (drawn, declined) = draw_both_ways(&corpus);
        assert!(drawn > 900, "{drawn} drawn, {declined} declined");
    }
}
