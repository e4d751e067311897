//! The grammar of IAM policy documents, one per policy kind (identity, trust, resource), judged on
//! the spanned tree the model kept. Values produced by CloudFormation intrinsics are never judged:
//! what they will be is not known until deployment.

use super::policy::{Fields, PolicyKind};
use crate::base::span::Span;
use crate::read::syntax::{Entry, Node, Value};

/// One grammar violation. `warning` marks what IAM accepts with a changed meaning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub message: String,
    pub label: String,
    pub warning: bool,
    /// A second place that explains the first (the earlier duplicate Sid).
    pub related: Option<(Span, String)>,
}

impl Problem {
    fn error(span: Span, message: impl Into<String>, label: impl Into<String>) -> Problem {
        Problem {
            span,
            message: message.into(),
            label: label.into(),
            warning: false,
            related: None,
        }
    }
}

/// A document's problems past this many are not listed one by one: no one reads them, and a file
/// of a few megabytes could otherwise hold a million (a finding costs memory all the way to the
/// report).
pub const MAX_PROBLEMS: usize = 1_000;

const DOCUMENT_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
const VERSIONS: &[&str] = &["2012-10-17", "2008-10-17"];
const PRINCIPAL_KINDS: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];
/// The actions a role trust policy may allow (IAM: "sts:AssumeRole*", session tags, source identity,
/// context); `*` patterns over them are judged by matching.
pub const TRUST_ACTIONS: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];
const CONDITION_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Every grammar problem of one policy document of `kind`, in document order. `anchor` is where a
/// problem of the whole document is shown.
pub fn check(kind: PolicyKind, anchor: Span, doc: &Node) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(entries) = doc.as_object() else {
        return out;
    };
    unknown_keys(entries, DOCUMENT_KEYS, "policy document", &mut out);
    // A document without statements is the problem to name, not its missing `Version`.
    let statement = doc.entry("Statement");
    let no_statement = match statement.map(|e| &e.value.value) {
        None => Some("policy has no `Statement`: it grants nothing, and IAM rejects it"),
        Some(Value::Array(items)) if items.is_empty() => {
            Some("`Statement` is empty: the policy grants nothing, and IAM rejects it")
        }
        _ => None,
    };
    if let Some(message) = no_statement {
        let span = statement.map_or(doc.span, |e| e.value.span);
        out.push(Problem::error(span, message, "add at least one statement"));
        return out;
    }
    match doc.entry("Version") {
        None => out.push(Problem {
            warning: true,
            ..Problem::error(
                anchor,
                "policy has no `Version`: IAM reads it as 2008-10-17, without policy variables",
                "add \"Version\": \"2012-10-17\" beside this",
            )
        }),
        Some(v) if v.value.intrinsic().is_some() => {}
        Some(v) => match v.value.as_str() {
            Some(s) if VERSIONS.contains(&s) => {}
            _ => out.push(Problem::error(
                v.value.span,
                format!(
                    "`Version` must be \"2012-10-17\" or \"2008-10-17\", not {}",
                    shown(&v.value)
                ),
                "not a policy language version",
            )),
        },
    }
    if let Some(id) = doc.entry("Id") {
        if id.value.as_str().is_none() && id.value.intrinsic().is_none() {
            out.push(Problem::error(
                id.value.span,
                "`Id` must be a string",
                "not a string",
            ));
        }
    }
    let Some(statement) = doc.entry("Statement") else {
        return out;
    };
    let statements: Vec<&Node> = match &statement.value.value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) if statement.value.intrinsic().is_none() => vec![&statement.value],
        _ if statement.value.intrinsic().is_some() => Vec::new(),
        _ => {
            out.push(Problem::error(
                statement.value.span,
                format!(
                    "`Statement` must be an object or a list of objects, not {}",
                    statement.value.type_name()
                ),
                "not a statement",
            ));
            Vec::new()
        }
    };
    let mut sids = Sids::default();
    for s in statements {
        if out.len() >= MAX_PROBLEMS {
            out.push(Problem::error(
                statement.value.span,
                format!("more problems than the first {MAX_PROBLEMS} reported; fix these first"),
                "checked up to here",
            ));
            break;
        }
        if s.intrinsic().is_some() {
            continue;
        }
        match s.as_object() {
            Some(entries) => check_statement(kind, s, entries, &mut sids, &mut out),
            None => out.push(Problem::error(
                s.span,
                format!("a statement must be an object, not {}", s.type_name()),
                "not a statement",
            )),
        }
    }
    out
}

