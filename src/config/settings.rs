//! `orb-scan.toml`: found as the nearest ancestor of the scan root (up to the repository root), or
//! named with `--config`, or skipped with `--isolated`. Every problem in it is an error with a span,
//! rendered like a diagnostic; the scan does not run (exit 2).
//!
//! Paths and globs in the file are relative to the folder that holds it; globs use `.gitignore`
//! syntax. Inside the tool every path is turned into the scan-root-relative form diagnostics use.

use crate::base::diagnostic::{Diagnostic, FilePath, Severity};
use crate::base::span::Span;
use crate::config::globs::Globs;
use crate::config::suppress::{Code, Scope, Suppression};
use crate::registry::{self, is_code_pattern};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

pub const FILE_NAME: &str = "orb-scan.toml";

/// Where the settings come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// The nearest `orb-scan.toml` at or above the scan root, stopping at the repository root.
    Discover,
    /// `--config FILE`.
    File(PathBuf),
    /// `--isolated`: defaults only.
    Isolated,
}

/// The resolved settings, with every path already relative to the scan root.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub file: Option<SettingsFile>,
    /// `None` when the file does not restrict the rules; `--select` replaces it.
    pub select: Option<Vec<String>>,
    /// Added to `--ignore`.
    pub ignore: Vec<String>,
    pub exclude: Option<Arc<PathPatterns>>,
    /// Per-code severity overrides.
    pub severity: BTreeMap<String, Severity>,
    pub deployments: Vec<DeclaredDeployment>,
    /// `[[suppress]]` tables.
    pub suppressions: Vec<Suppression>,
    /// `[catalog]`: what AWS added after the embedded catalog's date.
    pub catalog: ExtraCatalog,
}

/// Actions and services a policy may name that are newer than the embedded IAM catalog
/// (`[catalog] actions = [...]`, `services = [...]`): never reported as unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtraCatalog {
    /// `service:Action`, as written.
    pub actions: Vec<String>,
    /// Service prefixes, lowercase.
    pub services: Vec<String>,
}

/// The file the settings were read from.
#[derive(Clone, Debug)]
pub struct SettingsFile {
    /// As shown in diagnostics (relative to the scan root), so ORB903 can point into it.
    pub shown: FilePath,
    pub text: String,
    /// The folder holding it, absolute: its paths are relative to this.
    pub folder: PathBuf,
}

impl Settings {
    /// How orb-scan.toml writes a scan-root-relative path: relative to the settings file's folder,
    /// or without one, to the scan root `root`, where a new file would be found.
    pub fn paths_in_file(&self, root: &Path) -> impl Fn(&str) -> String + '_ {
        let root = absolute(root);
        let base = self
            .file
            .as_ref()
            .map_or(root.clone(), |f| f.folder.clone());
        // The root as the file writes it: paths under it need no more than this prefix.
        let prefix = display_relative(&root, &base);
        move |path| match &*prefix {
            "" if !path.starts_with("..") => path.to_string(),
            prefix if !path.starts_with("..") && !prefix.starts_with("..") => {
                format!("{prefix}/{path}")
            }
            _ => display_relative(&normalize(&root.join(path)), &base).to_string(),
        }
    }

    /// Does a scan of the folder `root` reach every file the settings' paths can name?
    pub fn covers_its_folder(&self, root: &Path) -> bool {
        let Some(file) = &self.file else {
            return true;
        };
        file.folder.starts_with(absolute(root))
    }
}

/// `[[deployment]]`: the policies to check one ORB config against, instead of the ones found by
/// content (DESIGN.md §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredDeployment {
    pub config: FilePath,
    pub policies: Vec<PolicyRef>,
}

/// `iam/orb.json`, or `cfn/orb.yaml#OrbRole` for the policies of one CloudFormation resource.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PolicyRef {
    pub file: FilePath,
    pub resource: Option<String>,
}

/// Why the settings could not be used.
#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read at all.
    Unreadable(String),
    /// The file was read; each problem has a span in it.
    Invalid {
        file: FilePath,
        text: String,
        problems: Vec<Diagnostic>,
    },
}

/// The file's tables as written, read key by key (`Table`), so every mistake is reported at once.
struct RawSettings {
    select: Option<Vec<Spanned<String>>>,
    ignore: Vec<Spanned<String>>,
    exclude: Vec<Spanned<String>>,
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    orb_version: Option<Spanned<String>>,
    deployment: Vec<RawDeployment>,
    suppress: Vec<Spanned<RawSuppress>>,
    catalog: Option<RawCatalog>,
}

