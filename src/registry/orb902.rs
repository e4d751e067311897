use super::Rule;
use crate::base::diagnostic::Severity;

pub static RULE: Rule = Rule {
    code: "ORB902",
    name: "skipped-file",
    severity: Severity::Warning,
    summary: "a candidate file was not scanned: unreadable, too large, or not a regular file",
    doc: r#"## What it finds
A file with a candidate extension that orb-scan would not open or read: larger than `--max-filesize`
(default 4 MiB), unreadable (permissions), or not a regular file (FIFO, device, socket); a folder it cannot
list (nothing under it was scanned); and a file whose documents and findings would take more memory than
its budget, 32 times its size past 1 MiB (a few megabytes of tiny statements, each a handful of findings).
Symbolic links are never followed and are skipped silently, as ripgrep does.

## Why it matters
Whatever the file holds was not checked.

## Example
A 10 MB generated policy bundle; a policy of 300,000 statements `{"Effect": 0}`.

## Fix
Raise `--max-filesize`, fix the permissions, or exclude the path. A file over its memory budget is not a
policy anyone deploys: fix or exclude it.

## ORB source
Not ORB-specific: reader limits, documented in README."#,
};
