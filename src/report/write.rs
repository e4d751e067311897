//! The one way orb-scan writes a file (`-o`, `--fix`). A pull request chooses the names and
//! contents of the checkout orb-scan runs in, so a write:
//! - never follows a symbolic link at the file, nor one in a folder below the folder that bounds it
//!   (the repository) that leads out of it;
//! - never writes through a hard link (the other names would change too);
//! - for `--fix`, only replaces a file that still holds exactly the bytes the scan read (a concurrent
//!   edit is not lost) and never re-creates one deleted since;
//! - writes a temporary file beside the target and renames it over, with the target's mode, so a
//!   reader never sees half a file and a link swapped in at the last moment is replaced, not followed.
//!
//! A new file (`-o` to a fresh path) is linked into place only if nothing took its name meanwhile.
//! Character devices and FIFOs (`-o /dev/null`) are written in place, opened without following links.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

/// What the file must hold for the write to go ahead.
#[derive(Clone, Copy, Debug)]
pub enum Expect<'a> {
    /// Whatever it holds, or nothing yet (`-o`).
    Anything,
    /// Exactly these bytes, as read by the scan (`--fix`): a file changed or deleted since is left.
    Holds(&'a [u8]),
}

/// Writes `contents` to `path` as the module says. `bound` is the folder the write must stay in
/// (the repository or scan root): a symbolic link among the folders between it and the file must
/// resolve inside it.
pub fn write_file(
    path: &Path,
    contents: &[u8],
    expect: Expect,
    bound: &Path,
) -> Result<(), String> {
    write_with(path, expect, bound, |out| out.write_all(contents))
}

/// As [`write_file`], with the contents written by `fill` (a report streams into the temporary
/// file rather than being held in memory whole).
pub fn write_with(
    path: &Path,
    expect: Expect,
    bound: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    check_folders(path, bound)?;
    let before = match std::fs::symlink_metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(reason(&e)),
    };
    match (&before, expect) {
        (None, Expect::Holds(_)) => {
            Err("it was deleted during the run; orb-scan does not re-create it".into())
        }
        (None, Expect::Anything) => create_new(path, fill),
        (Some(meta), _) if meta.file_type().is_symlink() => {
            Err("it is a symbolic link; orb-scan does not write through links".into())
        }
        (Some(meta), Expect::Anything) if is_stream(meta) => write_stream(path, fill),
        (Some(meta), _) if !meta.is_file() => Err("it is not a regular file".into()),
        (Some(meta), _) if links(meta) > 1 => Err(format!(
            "it has {} hard links; writing it would change the other names too",
            links(meta)
        )),
        (Some(meta), expect) => replace(path, meta, fill, expect),
    }
}

#[cfg(unix)]
fn is_stream(meta: &Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_char_device() || meta.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_stream(_: &Metadata) -> bool {
    false
}

/// The names a file has (Windows: not known without unstable APIs, taken as one).
#[cfg(unix)]
fn links(meta: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_: &Metadata) -> u64 {
    1
}

/// Whether two looks at a name saw the same file (Windows: its bytes are compared instead).
#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &Metadata, _: &Metadata) -> bool {
    true
}

/// Replaces a regular file through a temporary file beside it, checking just before the rename that
/// the name still holds the same file, with the expected bytes.
fn replace(
    path: &Path,
    meta: &Metadata,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    expect: Expect,
) -> Result<(), String> {
    if let Expect::Holds(expected) = expect {
        still_holds(path, meta, expected)?;
    }
    let (temp_path, temp) = temporary_beside(path)?;
    let result = (|| {
        temp.set_permissions(meta.permissions())
            .map_err(|e| reason(&e))?;
        fill_file(temp, fill)?;
        let now = std::fs::symlink_metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                "it was deleted during the run; orb-scan does not re-create it".to_string()
            }
            _ => reason(&e),
        })?;
        if !same_file(&now, meta) || links(&now) != 1 {
            return Err("it was replaced during the run; not written".into());
        }
        if let Expect::Holds(expected) = expect {
            still_holds(path, &now, expected)?;
        }
        std::fs::rename(&temp_path, path).map_err(|e| reason(&e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp_path);
    }
    result
}

/// The file at `path` is the one `meta` describes and holds exactly `expected`.
fn still_holds(path: &Path, meta: &Metadata, expected: &[u8]) -> Result<(), String> {
    let changed = || "it changed since orb-scan read it; not written (run again)".to_string();
    let mut file = crate::read::walk::open_unfollowed(path).map_err(|e| reason(&e))?;
    let now = file.metadata().map_err(|e| reason(&e))?;
    if !now.is_file() || !same_file(&now, meta) || now.len() != expected.len() as u64 {
        return Err(changed());
    }
    let mut held = Vec::with_capacity(expected.len());
    (&mut file)
        .take(expected.len() as u64 + 1)
        .read_to_end(&mut held)
        .map_err(|e| reason(&e))?;
    if held != expected {
        return Err(changed());
    }
    Ok(())
}

/// A new file: written under a temporary name, then linked to its own, which fails if anything took
/// that name meanwhile (a link included), so nothing is overwritten or followed.
fn create_new(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let (temp_path, temp) = temporary_beside(path)?;
    let taken = || "something took its name during the run; not written".to_string();
    let result = (|| {
        fill_file(temp, fill)?;
        match std::fs::hard_link(&temp_path, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(taken()),
            // A file system without hard links: the name is checked still free, then the temporary
            // file renamed to it (a rename replaces a link put there meanwhile, never follows it).
            Err(_) => match std::fs::symlink_metadata(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    std::fs::rename(&temp_path, path).map_err(|e| reason(&e))
                }
                _ => Err(taken()),
            },
        }
    })();
    let _ = std::fs::remove_file(&temp_path);
    result
}