struct RawCatalog {
    actions: Vec<Spanned<String>>,
    services: Vec<Spanned<String>>,
}

struct RawDeployment {
    config: Spanned<String>,
    policies: Spanned<Vec<Spanned<String>>>,
}

struct RawSuppress {
    paths: Spanned<Vec<Spanned<String>>>,
    rules: Spanned<Vec<Spanned<String>>>,
    reason: Spanned<String>,
}

/// Loads the settings for a scan rooted at `root` (a folder, or `.` for a list of files).
pub fn load(source: &Source, root: &Path) -> Result<Settings, ConfigError> {
    let cwd = std::env::current_dir()
        .map_err(|e| ConfigError::Unreadable(format!("cannot read the current folder: {e}")))?;
    let root = absolute(root);
    let path = match source {
        Source::Isolated => return Ok(Settings::default()),
        Source::File(path) => absolute(path),
        Source::Discover => match discover(&root) {
            Some(path) => path,
            None => return Ok(Settings::default()),
        },
    };
    let shown = display_relative(&path, &root);
    let text = read_limited(&path)
        .map_err(|e| ConfigError::Unreadable(format!("cannot read {shown}: {e}")))?;
    let base = path.parent().unwrap_or(Path::new("/")).to_path_buf();
    let context = Context {
        file: shown,
        base,
        root,
        cwd,
    };
    context
        .parse(&text)
        .map_err(|problems| ConfigError::Invalid {
            file: context.file.clone(),
            text: text.clone(),
            problems,
        })
}

/// The most a settings file may hold: a repository's own list of globs and tables, which a pull
/// request can grow, fits in a fraction of it.
pub const MAX_SIZE: u64 = 1024 * 1024;