fn check_statement<'a>(
    kind: PolicyKind,
    s: &'a Node,
    entries: &'a [Entry],
    sids: &mut Sids<'a>,
    out: &mut Vec<Problem>,
) {
    unknown_keys(entries, STATEMENT_KEYS, "statement", out);
    let f = Fields::of(entries);
    if let Some(sid) = f.sid {
        check_sid(kind, sid, sids, out);
    }
    match f.effect {
        None => out.push(Problem::error(
            s.span,
            "statement has no `Effect`",
            "add \"Effect\": \"Allow\" or \"Deny\"",
        )),
        Some(e) if e.value.intrinsic().is_some() => {}
        Some(e) => match e.value.as_str() {
            Some("Allow" | "Deny") => {}
            Some(other)
                if other.eq_ignore_ascii_case("allow") || other.eq_ignore_ascii_case("deny") =>
            {
                out.push(Problem::error(
                    e.value.span,
                    format!(
                        "`Effect` is case-sensitive: \"{other}\" must be \"Allow\" or \"Deny\""
                    ),
                    "wrong case",
                ))
            }
            _ => out.push(Problem::error(
                e.value.span,
                format!(
                    "`Effect` must be \"Allow\" or \"Deny\", not {}",
                    shown(&e.value)
                ),
                "not an effect",
            )),
        },
    }
    exactly_one(
        s,
        ("Action", f.action),
        ("NotAction", f.not_action),
        true,
        out,
    );
    let (resource_required, principal_required) = match kind {
        PolicyKind::Identity => (true, false),
        PolicyKind::Trust => (false, true),
        PolicyKind::Resource => (false, true),
    };
    let resources = [("Resource", f.resource), ("NotResource", f.not_resource)];
    exactly_one(s, resources[0], resources[1], resource_required, out);
    let principals = [
        ("Principal", f.principal),
        ("NotPrincipal", f.not_principal),
    ];
    match kind {
        PolicyKind::Identity => {
            // A computed principal may be null when deployed (a Terraform `dynamic` block).
            for (key, entry) in principals {
                if let Some(e) = entry.filter(|e| e.value.intrinsic().is_none()) {
                    out.push(Problem::error(
                        e.key_span,
                        format!("an identity policy has no `{key}`: it applies to whoever it is attached to"),
                        "not allowed in an identity policy",
                    ));
                }
            }
        }
        PolicyKind::Trust | PolicyKind::Resource => {
            if principal_required {
                exactly_one(s, principals[0], principals[1], true, out);
            }
            if let Some(e) = f.any_principal() {
                check_principal(&e.value, out);
            }
        }
    }
    if kind == PolicyKind::Trust {
        // A computed resource may be null when deployed (a Terraform `dynamic` statement).
        for (key, entry) in resources {
            if let Some(e) = entry.filter(|e| e.value.intrinsic().is_none()) {
                out.push(Problem::error(
                    e.key_span,
                    format!("a trust policy has no `{key}`: the role itself is the resource"),
                    "not allowed in a trust policy",
                ));
            }
        }
    }
    for (key, entry) in [("Action", f.action), ("NotAction", f.not_action)] {
        if let Some(e) = entry {
            check_actions(kind, key, &e.value, out);
        }
    }
    for (_, entry) in resources {
        if let Some(e) = entry {
            check_resources(&e.value, out);
        }
    }
    if let Some(c) = f.condition {
        check_condition(&c.value, out);
    }
}

/// The first statement of a policy to use each `Sid`: a hash index, so a policy of a few hundred
/// thousand statements is checked in linear time (a list searched per statement took minutes).
type Sids<'a> = crate::base::FastMap<&'a str, Span>;

fn check_sid<'a>(kind: PolicyKind, sid: &'a Entry, sids: &mut Sids<'a>, out: &mut Vec<Problem>) {
    let Some(text) = sid.value.as_str() else {
        if sid.value.intrinsic().is_none() {
            out.push(Problem::error(
                sid.value.span,
                "`Sid` must be a string",
                "not a string",
            ));
        }
        return;
    };
    // IAM policies allow only ASCII letters and digits; resource policies of other services are freer.
    if kind != PolicyKind::Resource && !text.chars().all(|c| c.is_ascii_alphanumeric()) {
        out.push(Problem::error(
            sid.value.span,
            format!("`Sid` \"{text}\" may hold only ASCII letters and digits in an IAM policy"),
            "invalid Sid",
        ));
    }
    if text.is_empty() {
        return;
    }
    match sids.get(text) {
        Some(first) => out.push(Problem {
            related: Some((*first, "first used here".into())),
            ..Problem::error(
                sid.value.span,
                format!("duplicate `Sid` \"{text}\": statement ids must be unique in a policy"),
                "used again here",
            )
        }),
        None => {
            sids.insert(text, sid.value.span);
        }
    }
}