/// A character device or FIFO the user named (`-o /dev/null`): written in place.
fn write_stream(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let mut options = OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(|e| reason(&e))?;
    fill_file(file, fill)
}

/// Writes through a buffer (a write per block, not per line) and closes the file.
fn fill_file(
    file: File,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let mut out = std::io::BufWriter::new(file);
    fill(&mut out).map_err(|e| reason(&e))?;
    out.flush().map_err(|e| reason(&e))
}

/// A fresh file beside `path`, created exclusively (never through a link), readable by its owner only
/// until it takes the target's mode.
fn temporary_beside(path: &Path) -> Result<(PathBuf, File), String> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or("it names no file")?;
    for attempt in 0..100u32 {
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".orb-scan-{}-{attempt}.tmp", std::process::id()));
        let temp_path = folder.join(temp_name);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        match options.open(&temp_path) {
            Ok(file) => return Ok((temp_path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(format!(
                    "cannot create a temporary file beside it: {}",
                    reason(&e)
                ))
            }
        }
    }
    Err("cannot create a temporary file beside it: every name is taken".into())
}

/// Every folder between `bound` and the file that is a symbolic link must resolve inside `bound`.
/// Folders above `bound` (or of an absolute path outside it) are the user's own choice.
fn check_folders(path: &Path, bound: &Path) -> Result<(), String> {
    let cwd = std::env::current_dir().map_err(|e| reason(&e))?;
    let absolute = cwd.join(path);
    let bound = cwd.join(bound);
    let Ok(inside) = absolute.strip_prefix(&bound) else {
        return Ok(());
    };
    let real_bound = bound.canonicalize().map_err(|e| reason(&e))?;
    let mut walked = bound.clone();
    for component in inside.parent().into_iter().flat_map(Path::components) {
        match component {
            Component::Normal(name) => walked.push(name),
            Component::ParentDir => {
                return Err("its path climbs out of the folder it must stay in".into())
            }
            _ => continue,
        }
        let is_link = std::fs::symlink_metadata(&walked)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false);
        if is_link {
            let real = walked.canonicalize().map_err(|e| reason(&e))?;
            if !real.starts_with(&real_bound) {
                return Err(format!(
                    "its folder {} is a symbolic link out of {}",
                    crate::report::escape_text(&crate::base::diagnostic::file_path([
                        walked.as_os_str()
                    ])),
                    crate::report::escape_text(&crate::base::diagnostic::file_path([
                        bound.as_os_str()
                    ]))
                ));
            }
        }
    }
    Ok(())
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "not found".into(),
        _ => e.to_string(),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p).unwrap()
    }

    #[test]
    fn replaces_keeping_mode_and_refuses_what_it_must() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let file = root.join("p.json");
        std::fs::write(&file, "old").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_file(&file, b"new", Expect::Holds(b"old"), root).unwrap();
        assert_eq!(read(&file), "new");
        let mode = std::fs::metadata(&file).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o640);
        // A concurrent edit is kept.
        let e = write_file(&file, b"x", Expect::Holds(b"old"), root).unwrap_err();
        assert!(e.contains("changed"), "{e}");
        assert_eq!(read(&file), "new");
        // A deleted file is not re-created.
        std::fs::remove_file(&file).unwrap();
        let e = write_file(&file, b"x", Expect::Holds(b"new"), root).unwrap_err();
        assert!(e.contains("deleted"), "{e}");
        assert!(!file.exists());
        // A link is never followed; the target keeps its bytes.
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("secret");
        std::fs::write(&target, "keep").unwrap();
        symlink(&target, &file).unwrap();
        for expect in [Expect::Anything, Expect::Holds(b"keep")] {
            let e = write_file(&file, b"x", expect, root).unwrap_err();
            assert!(e.contains("symbolic link"), "{e}");
        }
        assert_eq!(read(&target), "keep");
        // Nor a hard link.
        std::fs::remove_file(&file).unwrap();
        std::fs::write(&file, "a").unwrap();
        std::fs::hard_link(&file, root.join("other")).unwrap();
        let e = write_file(&file, b"x", Expect::Holds(b"a"), root).unwrap_err();
        assert!(e.contains("hard links"), "{e}");
        assert_eq!(read(&root.join("other")), "a");
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn new_files_and_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let out = root.join("out.sarif");
        write_file(&out, b"{}", Expect::Anything, root).unwrap();
        assert_eq!(read(&out), "{}");
        write_file(&out, b"{1}", Expect::Anything, root).unwrap();
        assert_eq!(read(&out), "{1}");
        // A folder that links out of the bound is refused; one that links inside is fine.
        let outside = tempfile::tempdir().unwrap();
        symlink(outside.path(), root.join("away")).unwrap();
        let e = write_file(&root.join("away/x.sarif"), b"x", Expect::Anything, root).unwrap_err();
        assert!(e.contains("symbolic link out of"), "{e}");
        assert!(!outside.path().join("x.sarif").exists());
        std::fs::create_dir(root.join("real")).unwrap();
        symlink(root.join("real"), root.join("near")).unwrap();
        write_file(&root.join("near/x.sarif"), b"x", Expect::Anything, root).unwrap();
        assert_eq!(read(&root.join("real/x.sarif")), "x");
        // A device is written in place.
        write_file(Path::new("/dev/null"), b"x", Expect::Anything, root).unwrap();
    }
}
