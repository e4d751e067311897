use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::FastMap;
use crate::iam::catalog::{self, ActionId};
use crate::iam::pattern::{
    arn_fields, cfn_substitution, fields_overlap, glob_match, resource_match, ResourceMatch,
};
use crate::iam::policy::{Effect, Item, PolicyDocument, PolicyKind, Statement};
use crate::model::deploy::Model;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let mut types = TypesNamed::default();
    let mut scratch = Scratch::default();
    for policy in &model.workspace.policies {
        if policy.kind != PolicyKind::Trust {
            mismatches(policy, &mut types, &mut scratch, out);
        }
    }
}

/// Which resource types of a service a `Resource` pattern may name (`catalog::Catalog::
/// names_a_resource_of`, type by type). Worked out only for the types some action asks about (a
/// statement's actions touch a handful of their service's dozens), once per (pattern, service):
/// a statement names many actions of one service on the same resources, and policies repeat one
/// another's patterns. Kept small (the shared corpus relates 2,733 patterns): the pattern's fields
/// and the types' formats are split again when a type is first related, not stored.
#[derive(Default)]
struct TypesNamed<'m> {
    /// (pattern, service) → its relation in `relations`.
    index: FastMap<(&'m str, u32), u32>,
    relations: Vec<Relation<'m>>,
    /// Two bits per type of each relation's service, from `Relation::bits`: known, then named.
    bits: Vec<u64>,
}

/// One pattern against one service's types.
struct Relation<'m> {
    pattern: &'m str,
    service: u32,
    /// Where its words start in `TypesNamed::bits`: `words` for known types, then as many for named.
    bits: u32,
    words: u32,
}

impl<'m> TypesNamed<'m> {
    /// The relation of `pattern` to the types of `service`.
    fn relation(&mut self, pattern: &'m str, service: usize) -> usize {
        let TypesNamed {
            index,
            relations,
            bits,
        } = self;
        *index.entry((pattern, service as u32)).or_insert_with(|| {
            let words = catalog::catalog()
                .service_resource_types(service)
                .len()
                .div_ceil(64);
            relations.push(Relation {
                pattern,
                service: service as u32,
                bits: bits.len() as u32,
                words: words as u32,
            });
            bits.resize(bits.len() + 2 * words, 0);
            relations.len() as u32 - 1
        }) as usize
    }

    /// May one of the patterns of `relations` (of the action's service) name a resource the
    /// action is authorized on? (`*` is decided by the caller.)
    fn may_authorize(&mut self, relations: &[usize], id: ActionId) -> bool {
        let catalog = catalog::catalog();
        let (_, slots) = catalog.resource_type_slots(id);
        relations.iter().any(|&r| {
            let r = &self.relations[r];
            let (start, words) = (r.bits as usize, r.words as usize);
            let (known, named) = self.bits[start..start + 2 * words].split_at_mut(words);
            let mut fields = None;
            for i in slots.clone() {
                let (word, bit) = (i / 64, 1u64 << (i % 64));
                if known[word] & bit == 0 {
                    known[word] |= bit;
                    // An ARN is related field by field; anything else (what an intrinsic stands
                    // for, `*/*`) as a glob.
                    let pattern = *fields.get_or_insert_with(|| arn_fields(r.pattern));
                    let names_it = catalog
                        .service_resource_type(r.service as usize, i)
                        .patterns()
                        .any(|format| match (&pattern, arn_fields(format)) {
                            (Some(p), Some(f)) => fields_overlap(p, &f),
                            _ => resource_match(r.pattern, format) != ResourceMatch::Disjoint,
                        });
                    if names_it {
                        named[word] |= bit;
                    }
                }
                if named[word] & bit != 0 {
                    return true;
                }
            }
            false
        })
    }
}