/// `positive` xor `negative` (each a key and its entry, if present): both is an error, neither is one
/// when `required`.
fn exactly_one(
    s: &Node,
    (positive, positive_entry): (&str, Option<&Entry>),
    (negative, negative_entry): (&str, Option<&Entry>),
    required: bool,
    out: &mut Vec<Problem>,
) {
    match (positive_entry, negative_entry) {
        (Some(_), Some(n)) => out.push(Problem::error(
            n.key_span,
            format!("a statement has `{positive}` or `{negative}`, not both"),
            format!("`{positive}` is also set"),
        )),
        (None, None) if required && !misspelled(s, positive, negative) => out.push(Problem::error(
            s.span,
            format!("statement has neither `{positive}` nor `{negative}`"),
            format!("add `{positive}`"),
        )),
        _ => {}
    }
}

/// Is one of the keys there under a misspelling (already reported as an unknown key)?
fn misspelled(s: &Node, positive: &str, negative: &str) -> bool {
    s.as_object().is_some_and(|entries| {
        entries.iter().any(|e| {
            e.key != positive
                && e.key != negative
                && (near_miss(positive, &e.key) || near_miss(negative, &e.key))
        })
    })
}

/// A string or a list of strings; intrinsics stand for strings. Reports anything else, and gives the
/// items to read the strings from.
fn string_items<'a>(value: &'a Node, field: &str, out: &mut Vec<Problem>) -> &'a [Node] {
    if value.intrinsic().is_some() {
        return &[];
    }
    let items = value.strings();
    for item in items {
        if item.as_str().is_none() && item.intrinsic().is_none() {
            out.push(Problem::error(
                item.span,
                format!(
                    "`{field}` must be a string or a list of strings, not {}",
                    item.type_name()
                ),
                "not a string",
            ));
        }
    }
    items
}

/// Bytes IAM takes in a service prefix (`SERVICE`) and in an action name (both bits), globs included.
const SERVICE: u8 = 1;
const ACTION: u8 = 2;
const ACTION_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'*' | b'?') {
            table[b] = SERVICE | ACTION;
        } else if c == b'_' {
            table[b] = ACTION;
        }
        b += 1;
    }
    table
};

fn check_actions(kind: PolicyKind, field: &str, value: &Node, out: &mut Vec<Problem>) {
    for item in string_items(value, field, out) {
        let Some(text) = item.as_str() else {
            continue;
        };
        let made_of = |part: &str, class: u8| {
            !part.is_empty() && part.bytes().all(|c| ACTION_BYTES[c as usize] & class != 0)
        };
        // The colon is found by a plain loop: entries are short, and most are judged here.
        let colon = text.bytes().position(|b| b == b':');
        let well_formed = text == "*"
            || colon
                .is_some_and(|i| made_of(&text[..i], SERVICE) && made_of(&text[i + 1..], ACTION));
        if !well_formed {
            out.push(Problem::error(
                item.span,
                format!("\"{text}\" is not an action: write `service:Action` (or `*`)"),
                "not `service:Action`",
            ));
            continue;
        }
        let trust_ok = || {
            TRUST_ACTIONS
                .iter()
                .any(|t| super::pattern::action_matches(text, t))
        };
        if kind == PolicyKind::Trust && !trust_ok() {
            out.push(Problem::error(
                item.span,
                format!("a trust policy allows only role assumption (`sts:AssumeRole*`, `sts:TagSession`, ...), not \"{text}\""),
                "not a trust action",
            ));
        }
    }
}

fn check_resources(value: &Node, out: &mut Vec<Problem>) {
    for item in string_items(value, "Resource", out) {
        let Some(text) = item.as_str() else {
            continue;
        };
        let arn_like =
            text.starts_with("arn:") && memchr::memchr_iter(b':', text.as_bytes()).count() >= 5;
        // `arn:aws:s3:::b*` and `arn:*` patterns are fine; `*` and wildcard-only strings too.
        let wildcard = text.chars().all(|c| c == '*' || c == '?') || text.starts_with("arn:*");
        if !(arn_like || wildcard) {
            out.push(Problem::error(
                item.span,
                format!("\"{text}\" is not a resource ARN: write `arn:partition:service:region:account:resource` (or `*`)"),
                "not an ARN",
            ));
        }
    }
}

