//! The fast YAML reader against saphyr on every YAML file the project has: the fixtures under
//! `testdata/` (real templates among them) and the shared corpus at `../shared/corpus` when it is
//! beside the checkout. Wherever the fast reader takes a file it must give exactly saphyr's tree,
//! spans and warnings; the files it declines are counted, and on the corpus, which the benchmarks
//! read, they must stay few.

mod common;

use orb_scan::read::syntax::yaml;
use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// Files read, and the names of those the fast reader declined.
fn compare(dir: &Path) -> (usize, Vec<String>) {
    let mut files = Vec::new();
    yaml_files(dir, &mut files);
    files.sort();
    let mut declined = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        match yaml::fast::read(&text) {
            Some(fast) => assert_eq!(
                yaml::parse_with_saphyr(&text).as_ref(),
                Ok(&fast),
                "the fast reader and saphyr differ on {}",
                path.display()
            ),
            None => declined.push(path.strip_prefix(dir).unwrap().display().to_string()),
        }
    }
    eprintln!(
        "{}: the fast reader declined {} of {} YAML files: {declined:?}",
        dir.display(),
        declined.len(),
        files.len()
    );
    (files.len(), declined)
}

#[test]
fn fast_reader_agrees_with_saphyr_on_testdata() {
    let (files, _) = compare(&Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata"));
    assert!(files > 0, "no YAML under testdata");
}

#[test]
fn fast_reader_agrees_with_saphyr_and_takes_most_of_the_corpus() {
    let Some(corpus) = common::shared("corpus") else {
        return;
    };
    let (files, declined) = compare(&corpus);
    assert!(
        declined.len() * 20 <= files,
        "the fast reader declined {} of {files} corpus files",
        declined.len()
    );
}
