//! Facts about role trust: which service principals send `aws:SourceArn`/`aws:SourceAccount` when
//! they assume a role (`data/confused-deputy-services.toml`, each entry with its source).

use serde::Deserialize;
use std::sync::OnceLock;

/// `data/confused-deputy-services.toml`, as JSON (`build.rs`).
const TEXT: &str = include_str!(concat!(env!("OUT_DIR"), "/confused-deputy-services.json"));

/// The condition keys that pin a service's AssumeRole to the caller's resources.
pub const SOURCE_KEYS: &[&str] = &[
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
];

#[derive(Deserialize)]
pub struct Sender {
    pub principal: String,
    pub source: String,
}

#[derive(Deserialize)]
pub struct NotChecked {
    pub principal: String,
    pub why: String,
}

#[derive(Deserialize)]
pub struct ConfusedDeputyServices {
    pub sends: Vec<Sender>,
    pub not_checked: Vec<NotChecked>,
    /// Services that send the source keys when they call a resource of yours (ORB404).
    pub resource_senders: Vec<Sender>,
}

pub fn confused_deputy_services() -> &'static ConfusedDeputyServices {
    static TABLE: OnceLock<ConfusedDeputyServices> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(TEXT)
            .expect("data/confused-deputy-services.toml is checked by a unit test")
    })
}

impl ConfusedDeputyServices {
    /// The entry for a service principal that sends the source keys, case-insensitively.
    pub fn sender(&self, principal: &str) -> Option<&Sender> {
        self.sends
            .iter()
            .find(|s| s.principal.eq_ignore_ascii_case(principal))
    }

    /// The entry for a service principal that sends the source keys to a resource policy.
    pub fn resource_sender(&self, principal: &str) -> Option<&Sender> {
        self.resource_senders
            .iter()
            .find(|s| s.principal.eq_ignore_ascii_case(principal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_and_keeps_the_known_false_positive_out() {
        let t = confused_deputy_services();
        assert!(t.sender("spotfleet.amazonaws.com").is_some());
        assert!(t.sender("SpotFleet.amazonaws.com").is_some());
        assert!(t.sender("ec2.amazonaws.com").is_none());
        for s in &t.sends {
            assert!(
                s.source.starts_with("https://"),
                "{} needs a source",
                s.principal
            );
            assert!(
                !t.not_checked.iter().any(|n| n.principal == s.principal),
                "{} is both sent and not checked",
                s.principal
            );
        }
        assert!(t.not_checked.iter().all(|n| !n.why.is_empty()));
    }
}
