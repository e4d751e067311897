use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::span::Span;
use crate::config::suppress::{Scope, Unused};

/// One note per suppression that covered nothing, at the suppression.
pub fn report(unused: &[Unused]) -> Vec<Diagnostic> {
    unused
        .iter()
        .map(|u| {
            let s = u.suppression;
            let where_ = match &s.scope {
                Scope::Lines { .. } => "on the line this comment covers",
                Scope::Within { .. } => "in this resource",
                Scope::Paths(_) => "in the files these paths match",
            };
            let (message, span) = if let Some(why) = &s.malformed {
                (format!("suppression cannot be read: {why}"), s.span)
            } else {
                let unknown: Vec<&str> = u
                    .codes
                    .iter()
                    .filter(|c| !crate::registry::is_code_pattern(&c.pattern))
                    .map(|c| c.pattern.as_str())
                    .collect();
                let listed = u
                    .codes
                    .iter()
                    .map(|c| format!("`{}`", c.pattern))
                    .collect::<Vec<_>>()
                    .join(", ");
                let message = if !unknown.is_empty() {
                    format!("unused suppression: {listed} names no orb-scan rule")
                } else if u.codes.len() == s.codes.len() {
                    format!("unused suppression: no {listed} finding {where_}")
                } else {
                    format!("unused suppression code: no {listed} finding {where_}")
                };
                // From the first unused code to the last, which are in source order.
                let span = match (u.codes.first(), u.codes.last()) {
                    (Some(first), Some(last)) => Span {
                        start: first.span.start,
                        end: last.span.end,
                    },
                    _ => s.span,
                };
                (message, span)
            };
            let mut d = Diagnostic::new("ORB903", Severity::Note, &s.file, span, message)
                .label_here("suppresses nothing")
                .with_help("remove it, or correct its rule codes or paths (`orb-scan rules` lists the codes)");
            if let Some(reason) = &s.reason {
                d = d.with_note(format!("its reason: {reason}"));
            }
            d
        })
        .collect()
}
