//! CloudFormation intrinsics as the model sees them: `Fn::If` stands for both of its branches,
//! `Ref AWS::NoValue` removes what holds it, and references to the template's own IAM resources
//! (`!GetAtt OrbRole.Arn`, `!Ref OrbRole`, `${OrbRole.Arn}` in a `!Sub`) become the ARN or name
//! pattern they will produce. Everything else stays opaque: `Node::pattern_text` turns it into `*`.

use crate::read::syntax::{Entry, Node, Value};
use std::collections::HashMap;

/// The template's IAM resources by logical id, with the names CloudFormation will give them.
pub struct Resolver {
    resources: HashMap<String, IamResource>,
}

struct IamResource {
    /// `role`, `user`, `group`, `instance-profile` or `policy` (the ARN's resource type).
    arn_type: &'static str,
    /// The physical name as a glob; `None` when CloudFormation generates it.
    name: Option<String>,
    path: String,
}

/// The ARN resource type of the IAM resource types a reference can name, and their name property.
const NAMED_IAM_TYPES: &[(&str, &str, &str)] = &[
    ("AWS::IAM::Role", "role", "RoleName"),
    ("AWS::IAM::User", "user", "UserName"),
    ("AWS::IAM::Group", "group", "GroupName"),
    (
        "AWS::IAM::InstanceProfile",
        "instance-profile",
        "InstanceProfileName",
    ),
    ("AWS::IAM::ManagedPolicy", "policy", "ManagedPolicyName"),
];

impl Resolver {
    pub fn new(resources: &[(&str, &Node)]) -> Resolver {
        let mut map = HashMap::new();
        for (id, resource) in resources {
            let Some(ty) = resource.get("Type").and_then(Node::as_str) else {
                continue;
            };
            let Some((_, arn_type, name_key)) = NAMED_IAM_TYPES.iter().find(|(t, ..)| *t == ty)
            else {
                continue;
            };
            let props = resource.get("Properties");
            let text = |key: &str| {
                props
                    .and_then(|p| p.get(key))
                    .and_then(Node::pattern_text)
                    .map(|(t, _)| t.into())
            };
            map.insert(
                id.to_string(),
                IamResource {
                    arn_type,
                    name: text(name_key),
                    path: iam_path(text("Path")),
                },
            );
        }
        Resolver { resources: map }
    }

    /// The ARN pattern of a template IAM resource: `arn:*:iam::*:role/path/name` (`*` for the
    /// partition, the account and a generated name).
    pub fn arn(&self, logical_id: &str) -> Option<String> {
        let r = self.resources.get(logical_id)?;
        Some(format!(
            "arn:*:iam::*:{}{}{}",
            r.arn_type,
            r.path,
            r.name.as_deref().unwrap_or("*")
        ))
    }

    /// What `Ref` returns for a template IAM resource: a managed policy's ARN, else the name.
    fn reference(&self, logical_id: &str) -> Option<String> {
        let r = self.resources.get(logical_id)?;
        if r.arn_type == "policy" {
            return self.arn(logical_id);
        }
        Some(r.name.clone().unwrap_or_else(|| "*".into()))
    }

    fn get_att(&self, target: &Node) -> Option<String> {
        let (id, attribute) = match &target.value {
            Value::String(s) => s.split_once('.')?,
            Value::Array(items) => (items.first()?.as_str()?, items.get(1)?.as_str()?),
            _ => return None,
        };
        (attribute == "Arn").then(|| self.arn(id)).flatten()
    }

