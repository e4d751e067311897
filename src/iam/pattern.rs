//! IAM glob patterns: `*` matches any run of characters, `?` exactly one.

/// Compares as if both were ASCII-lowercased, without lowercasing them: the order
/// of sorted lists searched case-insensitively, as IAM compares action names.
pub fn cmp_ignore_case(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        if x != y {
            let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
            if x != y {
                return x.cmp(&y);
            }
        }
    }
    a.len().cmp(&b.len())
}

/// Is `action` (an entry or an action) written under `service`, in any case: `EC2:Run*` under `ec2`?
pub fn under_service(action: &str, service: &str) -> bool {
    let (action, service) = (action.as_bytes(), service.as_bytes());
    action.len() > service.len()
        && action[service.len()] == b':'
        && action[..service.len()].eq_ignore_ascii_case(service)
}

/// The service an action glob is confined to: its text before the colon, when that is ASCII and
/// wildcard-free (`ec2` for `ec2:Describe*`), with the rest. Such a glob matches an action only if
/// that action's service is the same, in any case; a service beyond ASCII could match by Unicode
/// case (`\u{212a}` is a `k`), so it confines nothing.
pub fn glob_service(pattern: &str) -> Option<(&str, &str)> {
    let (service, name) = pattern.split_once(':')?;
    (service.is_ascii() && !has_wildcard(service)).then_some((service, name))
}

/// The first `${...}` that is CloudFormation's, not an IAM policy variable: a parameter or resource
/// (`${BucketName}`, `${Role.Arn}`) or a pseudo parameter (`${AWS::Region}`). IAM's variables are
/// `service:key` (one colon) or the escapes `${*}`, `${?}`, `${$}`.
pub fn cfn_substitution(text: &str) -> Option<&str> {
    // Asked of every resource of every statement: most hold no `$` at all.
    memchr::memchr(b'$', text.as_bytes())?;
    let mut rest = text;
    while let Some(open) = rest.find("${") {
        let after = &rest[open + 2..];
        let close = after.find('}')?;
        let name = &after[..close];
        let iam = matches!(name, "*" | "?" | "$")
            || (name.contains(':') && !name.contains("::"))
            || name.starts_with('!');
        if !iam && !name.is_empty() {
            return Some(name);
        }
        rest = &after[close..];
    }
    None
}

/// `text` with each placeholder (`opener` name `}`: `{region}`, `${Partition}`) replaced by
/// `value(name)`, in one pass (a substituted value is never searched again); `None` when a value is.
pub fn substitute<S: AsRef<str>>(
    text: &str,
    opener: &str,
    mut value: impl FnMut(&str) -> Option<S>,
) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // The opener's first byte by memchr, then the rest of it: no string searcher per call.
    let first = opener.as_bytes()[0];
    let mut from = 0;
    while let Some(at) = memchr::memchr(first, &rest.as_bytes()[from..]) {
        let open = from + at;
        if !rest[open..].starts_with(opener) {
            from = open + 1;
            continue;
        }
        let Some(close) = memchr::memchr(b'}', &rest.as_bytes()[open..]) else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(value(&rest[open + opener.len()..open + close])?.as_ref());
        rest = &rest[open + close + 1..];
        from = 0;
    }
    out.push_str(rest);
    Some(out)
}

/// Does `pattern` hold a wildcard (`*` or `?`)?
pub fn has_wildcard(pattern: &str) -> bool {
    memchr::memchr2(b'*', b'?', pattern.as_bytes()).is_some()
}

/// Matches `text` against an IAM glob. Iterative with single backtrack point: linear-ish, no recursion.
/// It runs for every action entry of every statement against every needed action, and nearly all
/// such calls fail in the literal part before the first wildcard (another service, another name):
/// that part is compared here, inlined in the caller's loop, and only the rest is matched as a glob.
#[inline]
pub fn glob_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let mut i = 0;
    loop {
        match (p.get(i), t.get(i)) {
            (None, None) => return true,
            (Some(b'*' | b'?'), _) => break,
            (Some(&pc), Some(&tc)) if pc.is_ascii() && tc.is_ascii() => {
                let same = pc == tc || (case_insensitive && pc.eq_ignore_ascii_case(&tc));
                if !same {
                    return false;
                }
                i += 1;
            }
            // Non-ASCII text is compared by characters below.
            (Some(_), Some(_)) => break,
            (Some(_), None) | (None, Some(_)) => return false,
        }
    }
    // Everything before `i` is ASCII, so `i` is a character boundary in both.
    glob_text(&pattern[i..], &text[i..], case_insensitive)
}

