//! The embedded IAM catalog must be exactly what scripts/gen-catalog.py makes from its source.
//! Skipped (with a note) where the source or Python is not available.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn catalog_is_not_stale() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(source) = common::shared("data/iam-definition.json") else {
        return;
    };
    let output = match Command::new("python3")
        .arg(root.join("scripts/gen-catalog.py"))
        .arg(&source)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            common::skipped(&format!("cannot run python3: {e}"));
            return;
        }
    };
    assert!(
        output.status.success(),
        "gen-catalog.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let committed = std::fs::read(root.join("data/iam-catalog.txt")).unwrap();
    assert!(
        output.stdout == committed,
        "data/iam-catalog.txt is stale: run `python3 scripts/gen-catalog.py {} -o data/iam-catalog.txt`",
        source.display()
    );
}