    /// `${Name}` and `${Name.Arn}` of template IAM resources filled in; other variables are kept.
    fn substitute(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(j) = after.find('}').filter(|_| !after.starts_with('!')) else {
                out.push_str("${");
                rest = after;
                continue;
            };
            let var = &after[..j];
            let value = match var.split_once('.') {
                Some((id, "Arn")) => self.arn(id),
                Some(_) => None,
                None => self.reference(var),
            };
            match value {
                Some(v) => out.push_str(&v),
                None => out.push_str(&rest[i..i + 2 + j + 1]),
            }
            rest = &after[j + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The subtree as the policy model should read it (see the module comment). Spans are kept: a
    /// resolved reference is a string spanning the intrinsic it replaces.
    pub fn normalize(&self, node: &Node) -> Node {
        let span = node.span;
        if let Some(resolved) = self.resolve_reference(node) {
            return Node {
                value: Value::String(resolved.into()),
                span,
            };
        }
        if if_branches(node).is_some() {
            return self.normalize_choice(node);
        }
        let value = match &node.value {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    for (via, option) in alternatives(item) {
                        match self.normalize(option) {
                            // A list chosen by `Fn::If` inside a list is spliced into it.
                            Node {
                                value: Value::Array(inner),
                                ..
                            } if !via.is_empty() => out.extend(inner),
                            n => out.push(n),
                        }
                    }
                }
                Value::Array(out)
            }
            Value::Object(entries) => Value::Object(
                entries
                    .iter()
                    .filter_map(|e| {
                        let value = match alternatives(&e.value).as_slice() {
                            [] => return None,
                            [(_, only)] => self.normalize(only),
                            // `Effect` is one word, never a list: a choice stays an `Fn::If`,
                            // which the policy model reads as a statement of each effect.
                            _ if e.key == "Effect" => e.value.clone(),
                            _ => self.normalize_choice(&e.value),
                        };
                        Some(Entry {
                            key: e.key.clone(),
                            key_span: e.key_span,
                            value,
                        })
                    })
                    .collect(),
            ),
            Value::Tagged(tag, inner) => {
                let inner = match (tag.as_str(), &inner.value) {
                    ("Fn::Sub", Value::String(s)) => Node {
                        value: Value::String(self.substitute(s).into()),
                        span: inner.span,
                    },
                    _ => self.normalize(inner),
                };
                Value::Tagged(tag.clone(), Box::new(inner))
            }
            v => v.clone(),
        };
        let mut out = Node { value, span };
        // A JSON-form `{"Fn::Sub": "..."}` is an object: substitute its template string too.
        if let Some(("Fn::Sub", _)) = node.intrinsic() {
            if let Value::Object(entries) = &mut out.value {
                if let Value::String(s) = &entries[0].value.value {
                    entries[0].value.value = Value::String(self.substitute(s).into());
                }
            }
        }
        out
    }

    /// A value with several alternatives: scalars and lists become one list of every alternative
    /// (a policy reads `Action: !If [c, a, b]` as "a or b"); an object choice stays opaque.
    fn normalize_choice(&self, node: &Node) -> Node {
        let options = alternatives(node);
        if options
            .iter()
            .any(|(_, n)| n.is_object() && n.intrinsic().is_none())
        {
            return node.clone();
        }
        let mut items = Vec::new();
        for (_, option) in options {
            match self.normalize(option) {
                Node {
                    value: Value::Array(inner),
                    ..
                } => items.extend(inner),
                n => items.push(n),
            }
        }
        Node {
            value: Value::Array(items),
            span: node.span,
        }
    }

    fn resolve_reference(&self, node: &Node) -> Option<String> {
        match node.intrinsic()? {
            ("Ref", target) => self.reference(target.as_str()?),
            ("Fn::GetAtt", target) => self.get_att(target),
            _ => None,
        }
    }
}

/// `/`, or the `Path` property (Terraform's `path` attribute) with its slashes made sure of.
pub(crate) fn iam_path(path: Option<String>) -> String {
    let p = path.unwrap_or_default();
    let p = p.trim_matches('/');
    if p.is_empty() {
        "/".into()
    } else {
        format!("/{p}/")
    }
}

/// Is this `Ref AWS::NoValue` (in either form)?
pub fn is_no_value(node: &Node) -> bool {
    matches!(node.intrinsic(), Some(("Ref", t)) if t.as_str() == Some("AWS::NoValue"))
}

/// `[condition, then, else]` of a well-formed `Fn::If`; a malformed one stays opaque.
fn if_branches(node: &Node) -> Option<&[Node]> {
    match node.intrinsic() {
        Some(("Fn::If", args)) => args.as_array().filter(|a| a.len() == 3),
        _ => None,
    }
}