/// The settings file's text: a regular file (a link to one is followed; a FIFO or device is not
/// read, and opening one does not block) of at most [`MAX_SIZE`] bytes.
fn read_limited(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let too_big =
        |n: u64| format!("{n} bytes is over the limit of {MAX_SIZE} bytes for a settings file");
    if meta.len() > MAX_SIZE {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_SIZE {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| "not valid UTF-8".into())
}

/// Parses settings text as if it were `base/orb-scan.toml` scanned from `base` (fuzzing and tests).
pub fn parse_text(text: &str, base: &Path) -> Result<Settings, Vec<Diagnostic>> {
    let context = Context {
        file: FILE_NAME.into(),
        base: base.to_path_buf(),
        root: base.to_path_buf(),
        cwd: base.to_path_buf(),
    };
    context.parse(text)
}

/// The nearest `orb-scan.toml` from `root` upwards; the search ends at a folder holding `.git`.
fn discover(root: &Path) -> Option<PathBuf> {
    for dir in root.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// What relative paths in one settings file mean.
struct Context {
    /// The file as shown in diagnostics.
    file: FilePath,
    /// The folder holding the file: paths in it are relative to this.
    base: PathBuf,
    /// The scan root, absolute: paths in diagnostics are relative to this.
    root: PathBuf,
    cwd: PathBuf,
}

/// One table of the file, read key by key: a key of the wrong type, a missing one or an unknown one
/// is a problem with its span, and reading goes on, so a file with six mistakes shows six.
struct Table<'t, 'i> {
    table: &'t DeTable<'i>,
    /// The table's span, for a missing key.
    span: Span,
    /// `[[deployment]]` and such, for messages; empty at the top level.
    name: &'static str,
    problems: Vec<Diagnostic>,
    file: &'t FilePath,
}

impl<'t, 'i> Table<'t, 'i> {
    fn new(
        table: &'t DeTable<'i>,
        span: Span,
        name: &'static str,
        file: &'t FilePath,
    ) -> Table<'t, 'i> {
        Table {
            table,
            span,
            name,
            problems: Vec::new(),
            file,
        }
    }

    fn problem(&mut self, span: Span, message: String) {
        self.problems.push(Diagnostic::new(
            "",
            Severity::Error,
            self.file,
            span,
            message,
        ));
    }

    /// The value of `key` as `T`; `None` when it is absent or of the wrong type (a problem).
    fn get<T: serde::de::DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        let value = self.table.get(key)?;
        let read = T::deserialize(toml::de::ValueDeserializer::from(value.clone()));
        read.map_err(|e| {
            let at = e.span().unwrap_or(value.span());
            let message = format!("`{key}`: {}", e.message().trim_end());
            self.problem(Span::new(at.start, at.end), message);
        })
        .ok()
    }

    /// A list of strings, read item by item: each item of the wrong type is a problem of its own,
    /// and the others are kept.
    fn strings(&mut self, key: &str) -> Option<Spanned<Vec<Spanned<String>>>> {
        let value = self.table.get(key)?;
        let DeValue::Array(items) = value.get_ref() else {
            return self.get(key);
        };
        let mut strings = Vec::new();
        for item in items {
            let read =
                Spanned::<String>::deserialize(toml::de::ValueDeserializer::from(item.clone()));
            match read {
                Ok(s) => strings.push(s),
                Err(e) => {
                    let at = item.span();
                    let message = format!("`{key}`: {}", e.message().trim_end());
                    self.problem(Span::new(at.start, at.end), message);
                }
            }
        }
        Some(Spanned::new(value.span(), strings))
    }

    /// A table of strings (`[severity]`), read entry by entry as `strings` reads a list.
    fn string_table(&mut self, key: &str) -> Option<BTreeMap<Spanned<String>, Spanned<String>>> {
        let value = self.table.get(key)?;
        let DeValue::Table(entries) = value.get_ref() else {
            return self.get(key);
        };
        let mut map = BTreeMap::new();
        for (name, item) in entries.iter() {
            let read =
                Spanned::<String>::deserialize(toml::de::ValueDeserializer::from(item.clone()));
            match read {
                Ok(v) => {
                    map.insert(Spanned::new(name.span(), name.get_ref().to_string()), v);
                }
                Err(e) => {
                    let at = item.span();
                    let message = format!("`{key}.{}`: {}", name.get_ref(), e.message().trim_end());
                    self.problem(Span::new(at.start, at.end), message);
                }
            }
        }
        Some(map)
    }

    /// As `get`, and a problem when the key is absent.
    fn required<T: serde::de::DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        if !self.table.contains_key(key) {
            let message = format!("{} needs `{key}`", self.name);
            self.problem(self.span, message);
            return None;
        }
        self.get(key)
    }

    /// As `strings`, and a problem when the key is absent.
    fn required_strings(&mut self, key: &str) -> Option<Spanned<Vec<Spanned<String>>>> {
        if !self.table.contains_key(key) {
            let message = format!("{} needs `{key}`", self.name);
            self.problem(self.span, message);
            return None;
        }
        self.strings(key)
    }

    /// The table `key` (`[catalog]`), with its span.
    fn table(&mut self, key: &str) -> Option<(&'t DeTable<'i>, Span)> {
        let value = self.table.get(key)?;
        let at = Span::new(value.span().start, value.span().end);
        match value.get_ref() {
            DeValue::Table(t) => Some((t, at)),
            _ => {
                self.problem(at, format!("`{key}` is a table: write [{key}]"));
                None
            }
        }
    }

    /// Every table of the array of tables `key` (`[[deployment]]`), each with its span.
    fn tables(&mut self, key: &str) -> Vec<(&'t DeTable<'i>, Span)> {
        let Some(value) = self.table.get(key) else {
            return Vec::new();
        };
        let at = |v: &Spanned<DeValue>| Span::new(v.span().start, v.span().end);
        match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| match item.get_ref() {
                    DeValue::Table(t) => Some((t, at(item))),
                    _ => {
                        self.problem(at(item), format!("`{key}` holds tables: write [[{key}]]"));
                        None
                    }
                })
                .collect(),
            _ => {
                self.problem(at(value), format!("`{key}` holds tables: write [[{key}]]"));
                Vec::new()
            }
        }
    }

    /// The problems, with one for each key not in `known`.
    fn finish(mut self, known: &[&str]) -> Vec<Diagnostic> {
        for key in self.table.keys() {
            if !known.contains(&key.get_ref().as_ref()) {
                let where_ = match self.name {
                    "" => String::new(),
                    name => format!(" in {name}"),
                };
                let message =
                    match crate::base::suggest::nearest(key.get_ref(), known.iter().copied()) {
                        Some(near) => format!(
                            "unknown key `{}`{where_}: did you mean `{near}`?",
                            key.get_ref()
                        ),
                        None => format!(
                            "unknown key `{}`{where_}; expected one of: {}",
                            key.get_ref(),
                            known.join(", ")
                        ),
                    };
                self.problem(Span::new(key.span().start, key.span().end), message);
            }
        }
        self.problems
    }
}