/// The Allow statements of one policy that name an action plainly, on resources that are listed.
fn granting(policy: &PolicyDocument) -> impl Iterator<Item = &Statement> {
    policy.statements.iter().filter(|s| {
        s.effect.as_ref().is_some_and(|e| e.value == Effect::Allow)
            && !s.actions.negated
            && s.resources.present
            && !s.resources.negated
            && !s.resources.items.is_empty()
    })
}

/// What `mismatches` works with for one policy, kept from policy to policy for its room.
#[derive(Default)]
struct Scratch<'m> {
    /// The actions some statement grants on a resource they accept (repeated; sorted only when
    /// there are suspects to look up: most policies have none).
    fitted: Vec<ActionId>,
    /// The entries that are granted only on resources they are not authorized on.
    suspects: Vec<(&'m Statement, &'m Item, ActionId)>,
    /// For one statement, per service of its actions: where the relations of its resource
    /// patterns to that service start in `related`.
    services: Vec<(usize, usize)>,
    related: Vec<usize>,
}

fn mismatches<'m>(
    policy: &'m PolicyDocument,
    types: &mut TypesNamed<'m>,
    scratch: &mut Scratch<'m>,
    out: &mut Vec<Diagnostic>,
) {
    let catalog = catalog::catalog();
    scratch.fitted.clear();
    scratch.suspects.clear();
    for statement in granting(policy) {
        let items = &statement.resources.items;
        // `*` (or a pattern matching the text `*`) may name every action's resources; a string
        // CloudFormation was meant to substitute is ORB309's to report, not a resource to judge.
        let anything = items
            .iter()
            .any(|r| glob_match(&r.value, "*", false) || cfn_substitution(&r.value).is_some());
        scratch.services.clear();
        scratch.related.clear();
        for item in &statement.actions.items {
            let Some(id) = item.action else {
                continue;
            };
            let fits = anything || {
                let service = catalog.service_position(id);
                let start = match scratch.services.iter().find(|(s, _)| *s == service) {
                    Some(&(_, start)) => start,
                    None => {
                        let start = scratch.related.len();
                        for r in items {
                            scratch.related.push(types.relation(&r.value, service));
                        }
                        scratch.services.push((service, start));
                        start
                    }
                };
                types.may_authorize(&scratch.related[start..start + items.len()], id)
            };
            if fits {
                scratch.fitted.push(id);
            } else {
                scratch.suspects.push((statement, item, id));
            }
        }
    }
    if scratch.suspects.is_empty() {
        return;
    }
    let Scratch {
        fitted, suspects, ..
    } = scratch;
    fitted.sort_unstable();
    for &(statement, item, id) in suspects.iter() {
        if fitted.binary_search(&id).is_ok() {
            continue;
        }
        let (service, name) = catalog.names(id);
        let types: Vec<String> = catalog
            .resource_types(id)
            .map(|(t, _)| format!("`{}`", t.name))
            .collect();
        let (accepts, help) = if types.is_empty() {
            (
                format!("`{service}:{name}` has no resource type: IAM authorizes it on `*` alone"),
                format!("grant `{service}:{name}` on `\"Resource\": \"*\"`"),
            )
        } else {
            let example = catalog
                .resource_types(id)
                .find(|(_, always)| *always)
                .or_else(|| catalog.resource_types(id).next())
                .map(|(t, _)| t.arn)
                .unwrap_or_default();
            (
                format!(
                    "`{service}:{name}` is authorized on {} (e.g. `{example}`)",
                    types.join(", ")
                ),
                format!("grant `{service}:{name}` on a resource of a type it accepts"),
            )
        };
        out.push(
            Diagnostic::new(
                "ORB306",
                Severity::Warning,
                &policy.file,
                item.span,
                format!(
                    "`{}` is granted only on resources it is never authorized on",
                    item.value
                ),
            )
            .label_here("this action")
            .with_label(
                &policy.file,
                statement.resources.span,
                "names none of its resources",
            )
            .with_note(accepts)
            .with_note(format!("IAM catalog of {}", catalog::DATE))
            .with_help(help),
        );
    }
}