fn check_principal(value: &Node, out: &mut Vec<Problem>) {
    if value.intrinsic().is_some() || value.as_str() == Some("*") {
        return;
    }
    let Some(kinds) = value.as_object() else {
        out.push(Problem::error(
            value.span,
            format!(
                "`Principal` must be \"*\" or an object such as {{\"Service\": \"…\"}}, not {}",
                shown(value)
            ),
            "not a principal",
        ));
        return;
    };
    for k in kinds {
        if !PRINCIPAL_KINDS.contains(&k.key.as_str()) {
            out.push(Problem::error(
                k.key_span,
                format!(
                    "unknown principal type `{}`: use AWS, Service, Federated or CanonicalUser",
                    k.key
                ),
                "unknown principal type",
            ));
        }
        string_items(&k.value, "Principal", out);
    }
}

fn check_condition(value: &Node, out: &mut Vec<Problem>) {
    if value.intrinsic().is_some() {
        return;
    }
    let Some(operators) = value.as_object() else {
        out.push(Problem::error(
            value.span,
            "`Condition` must be an object of operators",
            "not a condition block",
        ));
        return;
    };
    for op in operators {
        if !is_operator(&op.key) {
            out.push(Problem::error(
                op.key_span,
                format!("unknown condition operator `{}`", op.key),
                "not a condition operator",
            ));
        }
        match op.value.as_object() {
            Some(keys) if op.value.intrinsic().is_none() => {
                for k in keys {
                    let scalar = |n: &Node| {
                        matches!(
                            n.value,
                            Value::String(_) | Value::Number(_) | Value::Bool(_)
                        ) || n.intrinsic().is_some()
                    };
                    let ok = match &k.value.value {
                        Value::Array(items) => items.iter().all(scalar),
                        _ => scalar(&k.value),
                    };
                    if !ok {
                        out.push(Problem::error(
                            k.value.span,
                            format!(
                                "condition values of `{}` must be strings, numbers or booleans",
                                k.key
                            ),
                            "not a condition value",
                        ));
                    }
                }
            }
            _ if op.value.intrinsic().is_some() => {}
            _ => out.push(Problem::error(
                op.value.span,
                format!("`{}` must map condition keys to values", op.key),
                "not an object",
            )),
        }
    }
}

/// `[ForAllValues:|ForAnyValue:]Operator[IfExists]`; `Null` takes no `IfExists`.
fn is_operator(op: &str) -> bool {
    let base = op
        .strip_prefix("ForAllValues:")
        .or_else(|| op.strip_prefix("ForAnyValue:"))
        .unwrap_or(op);
    let base = match base.strip_suffix("IfExists") {
        Some("Null") => return false,
        Some(b) => b,
        None => base,
    };
    CONDITION_OPERATORS.contains(&base)
}

fn unknown_keys(entries: &[Entry], known: &[&str], place: &str, out: &mut Vec<Problem>) {
    for e in entries {
        if known.contains(&e.key.as_str()) {
            continue;
        }
        let message = match known.iter().find(|k| near_miss(k, &e.key)) {
            Some(k) if k.eq_ignore_ascii_case(&e.key) => {
                format!(
                    "unknown key `{}` in a {place}: keys are case-sensitive, write `{k}`",
                    e.key
                )
            }
            Some(k) => format!("unknown key `{}` in a {place}: did you mean `{k}`?", e.key),
            None => format!("unknown key `{}` in a {place}", e.key),
        };
        out.push(Problem::error(e.key_span, message, "IAM rejects this key"));
    }
}

/// `written` is `key` in another case or with a stray plural `s`: reported once, as a misspelling.
fn near_miss(key: &str, written: &str) -> bool {
    key.eq_ignore_ascii_case(written)
        || key.eq_ignore_ascii_case(written.trim_end_matches(['s', 'S']))
}

