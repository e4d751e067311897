use super::policies::statements;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::model::deploy::Model;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    for (policy, statement) in statements(model) {
        for c in statement.conditions.iter().filter(|c| !c.opaque) {
            let op = set_operator(&c.operator);
            let op = op.strip_suffix("IfExists").unwrap_or(op);
            let Some((kind, valid)) = value_type(op) else {
                continue;
            };
            let Some(bad) = c.values.iter().find(|v| !valid(v)) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    "ORB310",
                    Severity::Error,
                    &policy.file,
                    c.span,
                    format!("`{op}` on `{}` needs {kind}, not \"{bad}\"", c.key),
                )
                .label_here("never true as written")
                .with_help(format!("write {kind}")),
            );
        }
    }
}

/// The operator under its set qualifiers (`ForAllValues:`, `ForAnyValue:`), stripped by prefix
/// tests: `trim_start_matches` built a string searcher for each of 8,766 conditions, four fifths
/// of this rule's cost on the shared corpus.
fn set_operator(operator: &str) -> &str {
    let mut op = operator;
    while let Some(rest) = op.strip_prefix("ForAllValues:") {
        op = rest;
    }
    while let Some(rest) = op.strip_prefix("ForAnyValue:") {
        op = rest;
    }
    op
}

/// A type's name in a message, and the test of one value.
type ValueType = (&'static str, fn(&str) -> bool);

/// The type an operator reads its values as.
fn value_type(op: &str) -> Option<ValueType> {
    Some(match op {
        "Bool" => ("`true` or `false`", |v| {
            v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")
        }),
        _ if op.starts_with("Date") => ("an ISO 8601 date or time, or epoch seconds", is_date),
        _ if op.starts_with("Numeric") => ("a number", is_number),
        "IpAddress" | "NotIpAddress" => ("an IP address or CIDR block", is_ip),
        _ => return None,
    })
}

fn is_number(v: &str) -> bool {
    let v = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = v.split_once('.').unwrap_or((v, "0"));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && !frac.is_empty()
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY-MM-DD`, optionally `THH:MM[:SS[.fff]]` and a zone (`Z`, `+01:00`); or epoch seconds.
fn is_date(v: &str) -> bool {
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if !(digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10))
    {
        return false;
    }
    let rest = &v[10..];
    if rest.is_empty() {
        return true;
    }
    let Some(time) = rest.strip_prefix('T') else {
        return false;
    };
    let time = time
        .strip_suffix('Z')
        .or_else(|| {
            let at = time.rfind(['+', '-'])?;
            let zone = &time[at + 1..];
            (zone.len() == 5 && zone.as_bytes()[2] == b':').then_some(&time[..at])
        })
        .unwrap_or(time);
    let (hms, fraction) = time.split_once('.').unwrap_or((time, "0"));
    let parts: Vec<&str> = hms.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn is_ip(v: &str) -> bool {
    let (address, prefix) = v.split_once('/').unwrap_or((v, ""));
    let prefix_ok = |max: u32| prefix.is_empty() || prefix.parse::<u32>().is_ok_and(|p| p <= max);
    if address.parse::<std::net::Ipv4Addr>().is_ok() {
        return prefix_ok(32);
    }
    address.parse::<std::net::Ipv6Addr>().is_ok() && prefix_ok(128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        for d in [
            "2026-12-31",
            "2026-12-31T23:59:59Z",
            "2026-12-31T23:59Z",
            "2026-12-31T23:59:59.123+01:00",
            "1767225599",
        ] {
            assert!(is_date(d), "{d}");
        }
        for d in [
            "31/12/2026",
            "2026-12-31 23:59",
            "tomorrow",
            "2026-12-31T25",
            "",
        ] {
            assert!(!is_date(d), "{d}");
        }
        for n in ["0", "3600", "-1", "1.5"] {
            assert!(is_number(n), "{n}");
        }
        for n in ["", "1e3", "one", "1.", ".5"] {
            assert!(!is_number(n), "{n}");
        }
        for ip in ["10.0.0.0/8", "203.0.113.7", "2001:db8::/32", "::1"] {
            assert!(is_ip(ip), "{ip}");
        }
        for ip in ["10.0.0.0/33", "10.0.0", "vpc-123", "2001:db8::/129"] {
            assert!(!is_ip(ip), "{ip}");
        }
    }
}
