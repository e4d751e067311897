//! The embedded IAM catalog must be exactly what scripts/gen-catalog.py makes from its source.
//! Skipped (with a note) where the source or Python is not available.

use std::path::Path;
use std::process::Command;

#[test]
fn catalog_is_not_stale() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = root.join("../shared/data/iam-definition.json");
    if !source.is_file() {
        eprintln!("skipped: {} not found", source.display());
        return;
    }
    let output = match Command::new("python3")
        .arg(root.join("scripts/gen-catalog.py"))
        .arg(&source)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: cannot run python3: {e}");
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