/// Every value `node` may take, with the path suffix that leads to it: `Fn::If` gives the
/// alternatives of both branches (`.Fn::If[1]`, `.Fn::If[2]`), `Ref AWS::NoValue` gives none, and
/// anything else is its own only alternative.
pub fn alternatives(node: &Node) -> Vec<(String, &Node)> {
    if is_no_value(node) {
        return Vec::new();
    }
    let Some(branches) = if_branches(node) else {
        return vec![(String::new(), node)];
    };
    let mut out = Vec::new();
    for (i, branch) in branches.iter().enumerate().skip(1) {
        for (suffix, n) in alternatives(branch) {
            out.push((format!(".Fn::If[{i}]{suffix}"), n));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::syntax::yaml;

    fn template(text: &str) -> Node {
        yaml::parse(text).unwrap().root
    }

    fn resolver(root: &Node) -> Resolver {
        let resources: Vec<(&str, &Node)> = root
            .get("Resources")
            .and_then(Node::as_object)
            .unwrap_or(&[])
            .iter()
            .map(|e| (e.key.as_str(), &e.value))
            .collect();
        Resolver::new(&resources)
    }

    const TEMPLATE: &str = r#"
Resources:
  Named:
    Type: AWS::IAM::Role
    Properties:
      RoleName: orb-instance
      Path: /orb/
  Generated:
    Type: AWS::IAM::Role
  Profile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      InstanceProfileName: !Sub "${Env}-profile"
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: orb-boundary
  Doc:
    Resource:
      - !GetAtt Named.Arn
      - Fn::GetAtt: [Generated, Arn]
      - !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Named}"
      - Fn::Sub: "${Profile.Arn}"
      - !Ref Managed
      - !Ref SomeParameter
      - !GetAtt Bucket.Arn
      - !If [IsProd, prod, !Ref AWS::NoValue]
      - !If [IsProd, [a, b], c]
    Action: !If [IsProd, "ec2:*", "ec2:Describe*"]
    Condition: !If [IsProd, {StringEquals: {k: v}}, !Ref AWS::NoValue]
    Gone: !Ref AWS::NoValue
    Choice: !If [C, {a: 1}, {b: 2}]
"#;

    #[test]
    fn references_to_template_iam_resources_resolve() {
        let root = template(TEMPLATE);
        let r = resolver(&root);
        let doc = r.normalize(root.get("Resources").unwrap().get("Doc").unwrap());
        let res: Vec<String> = doc
            .get("Resource")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.pattern_text().unwrap().0.into())
            .collect();
        assert_eq!(
            res,
            [
                "arn:*:iam::*:role/orb/orb-instance",
                "arn:*:iam::*:role/*",
                "arn:*:iam::*:role/orb-instance",
                "arn:*:iam::*:instance-profile/*-profile",
                "arn:*:iam::*:policy/orb-boundary",
                "*",
                "*",
                "prod",
                "a",
                "b",
                "c",
            ]
        );
        let actions: Vec<&str> = doc
            .get("Action")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(actions, ["ec2:*", "ec2:Describe*"]);
        assert!(doc.get("Condition").unwrap().get("StringEquals").is_some());
        assert!(doc.get("Gone").is_none());
        assert!(doc.get("Choice").unwrap().intrinsic().is_some());
    }

    #[test]
    fn a_malformed_if_stays_opaque() {
        let root = template("v: [!If [!Ref A, !Ref AWS::NoValue]]\nw: !If [C, x]\n");
        let r = resolver(&root);
        let v = r.normalize(&root);
        assert!(v.get("v").unwrap().as_array().unwrap()[0]
            .intrinsic()
            .is_some());
        assert!(v.get("w").unwrap().intrinsic().is_some());
    }

    #[test]
    fn alternatives_follow_both_branches() {
        let root = template("v: !If [A, !If [B, x, !Ref AWS::NoValue], y]\n");
        let alts = alternatives(root.get("v").unwrap());
        let got: Vec<(String, &str)> = alts
            .into_iter()
            .map(|(p, n)| (p, n.as_str().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                (".Fn::If[1].Fn::If[1]".to_string(), "x"),
                (".Fn::If[2]".to_string(), "y")
            ]
        );
    }

    #[test]
    fn substitution_keeps_unknown_variables() {
        let root = template(TEMPLATE);
        let r = resolver(&root);
        assert_eq!(
            r.substitute("${Named.Arn}|${Named.RoleId}|${Other}|${!Literal}|${Managed}"),
            "arn:*:iam::*:role/orb/orb-instance|${Named.RoleId}|${Other}|${!Literal}|arn:*:iam::*:policy/orb-boundary"
        );
    }
}