/// ASCII inputs (nearly all of IAM) are matched as bytes, without allocating.
fn glob_text(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        let eq = |a: &u8, b: &u8| {
            if case_insensitive {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        return glob_slices(pattern.as_bytes(), text.as_bytes(), b'*', b'?', eq);
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let eq = |a: &char, b: &char| {
        if case_insensitive {
            a.to_lowercase().eq(b.to_lowercase())
        } else {
            a == b
        }
    };
    glob_slices(&p, &t, '*', '?', eq)
}

fn glob_slices<T: PartialEq>(
    p: &[T],
    t: &[T],
    star: T,
    one: T,
    eq: impl Fn(&T, &T) -> bool,
) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == one || (p[pi] != star && eq(&p[pi], &t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == star {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = backtrack {
            pi = sp + 1;
            ti = st + 1;
            backtrack = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == star {
        pi += 1;
    }
    pi == p.len()
}

/// An IAM action: `service:Name`, matched case-insensitively.
#[inline]
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob_match(pattern, action, true)
}

/// How a statement's resource pattern relates to the resources a request may touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceMatch {
    /// Every resource the request may touch matches the pattern.
    Covers,
    /// Some may, some may not: which one ORB touches decides.
    Overlaps(Overlap),
    Disjoint,
}

/// What an overlap turns on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlap {
    /// Only the account: the pattern names one, the needed ARN's is unknown.
    Account,
    /// A name or id the needed pattern leaves unknown (and perhaps the account too).
    Names,
    /// The resource type: the request may touch a resource of any of its action's types.
    Type,
}

/// Relates `pattern` (from a policy) to `needed` (a pattern whose `*` are parts orb-scan cannot
/// know). Two ARNs compare field by field (partition, service, region, account, resource), since no
/// field but the last holds a colon; the resource part, and so the resource type, case-sensitively.
/// A literal account where the needed one is unknown only overlaps it (`Overlap::Account`): the
/// caller decides whether to take it for the deployment's own.
pub fn resource_match(pattern: &str, needed: &str) -> ResourceMatch {
    match (arn_fields(pattern), arn_fields(needed)) {
        (Some(p), Some(n)) => fields_match(&p, &n),
        _ => glob_relation(pattern, needed),
    }
}

/// `resource_match` of two ARNs already split into their fields (`arn_fields`).
pub fn fields_match(p: &[&str; 6], n: &[&str; 6]) -> ResourceMatch {
    let mut result = ResourceMatch::Covers;
    // The service and the resource part first: where two ARNs most often part.
    for i in [SERVICE, RESOURCE, REGION, ACCOUNT, PARTITION] {
        let (pf, nf) = (p[i], n[i]);
        if pf == nf {
            continue;
        }
        let field = match glob_relation(pf, nf) {
            ResourceMatch::Overlaps(_) if i == ACCOUNT && nf == "*" => {
                ResourceMatch::Overlaps(Overlap::Account)
            }
            other => other,
        };
        result = match (result, field) {
            (_, ResourceMatch::Disjoint) => return ResourceMatch::Disjoint,
            (ResourceMatch::Overlaps(o @ (Overlap::Names | Overlap::Type)), _)
            | (_, ResourceMatch::Overlaps(o @ (Overlap::Names | Overlap::Type))) => {
                ResourceMatch::Overlaps(o)
            }
            (ResourceMatch::Overlaps(o), _) | (_, ResourceMatch::Overlaps(o)) => {
                ResourceMatch::Overlaps(o)
            }
            _ => ResourceMatch::Covers,
        };
    }
    result
}

const PARTITION: usize = 1;
const SERVICE: usize = 2;
const REGION: usize = 3;
const ACCOUNT: usize = 4;
const RESOURCE: usize = 5;

/// The six fields of an ARN (the last keeps its colons), or `None` for anything else. A loop over
/// bytes: ARNs are short, and this runs for every resource pattern a rule or a request relates
/// (memchr's search costs more than it saves on texts this short: +7.5 M instructions on the corpus).
pub fn arn_fields(s: &str) -> Option<[&str; 6]> {
    if !s.starts_with("arn:") {
        return None;
    }
    let mut fields = [""; 6];
    let mut start = 0;
    let mut field = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b':' {
            fields[field] = &s[start..i];
            field += 1;
            start = i + 1;
            if field == 5 {
                fields[5] = &s[start..];
                return Some(fields);
            }
        }
    }
    None
}

/// `fields_match(p, n) != ResourceMatch::Disjoint`, without telling covering from overlapping:
/// what a rule asking "may this pattern name such a resource?" needs.
pub fn fields_overlap(p: &[&str; 6], n: &[&str; 6]) -> bool {
    [SERVICE, RESOURCE, REGION, ACCOUNT, PARTITION]
        .into_iter()
        .all(|i| p[i] == n[i] || globs_overlap(p[i], n[i]))
}

/// `glob_relation(a, b) != ResourceMatch::Disjoint`: may some text match both globs? Covering is
/// not worked out.
fn globs_overlap(a: &str, b: &str) -> bool {
    if b == "*" {
        return true;
    }
    if literal_heads_differ(a, b) {
        return false;
    }
    match (has_wildcard(a), has_wildcard(b)) {
        (false, false) => a == b,
        (false, true) => glob_match(b, a, false),
        (true, false) => glob_match(a, b, false),
        (true, true) => literal_ends_agree(a, b) && resource_overlaps(a, b),
    }
}

/// Do two texts differ before either has a wildcard? Then they share nothing: most pairs of
/// resource types (`instance/*` and `volume/*`) part here, in their first bytes.
fn literal_heads_differ(a: &str, b: &str) -> bool {
    for (&x, &y) in a.as_bytes().iter().zip(b.as_bytes()) {
        if matches!(x, b'*' | b'?') || matches!(y, b'*' | b'?') {
            return false;
        }
        if x != y {
            return true;
        }
    }
    false
}

fn glob_relation(pattern: &str, needed: &str) -> ResourceMatch {
    // The common cases, without the general search: a field that may be anything (every glob
    // matches some text), and two literals.
    if needed == "*" {
        return if !pattern.is_empty() && pattern.bytes().all(|b| b == b'*') {
            ResourceMatch::Covers
        } else {
            ResourceMatch::Overlaps(Overlap::Names)
        };
    }
    if literal_heads_differ(pattern, needed) {
        return ResourceMatch::Disjoint;
    }
    match (has_wildcard(pattern), has_wildcard(needed)) {
        (false, false) if pattern == needed => return ResourceMatch::Covers,
        (false, false) => return ResourceMatch::Disjoint,
        // One side is a single text: it is in the other glob, or the two share nothing.
        (false, true) if glob_match(needed, pattern, false) => {
            return ResourceMatch::Overlaps(Overlap::Names)
        }
        (true, false) if glob_match(pattern, needed, false) => return ResourceMatch::Covers,
        (false, true) | (true, false) => return ResourceMatch::Disjoint,
        (true, true) if !literal_ends_agree(pattern, needed) => return ResourceMatch::Disjoint,
        (true, true) => {}
    }
    if resource_covers(pattern, needed) {
        ResourceMatch::Covers
    } else if resource_overlaps(pattern, needed) {
        ResourceMatch::Overlaps(Overlap::Names)
    } else {
        ResourceMatch::Disjoint
    }
}

/// Could two globs match a common text, judging only the literal text before their first wildcard
/// and after their last? (`false` is certain; `true` leaves the question open.) `launch-template/*`
/// and `instance/*` part at their first letter.
fn literal_ends_agree(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let wild = |c: &u8| *c == b'*' || *c == b'?';
    let head = |s: &[u8]| s.iter().position(wild).unwrap_or(s.len());
    let tail = |s: &[u8]| s.iter().rposition(wild).map_or(0, |i| i + 1);
    let n = head(a).min(head(b));
    let m = (a.len() - tail(a)).min(b.len() - tail(b));
    a[..n] == b[..n] && a[a.len() - m..] == b[b.len() - m..]
}

/// Does resource pattern `granted` cover every resource that `needed` (itself a pattern whose `*` are
/// unknown parts) can name? A `*` in `needed` is covered only by a `*` in `granted`.
pub fn resource_covers(granted: &str, needed: &str) -> bool {
    if granted == "*" {
        return true;
    }
    // ASCII (nearly every ARN) is matched as bytes, without collecting characters.
    if granted.is_ascii() && needed.is_ascii() {
        return covers(granted.as_bytes(), needed.as_bytes(), b'*', b'?');
    }
    let granted: Vec<char> = granted.chars().collect();
    let needed: Vec<char> = needed.chars().collect();
    covers(&granted, &needed, '*', '?')
}

/// `resource_covers` over characters or bytes: the needed pattern's wildcards are characters the
/// grant must absorb with its own `star`.
fn covers<T: Copy + PartialEq>(g: &[T], n: &[T], star: T, any: T) -> bool {
    let (mut gi, mut ni) = (0, 0);
    let mut star_at: Option<(usize, usize)> = None;
    while ni < n.len() {
        let literal_ok = gi < g.len()
            && g[gi] != star
            && ((g[gi] == any && n[ni] != star)
                || (g[gi] == n[ni] && n[ni] != star && n[ni] != any));
        if literal_ok {
            gi += 1;
            ni += 1;
        } else if gi < g.len() && g[gi] == star {
            star_at = Some((gi, ni));
            gi += 1;
        } else if let Some((sg, sn)) = star_at {
            gi = sg + 1;
            ni = sn + 1;
            star_at = Some((sg, sn + 1));
        } else {
            return false;
        }
    }
    while gi < g.len() && g[gi] == star {
        gi += 1;
    }
    gi == g.len()
}

/// Could `granted` name at least one resource that `needed` names? (Overlap of two globs.)
pub fn resource_overlaps(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return overlap(a.as_bytes(), b.as_bytes(), b'*', b'?');
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    overlap(&a, &b, '*', '?')
}

/// Do globs `a` and `b` (over characters or bytes) match a common string? A search over pairs of
/// positions `(i, j)`, "`a[..i]` and `b[..j]` can match a common prefix", that only moves forward:
/// each pair is visited once, from an explicit stack, so a hostile pattern hundreds of thousands of
/// characters long costs time and a bit per pair, never the call stack.
fn overlap<T: Copy + PartialEq>(a: &[T], b: &[T], star: T, any: T) -> bool {
    let width = b.len() + 1;
    // One bit per pair, on the stack for the usual short patterns; the stack of pairs holds at
    // most the pairs beside the current path.
    let words = ((a.len() + 1) * width).div_ceil(64);
    let (mut small, mut large) = ([0u64; 64], Vec::new());
    let seen: &mut [u64] = if words <= small.len() {
        &mut small[..words]
    } else {
        large.resize(words, 0);
        &mut large
    };
    let mut stack = Vec::with_capacity(a.len() + b.len() + 2);
    stack.push((0, 0));
    while let Some((i, j)) = stack.pop() {
        let (word, bit) = ((i * width + j) / 64, 1 << ((i * width + j) % 64));
        if seen[word] & bit != 0 {
            continue;
        }
        seen[word] |= bit;
        match (a.get(i).copied(), b.get(j).copied()) {
            (None, None) => return true,
            (Some(x), _) if x == star => {
                // The star matches nothing more, or takes `b[j]` too.
                stack.push((i + 1, j));
                if j < b.len() {
                    stack.push((i, j + 1));
                }
            }
            (_, Some(y)) if y == star => {
                stack.push((i, j + 1));
                if i < a.len() {
                    stack.push((i + 1, j));
                }
            }
            (Some(x), Some(y)) if x == y || x == any || y == any => stack.push((i + 1, j + 1)),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_confined_to_a_service() {
        assert_eq!(glob_service("EC2:Describe*"), Some(("EC2", "Describe*")));
        assert_eq!(glob_service("ec?:Describe*"), None);
        assert_eq!(glob_service("*"), None);
        // A service beyond ASCII may match by Unicode case: it confines nothing.
        assert_eq!(glob_service("\u{212a}ms:*"), None);
        assert!(action_matches("\u{212a}ms:*", "kms:Decrypt"));
    }

    #[test]
    fn entries_under_a_service() {
        assert!(under_service("EC2:Run*", "ec2"));
        assert!(under_service("ec2:", "ec2"));
        assert!(!under_service("ec2", "ec2"));
        assert!(!under_service("ec22:Run", "ec2"));
        assert!(!under_service("e:Run", "ec2"));
        assert!(!under_service("ébc:Run", "ébd"));
    }

    #[test]
    fn action_globs() {
        let cases = [
            ("ec2:*", "ec2:CreateFleet", true),
            ("EC2:createfleet", "ec2:CreateFleet", true),
            ("ec2:Describe*", "ec2:DescribeInstances", true),
            ("ec2:Describe*", "ec2:CreateFleet", false),
            ("ec2:*Fleet*", "ec2:DescribeFleetInstances", true),
            ("ec2:*Fleet*", "ec2:RunInstances", false),
            ("iam:List*Tags", "iam:ListRoleTags", true),
            ("ec2:Run?nstances", "ec2:RunInstances", true),
            ("ec2:Run?nstances", "ec2:Runnstances", false),
            ("*", "ssm:GetParameter", true),
            ("ssm:GetParameters", "ssm:GetParameter", false),
            ("ssm:GetParameter", "ssm:GetParameters", false),
            ("ec2:**Fleet", "ec2:CreateFleet", true),
            ("", "", true),
            ("", "ec2:CreateFleet", false),
            ("ec2:CreateFleet", "", false),
            ("ec2:Ünïcode*", "EC2:üNÏCODEx", true),
            ("ec2:Ünïcode", "ec2:Unicode", false),
            ("ec2:?", "ec2:é", true),
            ("ec2:é", "ec2:e", false),
        ];
        for (p, a, want) in cases {
            assert_eq!(action_matches(p, a), want, "{p} vs {a}");
        }
    }

    #[test]
    fn resources_are_case_sensitive() {
        assert!(glob_match(
            "arn:aws:iam::*:role/Orb*",
            "arn:aws:iam::1:role/OrbFleet",
            false
        ));
        assert!(!glob_match(
            "arn:aws:iam::*:role/orb*",
            "arn:aws:iam::1:role/OrbFleet",
            false
        ));
    }

    #[test]
    fn resource_matches() {
        use ResourceMatch::*;
        let any_role = "arn:aws:iam::*:role/*";
        let fleet = "arn:aws:iam::*:role/fleet-role";
        let names = Overlaps(Overlap::Names);
        let account = Overlaps(Overlap::Account);
        let cases = [
            ("*", fleet, Covers),
            ("arn:aws:iam::*:role/*", fleet, Covers),
            // A literal account may or may not be the deployment's own: the caller decides.
            ("arn:aws:iam::123456789012:role/fleet-role", fleet, account),
            ("arn:aws:iam::123456789012:role/*", fleet, account),
            ("arn:aws:iam::123456789012:role/other", fleet, Disjoint),
            ("arn:aws:iam::*:role/fleet-*", fleet, Covers),
            ("arn:aws:iam::*:role/Fleet-*", fleet, Disjoint),
            // The role inside an instance profile is unknown: a named role may or may not be it.
            (
                "arn:aws:iam::123456789012:role/orb-instance",
                any_role,
                names,
            ),
            ("arn:aws:iam::*:role/orb-*", any_role, names),
            ("arn:aws:iam::123456789012:role/*", any_role, account),
            ("arn:aws:iam::*:user/*", any_role, Disjoint),
            ("arn:aws-cn:iam::*:role/*", any_role, Disjoint),
            ("arn:*:iam::*:role/*", any_role, Covers),
            // Field by field: another service, region or resource type is another resource.
            (
                "arn:aws:iam::*:role/*",
                "arn:aws:ec2:eu-west-1:*:fleet/*",
                Disjoint,
            ),
            (
                "arn:aws:ec2:us-east-1:*:*",
                "arn:aws:ec2:eu-west-1:*:fleet/*",
                Disjoint,
            ),
            (
                "arn:aws:ec2:*:*:launch-template/*",
                "arn:aws:ec2:eu-west-1:*:fleet/*",
                Disjoint,
            ),
            (
                "arn:aws:ec2:*:*:Instance/*",
                "arn:aws:ec2:eu-west-1:*:instance/*",
                Disjoint,
            ),
            (
                "arn:aws:ec2:*:*:*",
                "arn:aws:ec2:eu-west-1:*:fleet/*",
                Covers,
            ),
            (
                "arn:aws:ec2:*:*:fleet/fleet-1",
                "arn:aws:ec2:eu-west-1:*:fleet/*",
                names,
            ),
            (
                "arn:aws:ssm:eu-west-1::parameter/aws/service/*",
                "arn:aws:ssm:eu-west-1::parameter/aws/service/ami-amazon-linux-latest/x",
                Covers,
            ),
            (
                "arn:aws:ssm:us-east-1::parameter/aws/service/*",
                "arn:aws:ssm:eu-west-1::parameter/aws/service/x",
                Disjoint,
            ),
            (
                "arn:aws:ssm:*:123456789012:parameter/*",
                "arn:aws:ssm:eu-west-1:*:parameter/golden",
                account,
            ),
        ];
        for (pattern, needed, want) in cases {
            assert_eq!(
                resource_match(pattern, needed),
                want,
                "{pattern} vs {needed}"
            );
        }
    }

    #[test]
    fn covering_and_overlap() {
        let need = "arn:aws:iam::*:role/fleet-role";
        assert!(resource_covers("*", need));
        assert!(resource_covers("arn:aws:iam::*:role/*", need));
        assert!(resource_covers("arn:aws:iam::*:role/fleet-role", need));
        assert!(!resource_covers(
            "arn:aws:iam::123456789012:role/fleet-role",
            need
        ));
        assert!(resource_overlaps(
            "arn:aws:iam::123456789012:role/fleet-role",
            need
        ));
        assert!(!resource_overlaps("arn:aws:iam::*:role/other", need));
        assert!(resource_overlaps(
            "arn:aws:iam::123456789012:role/orb-worker",
            "arn:aws:iam::*:role/*"
        ));
        assert!(!resource_covers(
            "arn:aws:iam::*:role/*",
            "arn:aws:ssm:us-east-1::parameter/x"
        ));
    }

    /// Every string over `alphabet` up to `max` characters long.
    fn strings(alphabet: &[char], max: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..max {
            last = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    /// The shortcuts of `glob_relation` answer as the general search does.
    #[test]
    fn glob_relation_shortcuts_agree_with_the_search() {
        let patterns = strings(&['a', 'b', '*', '?'], 4);
        for a in &patterns {
            for b in &patterns {
                let general = if resource_covers(a, b) {
                    ResourceMatch::Covers
                } else if resource_overlaps(a, b) {
                    ResourceMatch::Overlaps(Overlap::Names)
                } else {
                    ResourceMatch::Disjoint
                };
                assert_eq!(glob_relation(a, b), general, "{a} / {b}");
            }
        }
    }

    /// `globs_overlap` and `fields_overlap` say what `glob_relation` and `fields_match` say of
    /// disjointness, on every pair of short globs and on ARNs built of them.
    #[test]
    fn overlap_shortcuts_agree_with_the_relation() {
        let patterns = strings(&['a', 'b', '*', '?'], 4);
        for a in &patterns {
            for b in &patterns {
                let disjoint = glob_relation(a, b) == ResourceMatch::Disjoint;
                assert_eq!(globs_overlap(a, b), !disjoint, "{a} / {b}");
            }
        }
        let fields = strings(&['a', '*'], 2);
        for x in &fields {
            for y in &fields {
                let p = format!("arn:aws:{x}:{y}:*:{x}/{y}");
                let n = format!("arn:{y}:a:*:{x}:a/*");
                let (pf, nf) = (arn_fields(&p).unwrap(), arn_fields(&n).unwrap());
                let disjoint = fields_match(&pf, &nf) == ResourceMatch::Disjoint;
                assert_eq!(fields_overlap(&pf, &nf), !disjoint, "{p} / {n}");
            }
        }
        assert_eq!(
            arn_fields("arn:aws:s3:::b/k:v"),
            Some(["arn", "aws", "s3", "", "", "b/k:v"])
        );
        assert_eq!(arn_fields("arn:aws:s3::"), None);
        assert_eq!(
            arn_fields("arn:aws:s3:::"),
            Some(["arn", "aws", "s3", "", "", ""])
        );
    }

    /// Two globs overlap exactly when some string matches both: checked against every string short
    /// enough to be a witness (one character per literal or `?` of either glob), in ASCII and, with
    /// `é` for `b`, through the character path.
    #[test]
    fn overlap_is_a_common_match() {
        let patterns = strings(&['a', 'b', '*', '?'], 3);
        let witnesses = strings(&['a', 'b', 'c'], 6);
        let wide = |s: &str| s.replace('b', "é");
        for a in &patterns {
            for b in &patterns {
                let common = witnesses
                    .iter()
                    .any(|w| glob_match(a, w, false) && glob_match(b, w, false));
                assert_eq!(resource_overlaps(a, b), common, "{a} / {b}");
                assert_eq!(
                    resource_overlaps(&wide(a), &wide(b)),
                    common,
                    "{a} / {b}, wide"
                );
                assert_eq!(
                    resource_covers(a, b),
                    resource_covers(&wide(a), &wide(b)),
                    "{a} covers {b}, wide"
                );
            }
        }
    }
}