impl Context {
    /// The file's keys and tables as written, and every key of the wrong type, missing or unknown,
    /// each with its span; a key in error is left out. Syntax errors, every one, are the only
    /// problems of a file that does not parse.
    fn raw(&self, text: &str) -> Result<(RawSettings, Vec<Diagnostic>), Vec<Diagnostic>> {
        let problem = |e: &toml::de::Error| {
            let span = e
                .span()
                .map(|r| Span::new(r.start, r.end))
                .unwrap_or_default();
            self.problem(span, e.message().trim_end().to_string())
        };
        let (document, errors) = DeTable::parse_recoverable(text);
        if !errors.is_empty() {
            return Err(errors.iter().map(problem).collect());
        }
        let whole = Span::new(document.span().start, document.span().end);
        let mut top = Table::new(document.get_ref(), whole, "", &self.file);
        let mut list = |key: &str| top.strings(key).map(Spanned::into_inner);
        let (select, ignore, exclude) = (list("select"), list("ignore"), list("exclude"));
        let mut raw = RawSettings {
            select,
            ignore: ignore.unwrap_or_default(),
            exclude: exclude.unwrap_or_default(),
            severity: top.string_table("severity").unwrap_or_default(),
            orb_version: top.get("orb_version"),
            deployment: Vec::new(),
            suppress: Vec::new(),
            catalog: None,
        };
        let mut problems = Vec::new();
        for (table, span) in top.tables("deployment") {
            let mut t = Table::new(table, span, "[[deployment]]", &self.file);
            let config = t.required("config");
            let policies = t.required_strings("policies");
            problems.extend(t.finish(&["config", "policies"]));
            match (config, policies) {
                (Some(config), Some(policies)) => {
                    raw.deployment.push(RawDeployment { config, policies });
                }
                // An incomplete table's config can still be a mistake of its own.
                (Some(config), None) => {
                    self.existing_path(&config, &mut problems);
                }
                _ => {}
            }
        }
        for (table, span) in top.tables("suppress") {
            let mut t = Table::new(table, span, "[[suppress]]", &self.file);
            let paths = t.required_strings("paths");
            let rules = t.required_strings("rules");
            let reason = t.required("reason");
            problems.extend(t.finish(&["paths", "rules", "reason"]));
            match (paths, rules, reason) {
                (Some(paths), Some(rules), Some(reason)) => {
                    let suppress = RawSuppress {
                        paths,
                        rules,
                        reason,
                    };
                    raw.suppress.push(Spanned::new(
                        span.start as usize..span.end as usize,
                        suppress,
                    ));
                }
                // An incomplete table's codes and globs can still be mistakes of their own.
                (paths, rules, _) => {
                    for code in rules.iter().flat_map(|r| r.get_ref()) {
                        self.check_code_pattern(code, &mut problems);
                    }
                    if let Some(paths) = paths {
                        self.patterns(paths.get_ref(), &mut problems);
                    }
                }
            }
        }
        if let Some((table, span)) = top.table("catalog") {
            let mut t = Table::new(table, span, "[catalog]", &self.file);
            let actions = t.strings("actions").map(Spanned::into_inner);
            let services = t.strings("services").map(Spanned::into_inner);
            problems.extend(t.finish(&["actions", "services"]));
            raw.catalog = Some(RawCatalog {
                actions: actions.unwrap_or_default(),
                services: services.unwrap_or_default(),
            });
        }
        let known = [
            "select",
            "ignore",
            "exclude",
            "severity",
            "orb_version",
            "deployment",
            "suppress",
            "catalog",
        ];
        problems.splice(0..0, top.finish(&known));
        Ok((raw, problems))
    }

