//! Every rule's metadata (code, name, default severity, summary, documentation) and nothing of how
//! it checks: configuration validates codes here, and `orb-scan rule`, SARIF `rules[]` and
//! docs/rules/ read it. Each check lives in rules/, paired with its entry here.

use crate::base::diagnostic::Severity;

pub mod orb100;
pub mod orb101;
pub mod orb102;
pub mod orb103;
pub mod orb104;
pub mod orb105;
pub mod orb106;
pub mod orb107;
pub mod orb108;
pub mod orb109;
pub mod orb110;
pub mod orb111;
pub mod orb201;
pub mod orb202;
pub mod orb203;
pub mod orb204;
pub mod orb205;
pub mod orb206;
pub mod orb207;
pub mod orb301;
pub mod orb302;
pub mod orb303;
pub mod orb304;
pub mod orb305;
pub mod orb306;
pub mod orb307;
pub mod orb308;
pub mod orb309;
pub mod orb310;
pub mod orb311;
pub mod orb401;
pub mod orb402;
pub mod orb403;
pub mod orb404;
pub mod orb901;
pub mod orb902;
pub mod orb903;

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// Markdown: what it finds, why it matters, an example, the fix, and ORB's source reference.
    pub doc: &'static str,
}

pub static RULES: &[&Rule] = &[
    &orb100::RULE,
    &orb101::RULE,
    &orb102::RULE,
    &orb103::RULE,
    &orb104::RULE,
    &orb105::RULE,
    &orb106::RULE,
    &orb107::RULE,
    &orb108::RULE,
    &orb109::RULE,
    &orb110::RULE,
    &orb111::RULE,
    &orb201::RULE,
    &orb202::RULE,
    &orb203::RULE,
    &orb204::RULE,
    &orb205::RULE,
    &orb206::RULE,
    &orb207::RULE,
    &orb301::RULE,
    &orb302::RULE,
    &orb303::RULE,
    &orb304::RULE,
    &orb305::RULE,
    &orb306::RULE,
    &orb307::RULE,
    &orb308::RULE,
    &orb309::RULE,
    &orb310::RULE,
    &orb311::RULE,
    &orb401::RULE,
    &orb402::RULE,
    &orb403::RULE,
    &orb404::RULE,
    &orb901::RULE,
    &orb902::RULE,
    &orb903::RULE,
];

pub fn lookup(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code))
}

/// Does a `--select`/`--ignore` entry (a code or a prefix such as `ORB1`) cover `code`?
pub fn code_matches(pattern: &str, code: &str) -> bool {
    let p = pattern.trim().to_ascii_uppercase();
    p == "ALL" || code.starts_with(&p)
}

/// Does a code or prefix name at least one rule?
pub fn is_code_pattern(pattern: &str) -> bool {
    RULES.iter().any(|r| code_matches(pattern, r.code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_unique_and_documented() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for r in RULES {
            assert!(r.code.starts_with("ORB") && r.code.len() == 6, "{}", r.code);
            assert!(
                !r.summary.is_empty() && r.doc.len() > 80,
                "{} needs docs",
                r.code
            );
            assert!(
                r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                r.name
            );
        }
    }
}
