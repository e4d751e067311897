//! Replays the fuzz regression corpus (`fuzz/regressions/`, inputs the fuzzers found interesting or that
//! once failed) and every test fixture through the same properties the fuzz targets check, on the stable
//! toolchain, so a fixed crash stays fixed.

use std::path::Path;

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            files_under(&path, out);
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

#[test]
fn regression_corpus_and_fixtures_hold_the_fuzz_properties() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = Vec::new();
    files_under(&root.join("fuzz/regressions"), &mut inputs);
    let regressions = inputs.len();
    files_under(&root.join("testdata"), &mut inputs);
    assert!(regressions > 0, "fuzz/regressions is empty");
    inputs.sort();
    // The writer touches the file system: the regressions found for it, and a sample of the rest.
    #[cfg(unix)]
    for path in inputs
        .iter()
        .filter(|p| p.starts_with(root.join("fuzz/regressions/writer")))
        .chain(inputs.iter().step_by(97))
    {
        orb_scan::fuzzing::check_writer(&std::fs::read(path).unwrap());
    }
    for path in inputs {
        let bytes = std::fs::read(&path).unwrap();
        if let Ok(text) = std::str::from_utf8(&bytes) {
            orb_scan::fuzzing::check_json(text);
            orb_scan::fuzzing::check_yaml(text);
            orb_scan::fuzzing::check_toml(text);
            orb_scan::fuzzing::check_hcl(text);
        }
        orb_scan::fuzzing::check_pipeline(&bytes);
        #[cfg(unix)]
        orb_scan::fuzzing::check_names(&bytes);
    }
}