    /// Every problem of the file at once: of syntax, else of type and of meaning (an unknown code, a
    /// bad glob, a path that does not exist), in the order of the file.
    fn parse(&self, text: &str) -> Result<Settings, Vec<Diagnostic>> {
        let (raw, mut problems) = self.raw(text)?;
        let select = raw
            .select
            .as_deref()
            .map(|s| self.code_list(s, &mut problems));
        let ignore = self.code_list(&raw.ignore, &mut problems);
        let exclude = if raw.exclude.is_empty() {
            None
        } else {
            self.patterns(&raw.exclude, &mut problems).map(Arc::new)
        };
        let mut severity = BTreeMap::new();
        for (code, level) in &raw.severity {
            let rule = registry::lookup(code.get_ref());
            if rule.is_none() {
                problems.push(self.problem(
                    spanned(code),
                    format!(
                        "`{}` is not a rule code (see `orb-scan rules`)",
                        code.get_ref()
                    ),
                ));
            }
            let parsed = Severity::parse(level.get_ref());
            if parsed.is_none() {
                problems.push(self.problem(
                    spanned(level),
                    format!(
                        "`{}` is not a severity: use \"error\", \"warning\" or \"note\"",
                        level.get_ref()
                    ),
                ));
            }
            if let (Some(rule), Some(level)) = (rule, parsed) {
                severity.insert(rule.code.to_string(), level);
            }
        }
        // `orb_version` selects the requirements of an ORB release (data/orb-requirements.toml and its
        // release overlays); a release orb-scan has no requirements for is an error, not a silent mismatch.
        if let Some(v) = &raw.orb_version {
            if let Err(message) = crate::orb::requirements::select(v.get_ref().trim()) {
                problems.push(self.problem(spanned(v), message));
            }
        }
        let deployments = raw
            .deployment
            .iter()
            .filter_map(|d| self.deployment(d, &mut problems))
            .collect();
        let suppressions = raw
            .suppress
            .iter()
            .filter_map(|s| self.suppression(s, &mut problems))
            .collect();
        let catalog = raw
            .catalog
            .as_ref()
            .map(|c| self.extra_catalog(c, &mut problems))
            .unwrap_or_default();
        if !problems.is_empty() {
            problems.sort_by_key(|d| (d.span.start, d.span.end));
            return Err(problems);
        }
        Ok(Settings {
            file: Some(SettingsFile {
                shown: self.file.clone(),
                text: text.to_string(),
                folder: self.base.clone(),
            }),
            select,
            ignore,
            exclude,
            severity,
            deployments,
            suppressions,
            catalog,
        })
    }

    /// `[catalog]`: plain `service:Action` names and service prefixes, as IAM spells them.
    fn extra_catalog(&self, raw: &RawCatalog, problems: &mut Vec<Diagnostic>) -> ExtraCatalog {
        let word = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        let mut extra = ExtraCatalog::default();
        for action in &raw.actions {
            let text = action.get_ref();
            match text.split_once(':') {
                Some((service, name)) if word(service) && word(name) => {
                    extra.actions.push(text.clone())
                }
                _ => problems.push(self.problem(
                    spanned(action),
                    format!("`{text}` is not an action: write `service:Action`, without wildcards"),
                )),
            }
        }
        for service in &raw.services {
            let text = service.get_ref();
            if word(text) {
                extra.services.push(text.to_ascii_lowercase());
            } else {
                problems.push(self.problem(
                    spanned(service),
                    format!("`{text}` is not a service prefix"),
                ));
            }
        }
        extra
    }

    fn problem(&self, span: Span, message: String) -> Diagnostic {
        Diagnostic::new("", Severity::Error, &self.file, span, message)
    }

    /// The codes or prefixes of a list, upper-cased; the ones that name no rule are problems.
    fn code_list(&self, list: &[Spanned<String>], problems: &mut Vec<Diagnostic>) -> Vec<String> {
        list.iter()
            .filter(|c| self.check_code_pattern(c, problems))
            .map(|c| c.get_ref().trim().to_ascii_uppercase())
            .collect()
    }

    fn check_code_pattern(&self, code: &Spanned<String>, problems: &mut Vec<Diagnostic>) -> bool {
        let ok = is_code_pattern(code.get_ref());
        if !ok {
            problems.push(self.problem(
                spanned(code),
                format!(
                    "`{}` matches no rule code (see `orb-scan rules`)",
                    code.get_ref()
                ),
            ));
        }
        ok
    }

    fn patterns(
        &self,
        list: &[Spanned<String>],
        problems: &mut Vec<Diagnostic>,
    ) -> Option<PathPatterns> {
        let before = problems.len();
        for pattern in list {
            let text = pattern.get_ref();
            if text.trim().is_empty() || text.trim_start().starts_with('#') {
                problems.push(self.problem(
                    spanned(pattern),
                    "an empty pattern (or one starting with `#`) matches nothing".into(),
                ));
            }
        }
        let matcher = match Globs::new(list.iter().map(|p| p.get_ref().as_str())) {
            Ok(matcher) => matcher,
            Err((at, why)) => {
                problems.push(self.problem(spanned(&list[at]), format!("bad glob: {why}")));
                return None;
            }
        };
        (problems.len() == before).then(|| PathPatterns {
            matcher,
            base: self.base.clone(),
            root: self.root.clone(),
            cwd: self.cwd.clone(),
        })
    }

