//! The checks over the model, one file per rule; each rule's code, name, severity and docs are in
//! the registry (`crate::registry`), which lists them all.

use crate::base::diagnostic::Diagnostic;
use crate::model::deploy::Model;
use crate::registry::{self, Rule};

mod permission;
mod policies;

mod orb100;
mod orb110;
pub mod orb201;
mod orb202;
mod orb203;
mod orb204;
mod orb205;
mod orb206;
mod orb207;
mod orb301;
mod orb302;
mod orb303;
mod orb304;
mod orb305;
mod orb306;
mod orb307;
mod orb308;
mod orb309;
mod orb310;
mod orb311;
mod orb401;
mod orb402;
mod orb403;
mod orb404;
pub mod orb903;

pub type Check = fn(&Model, &mut Vec<Diagnostic>);

/// Every rule that checks the model, with its check, in registry order. The others' findings come
/// from the readers and the suppressions (ORB901, ORB902, ORB903).
static CHECKS: &[(&Rule, Check)] = &[
    (&registry::orb100::RULE, orb100::check),
    (&registry::orb101::RULE, |model, out| {
        permission::missing(model, "ORB101", out)
    }),
    (&registry::orb102::RULE, |model, out| {
        permission::missing(model, "ORB102", out)
    }),
    (&registry::orb103::RULE, |model, out| {
        permission::missing(model, "ORB103", out)
    }),
    (&registry::orb104::RULE, |model, out| {
        permission::missing(model, "ORB104", out)
    }),
    (&registry::orb105::RULE, |model, out| {
        permission::missing(model, "ORB105", out)
    }),
    (&registry::orb106::RULE, |model, out| {
        permission::missing(model, "ORB106", out)
    }),
    (&registry::orb107::RULE, |model, out| {
        permission::missing(model, "ORB107", out)
    }),
    (&registry::orb108::RULE, |model, out| {
        permission::conditional(model, "ORB108", out)
    }),
    (&registry::orb109::RULE, |model, out| {
        permission::denied(model, "ORB109", out)
    }),
    (&registry::orb110::RULE, orb110::check),
    (&registry::orb111::RULE, |model, out| {
        permission::missing(model, "ORB111", out)
    }),
    (&registry::orb201::RULE, orb201::check),
    (&registry::orb202::RULE, orb202::check),
    (&registry::orb203::RULE, orb203::check),
    (&registry::orb204::RULE, orb204::check),
    (&registry::orb205::RULE, orb205::check),
    (&registry::orb206::RULE, orb206::check),
    (&registry::orb207::RULE, orb207::check),
    (&registry::orb301::RULE, orb301::check),
    (&registry::orb302::RULE, orb302::check),
    (&registry::orb303::RULE, orb303::check),
    (&registry::orb304::RULE, orb304::check),
    (&registry::orb305::RULE, orb305::check),
    (&registry::orb306::RULE, orb306::check),
    (&registry::orb307::RULE, orb307::check),
    (&registry::orb308::RULE, orb308::check),
    (&registry::orb309::RULE, orb309::check),
    (&registry::orb310::RULE, orb310::check),
    (&registry::orb311::RULE, orb311::check),
    (&registry::orb401::RULE, orb401::check),
    (&registry::orb402::RULE, orb402::check),
    (&registry::orb403::RULE, orb403::check),
    (&registry::orb404::RULE, orb404::check),
];

/// Runs every rule with a check over the model.
/// Every rule over the model, on up to `threads` threads (rules only read the model), and their
/// diagnostics in registry order, as if run one after the other. The per-entry rules (ORB301-303)
/// walk every policy of the tree: on the corpus they are most of the checking.
pub fn run(model: &Model, threads: usize) -> Vec<Diagnostic> {
    let checks: Vec<Check> = CHECKS.iter().map(|&(_, check)| check).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(check) = checks.get(i) else {
                return done;
            };
            let mut out = Vec::new();
            check(model, &mut out);
            done.push((i, out));
        }
    };
    let mut done = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut done = work();
        for h in helpers {
            done.extend(h.join().expect("a rule panicked"));
        }
        done
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().flat_map(|(_, out)| out).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_follow_the_registry() {
        let checked: Vec<&str> = CHECKS.iter().map(|(r, _)| r.code).collect();
        let registered: Vec<&str> = registry::RULES.iter().map(|r| r.code).collect();
        assert!(checked.windows(2).all(|p| p[0] < p[1]), "{checked:?}");
        let unchecked: Vec<&str> = registered
            .iter()
            .copied()
            .filter(|c| !checked.contains(c))
            .collect();
        assert_eq!(unchecked, ["ORB901", "ORB902", "ORB903"]);
        assert!(checked.iter().all(|c| registered.contains(c)));
    }
}
