use super::policies::{allowing, unpinned_services};

use crate::base::diagnostic::Diagnostic;
use crate::iam::policy::PolicyKind;
use crate::iam::trust::confused_deputy_services;
use crate::model::deploy::Model;

pub(super) fn check(model: &Model, out: &mut Vec<Diagnostic>) {
    let services = confused_deputy_services();
    for (policy, statement) in allowing(model, PolicyKind::Trust, "sts:AssumeRole") {
        let sender = |principal: &str| services.sender(principal);
        unpinned_services("ORB401", policy, statement, sender, "assume this role", out);
    }
}
