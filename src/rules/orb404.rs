use super::policies::{statements, unpinned_services};

use crate::base::diagnostic::Diagnostic;
use crate::iam::policy::{Effect, PolicyKind};
use crate::iam::trust::confused_deputy_services;
use crate::model::deploy::Model;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let services = confused_deputy_services();
    for (policy, statement) in statements(model) {
        let allow = statement
            .effect
            .as_ref()
            .is_some_and(|e| e.value == Effect::Allow);
        if policy.kind == PolicyKind::Resource && allow {
            let sender = |principal: &str| services.resource_sender(principal);
            unpinned_services(
                "ORB404",
                policy,
                statement,
                sender,
                "use this resource",
                out,
            );
        }
    }
}