    /// A path named in the file, checked to exist, in the scan-root-relative form.
    fn existing_path(
        &self,
        path: &Spanned<String>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<FilePath> {
        let text = path.get_ref().trim();
        let abs = normalize(&self.base.join(text));
        if text.is_empty() || !abs.is_file() {
            problems.push(self.problem(
                spanned(path),
                format!(
                    "no file `{text}` (paths are relative to the folder of {})",
                    self.file
                ),
            ));
            return None;
        }
        Some(display_relative(&abs, &self.root))
    }

    fn deployment(
        &self,
        raw: &RawDeployment,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<DeclaredDeployment> {
        let config = self.existing_path(&raw.config, problems);
        if config.as_ref() == Some(&self.file) {
            problems.push(self.problem(
                spanned(&raw.config),
                "this settings file is not an ORB config".into(),
            ));
        }
        if raw.policies.get_ref().is_empty() {
            problems.push(self.problem(
                spanned(&raw.policies),
                "name at least one policy: a file, or `file#LogicalId` for a CloudFormation resource (`file.tf#type.name` in Terraform)".into(),
            ));
        }
        let mut policies = Vec::new();
        for policy in raw.policies.get_ref() {
            let (file, resource) = match policy.get_ref().split_once('#') {
                Some((file, id)) => (file, Some(id)),
                None => (policy.get_ref().as_str(), None),
            };
            // A Terraform file's principals are named by address (`aws_iam_role.orb`).
            let terraform = file.ends_with(".tf") || file.ends_with(".tf.json");
            if resource.is_some_and(|id| !is_resource_id(id, terraform)) {
                let why = if terraform {
                    "after `#`, a Terraform file's principal is named by its address, `type.name` (as `aws_iam_role.orb`)".into()
                } else {
                    "a CloudFormation logical ID after `#` is letters and digits only".into()
                };
                problems.push(self.problem(spanned(policy), why));
                continue;
            }
            let located = Spanned::new(policy.span(), file.to_string());
            if let Some(file) = self.existing_path(&located, problems) {
                let what = if file == self.file {
                    Some("this settings file")
                } else if config.as_ref() == Some(&file) {
                    Some("the deployment's ORB config")
                } else {
                    None
                };
                if let Some(what) = what {
                    problems.push(self.problem(
                        spanned(policy),
                        format!("`{}` is {what}, not a policy", policy.get_ref()),
                    ));
                    continue;
                }
                policies.push(PolicyRef {
                    file,
                    resource: resource.map(str::to_string),
                });
            }
        }
        Some(DeclaredDeployment {
            config: config?,
            policies,
        })
    }

    fn suppression(
        &self,
        raw: &Spanned<RawSuppress>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<Suppression> {
        let table = raw.get_ref();
        let mut ok = true;
        for (list, what) in [(&table.paths, "paths"), (&table.rules, "rules")] {
            if list.get_ref().is_empty() {
                problems.push(self.problem(spanned(list), format!("`{what}` cannot be empty")));
                ok = false;
            }
        }
        if table.reason.get_ref().trim().is_empty() {
            problems.push(self.problem(
                spanned(&table.reason),
                "say why this finding is accepted".into(),
            ));
            ok = false;
        }
        let codes: Vec<Code> = table
            .rules
            .get_ref()
            .iter()
            .filter(|c| {
                let known = self.check_code_pattern(c, problems);
                ok &= known;
                known
            })
            .map(|c| Code {
                pattern: c.get_ref().trim().to_ascii_uppercase(),
                span: spanned(c),
            })
            .collect();
        let paths = self.patterns(table.paths.get_ref(), problems)?;
        ok.then(|| Suppression {
            file: self.file.clone(),
            span: spanned(raw),
            scope: Scope::Paths(Arc::new(paths)),
            codes,
            reason: Some(table.reason.get_ref().trim().to_string()),
            malformed: None,
            report_unused: true,
        })
    }
}

fn spanned<T>(value: &Spanned<T>) -> Span {
    let r = value.span();
    Span::new(r.start, r.end)
}

/// `.gitignore`-style globs relative to the folder of the settings file.
#[derive(Clone, Debug)]
pub struct PathPatterns {
    matcher: Globs,
    base: PathBuf,
    root: PathBuf,
    cwd: PathBuf,
}

impl PathPatterns {
    /// For the walker: does a path it found (relative to the current folder, or absolute) match?
    /// Folders are matched themselves, so their contents are pruned with them.
    pub fn excludes(&self, walked: &Path, is_dir: bool) -> bool {
        self.relative(&self.cwd.join(walked))
            .is_some_and(|rel| self.matcher.matched(&rel, is_dir))
    }

    /// Does a file as shown in diagnostics (relative to the scan root), or a folder above it, match?
    pub fn matches_shown(&self, shown: &str) -> bool {
        self.relative(&self.root.join(crate::base::diagnostic::path_of(shown)))
            .is_some_and(|rel| self.matcher.matched_path_or_any_parents(&rel, false))
    }

    /// The path relative to the settings folder; `None` outside it (patterns cannot reach there).
    fn relative(&self, path: &Path) -> Option<PathBuf> {
        let rel = normalize(path).strip_prefix(&self.base).ok()?.to_path_buf();
        (!rel.as_os_str().is_empty()).then_some(rel)
    }
}

/// `path` made absolute against the current folder and normalized; unchanged if there is none.
pub fn absolute(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) => normalize(&cwd.join(path)),
        Err(_) => normalize(path),
    }
}

/// Lexical normalization of an absolute path: `.` dropped, `..` applied, links not resolved (the
/// walker does not resolve them either).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `root` with `/` separators, using `..` when it lies outside.
fn display_relative(path: &Path, root: &Path) -> FilePath {
    let common = path
        .components()
        .zip(root.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = root.components().count() - common;
    let up = std::ffi::OsStr::new("..");
    crate::base::diagnostic::file_path(
        std::iter::repeat_n(up, ups).chain(path.components().skip(common).map(|c| c.as_os_str())),
    )
}

/// A CloudFormation logical ID (letters and digits) or, in a Terraform file, a resource address
/// (`type.name`, each letters, digits, `_` and `-`).
fn is_resource_id(id: &str, terraform: bool) -> bool {
    let word = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || (terraform && (c == '_' || c == '-')))
    };
    match id.split_once('.') {
        Some((ty, name)) if terraform => word(ty) && word(name),
        _ => !terraform && word(id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paths in a `[[deployment]]` table are written relative to the settings file's folder, or
    /// to the scan root when there is no file.
    #[test]
    fn paths_are_written_as_the_settings_file_writes_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("sub/dir");
        let none = Settings::default();
        let in_none = none.paths_in_file(&root);
        assert_eq!(in_none("iam/orb.json"), "iam/orb.json");
        assert_eq!(in_none("../orb.json"), "../orb.json");
        let above = Settings {
            file: Some(SettingsFile {
                shown: "../../orb-scan.toml".into(),
                text: String::new(),
                folder: dir.path().to_path_buf(),
            }),
            ..Settings::default()
        };
        let in_above = above.paths_in_file(&root);
        assert_eq!(in_above("iam/orb.json"), "sub/dir/iam/orb.json");
        assert_eq!(in_above("../x.json"), "sub/x.json");
        let elsewhere = Settings {
            file: Some(SettingsFile {
                shown: "../../other/orb-scan.toml".into(),
                text: String::new(),
                folder: dir.path().join("other"),
            }),
            ..Settings::default()
        };
        assert_eq!(
            elsewhere.paths_in_file(&root)("iam/orb.json"),
            "../sub/dir/iam/orb.json"
        );
    }

    fn context(dir: &Path) -> Context {
        Context {
            file: "orb-scan.toml".into(),
            base: dir.to_path_buf(),
            root: dir.to_path_buf(),
            cwd: dir.to_path_buf(),
        }
    }

    fn problems(dir: &Path, text: &str) -> Vec<(String, String)> {
        match context(dir).parse(text) {
            Ok(_) => Vec::new(),
            Err(ps) => ps
                .iter()
                .map(|p| (text[p.span.range()].to_string(), p.message.clone()))
                .collect(),
        }
    }

    #[test]
    fn every_key_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        std::fs::write(dir.path().join("config/config.json"), "{}").unwrap();
        std::fs::write(dir.path().join("orb.json"), "{}").unwrap();
        let text = r#"
select = ["ORB1", "orb2"]
ignore = ["ORB110"]
exclude = ["testdata/", "*.generated.json"]
orb_version = "1.8.5"
[severity]
ORB110 = "warning"
[[deployment]]
config = "config/config.json"
policies = ["orb.json", "orb.json#OrbRole"]
[[suppress]]
paths = ["legacy/**"]
rules = ["ORB204"]
reason = "retired stack"
[catalog]
actions = ["ec2:DescribeNewThing"]
services = ["NewService"]
"#;
        let s = context(dir.path()).parse(text).unwrap();
        assert_eq!(s.catalog.actions, ["ec2:DescribeNewThing"]);
        assert_eq!(s.catalog.services, ["newservice"]);
        assert!(s.catalog.names("EC2:describenewthing"));
        assert!(s.catalog.names("ec2:DescribeNew*"));
        assert!(s.catalog.names("newservice:Anything"));
        assert!(!s.catalog.names("ec2:DescribeOldThing"));
        assert_eq!(s.select, Some(vec!["ORB1".into(), "ORB2".into()]));
        assert_eq!(s.ignore, ["ORB110"]);
        assert_eq!(s.severity.get("ORB110"), Some(&Severity::Warning));
        assert_eq!(
            s.deployments,
            [DeclaredDeployment {
                config: "config/config.json".into(),
                policies: vec![
                    PolicyRef {
                        file: "orb.json".into(),
                        resource: None
                    },
                    PolicyRef {
                        file: "orb.json".into(),
                        resource: Some("OrbRole".into())
                    },
                ],
            }]
        );
        let exclude = s.exclude.unwrap();
        assert!(exclude.excludes(&dir.path().join("testdata"), true));
        assert!(exclude.excludes(&dir.path().join("a/b.generated.json"), false));
        assert!(!exclude.excludes(&dir.path().join("a/b.json"), false));
        // The walker prunes folders; a walk started inside one still sees its files.
        assert!(!exclude.excludes(&dir.path().join("testdata/x/a.json"), false));
        let Scope::Paths(paths) = &s.suppressions[0].scope else {
            panic!("config suppressions cover paths")
        };
        assert!(paths.matches_shown("legacy/iam/a.json"));
        assert!(!paths.matches_shown("iam/legacy.json"));
        assert_eq!(&text[s.suppressions[0].codes[0].span.range()], "\"ORB204\"");
    }