fn shown(n: &Node) -> String {
    match &n.value {
        Value::String(s) => format!("\"{s}\""),
        Value::Number(s) => s.to_string(),
        _ => n.type_name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::policy::{Origin, PolicyDocument};
    use crate::read::syntax::json;

    fn problems(kind: Option<PolicyKind>, text: &str) -> Vec<String> {
        let root = json::parse(text).expect("parses").root;
        let doc = PolicyDocument::from_node(&"p.json".into(), root, Origin::default(), kind);
        doc.problems
            .into_iter()
            .map(|p| format!("{}{}", if p.warning { "warning: " } else { "" }, p.message))
            .collect()
    }

    const V: &str = r#""Version":"2012-10-17""#;

    #[test]
    fn valid_documents_pass() {
        let identity = format!(
            r#"{{{V},"Statement":[{{"Sid":"A1","Effect":"Allow","Action":["ec2:Describe*","iam:PassRole"],"Resource":"*",
            "Condition":{{"StringEquals":{{"iam:PassedToService":"ec2.amazonaws.com"}},"Bool":{{"aws:SecureTransport":true}},"ForAnyValue:StringLikeIfExists":{{"k":["a","b"]}}}}}},
            {{"Effect":"Deny","NotAction":"s3:*","NotResource":{{"Fn::Sub":"arn:${{AWS::Partition}}:s3:::b"}}}}]}}"#
        );
        assert_eq!(problems(None, &identity), Vec::<String>::new());
        let trust = format!(
            r#"{{{V},"Statement":{{"Effect":"Allow","Principal":{{"Service":["spotfleet.amazonaws.com"]}},"Action":["sts:AssumeRole","sts:TagSession"]}}}}"#
        );
        assert_eq!(problems(None, &trust), Vec::<String>::new());
        let bucket = format!(
            r#"{{{V},"Statement":[{{"Sid":"Allow logs","Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}}]}}"#
        );
        assert_eq!(problems(None, &bucket), Vec::<String>::new());
    }

    #[test]
    fn grammar_violations() {
        let cases: &[(Option<PolicyKind>, &str, &str)] = &[
            (
                None,
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
                "warning: policy has no `Version`",
            ),
            (
                None,
                r#"{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
                "`Version` must be",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[]}"#,
                "`Statement` is empty",
            ),
            (
                Some(PolicyKind::Trust),
                r#"{}"#,
                "policy has no `Statement`",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statment":[],"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
                "unknown key `Statment`",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":"x"}"#,
                "`Statement` must be an object or a list",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Action":"s3:GetObject","Resource":"*"}]}"#,
                "statement has no `Effect`",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}]}"#,
                "`Effect` is case-sensitive",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"s3:GetObject","Resource":"*"}]}"#,
                "`Effect` must be",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}]}"#,
                "not both",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
                "neither `Action` nor `NotAction`",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}"#,
                "neither `Resource` nor `NotResource`",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Actions":"s3:GetObject","Resource":"*"}]}"#,
                "did you mean `Action`?",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}"#,
                "duplicate `Sid` \"A\"",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"no spaces","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
                "may hold only ASCII letters",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3GetObject","Resource":"*"}]}"#,
                "is not an action",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"my-bucket"}]}"#,
                "is not a resource ARN",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject",3],"Resource":"*"}]}"#,
                "must be a string or a list of strings",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEqual":{"a":"b"}}}]}"#,
                "unknown condition operator `StringEqual`",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NullIfExists":{"a":"true"}}}]}"#,
                "unknown condition operator `NullIfExists`",
            ),
            (
                None,
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"a":{"b":1}}}}]}"#,
                "condition values of `a`",
            ),
            (
                Some(PolicyKind::Identity),
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
                "an identity policy has no `Principal`",
            ),
            (
                Some(PolicyKind::Trust),
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#,
                "neither `Principal` nor `NotPrincipal`",
            ),
            (
                Some(PolicyKind::Trust),
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}"#,
                "a trust policy has no `Resource`",
            ),
            (
                Some(PolicyKind::Trust),
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}"#,
                "a trust policy allows only role assumption",
            ),
            (
                Some(PolicyKind::Trust),
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Services":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                "unknown principal type `Services`",
            ),
        ];
        for (kind, text, want) in cases {
            let got = problems(*kind, text);
            assert!(
                got.len() == 1 && got[0].contains(want),
                "{text}\n want one problem containing {want:?}\n got {got:?}"
            );
        }
    }

    #[test]
    fn intrinsics_are_never_judged() {
        let text = r#"{"Version":{"Ref":"V"},"Statement":[{"Fn::If":["C",{"Effect":"x"},{"Ref":"AWS::NoValue"}]},
            {"Effect":{"Ref":"E"},"Action":{"Fn::Split":[",","a,b"]},"Resource":[{"Fn::GetAtt":["B","Arn"]}],
             "Condition":{"StringEquals":{"aws:SourceAccount":{"Ref":"AWS::AccountId"}}}}]}"#;
        assert_eq!(problems(None, text), Vec::<String>::new());
    }
}