    #[test]
    fn resource_ids_follow_their_files_language() {
        for (id, terraform, ok) in [
            ("OrbRole", false, true),
            ("Orb-Role", false, false),
            ("aws_iam_role.orb", false, false),
            ("aws_iam_role.orb", true, true),
            ("aws_iam_role.orb-2", true, true),
            ("OrbRole", true, false),
            ("aws_iam_role.", true, false),
            ("a.b.c", true, false),
            ("", false, false),
        ] {
            assert_eq!(is_resource_id(id, terraform), ok, "{id} {terraform}");
        }
    }

    #[test]
    fn problems_point_at_their_value() {
        let dir = tempfile::tempdir().unwrap();
        let ps = problems(dir.path(), "selct = [\"ORB1\"]\n");
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].0, "selct");
        assert_eq!(ps[0].1, "unknown key `selct`: did you mean `select`?");

        let ps = problems(dir.path(), "select = \"ORB1\"\n");
        assert_eq!(ps[0].0, "\"ORB1\"");

        let text = r#"
select = ["ORB1", "XYZ"]
exclude = ["a/{b", ""]
orb_version = "2.0"
[severity]
ORB999 = "error"
ORB101 = "fatal"
[[deployment]]
config = "missing.json"
policies = ["p.json#Not-An-Id"]
[[suppress]]
paths = []
rules = ["NOPE"]
reason = " "
"#;
        let found: std::collections::BTreeSet<String> = problems(dir.path(), text)
            .into_iter()
            .map(|p| p.0)
            .collect();
        let expected = [
            "\"XYZ\"",
            "\"a/{b\"",
            "\"\"",
            "ORB999",
            "\"fatal\"",
            "\"2.0\"",
            "\"missing.json\"",
            "\"p.json#Not-An-Id\"",
            "[]",
            "\" \"",
            "\"NOPE\"",
        ];
        assert_eq!(found, expected.map(String::from).into_iter().collect());
    }

    #[test]
    fn discovery_stops_at_the_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("a/b")).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&repo.join("a/b")), None);
        std::fs::write(repo.join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&repo.join("a/b")), Some(repo.join(FILE_NAME)));
    }

    #[test]
    fn relative_display() {
        let root = Path::new("/r/sub");
        assert_eq!(
            &*display_relative(Path::new("/r/orb-scan.toml"), root),
            "../orb-scan.toml"
        );
        assert_eq!(
            &*display_relative(Path::new("/r/sub/x/y.json"), root),
            "x/y.json"
        );
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
