#![forbid(unsafe_code)]
//! The command line: argument parsing and exit codes only; everything else is in the library.

use clap::{Args, Parser, Subcommand, ValueEnum};
use orb_scan::base::diagnostic::file_path;
use orb_scan::base::diagnostic::Severity;
use orb_scan::config::settings::{self, ConfigError, Settings};
use orb_scan::model::deploy::Workspace;
use orb_scan::report::github::ChangedFiles;
use orb_scan::report::write::{write_file, write_with, Expect};
use orb_scan::report::{
    concise, escape_text, github, human, inventory, json, needs, policy, rule_docs, sarif, Report,
};
use orb_scan::{read::walk, registry, ScanOptions};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use termcolor::{BufferedStandardStream, ColorChoice, NoColor, StandardStream, WriteColor};

#[derive(Parser)]
#[command(
    name = "orb-scan",
    version = orb_scan::version(),
    about = "Cross-checks Open Resource Broker configs against the IAM policies that deploy them",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    scan: ScanArgs,
}

#[derive(Subcommand)]
enum Command {
    /// List every document found and the policies each deployment is checked against.
    Inventory(ScanArgs),
    /// List every rule.
    Rules,
    /// Show one rule's documentation.
    Rule { code: String },
    /// Print the least-privilege IAM policy the deployments need.
    Policy(PolicyArgs),
    /// List every permission each template needs: action, resource, severity, rule and cause.
    Needs(NeedsArgs),
}

/// What to read: shared by every command that scans.
#[derive(Args, Clone)]
struct InputArgs {
    /// Files or folders to scan (`-` reads one file from standard input).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Skip files larger than this many bytes (ORB902).
    #[arg(long, default_value_t = walk::DEFAULT_MAX_FILESIZE)]
    max_filesize: u64,
    /// The name to show for standard input with `-`.
    #[arg(long)]
    stdin_filename: Option<String>,
    /// Read settings from FILE instead of the nearest orb-scan.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore every orb-scan.toml.
    #[arg(long)]
    isolated: bool,
}

#[derive(Args, Clone)]
struct PolicyArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Only this deployment: its config file, or its template file when it has no config (see `inventory`).
    #[arg(long)]
    deployment: Option<String>,
    #[arg(long, value_enum, default_value_t = PolicyFormat::Json)]
    format: PolicyFormat,
}

#[derive(Args, Clone)]
struct NeedsArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Only this deployment: its config file, or its template file when it has no config (see `inventory`).
    #[arg(long)]
    deployment: Option<String>,
    #[arg(long, value_enum, default_value_t = NeedsFormat::Human)]
    format: NeedsFormat,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum NeedsFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum PolicyFormat {
    Json,
    Cloudformation,
    /// A Terraform `data "aws_iam_policy_document"`.
    Terraform,
}

#[derive(Args, Clone)]
struct ScanArgs {
    #[command(flatten)]
    input: InputArgs,
    /// How to print the report (`auto`, the default, is `human`; README: "Machine formats").
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    format: Format,
    /// Colour in the human and concise formats.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// Exit 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Only these codes or prefixes (`ORB1`, `ORB105`); comma-separated or repeated.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Skip these codes or prefixes.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Add missing actions to the policy that was checked, keeping its formatting; then report what is left.
    #[arg(long)]
    fix: bool,
    /// Show what --fix would change, as a unified diff, without writing (exit 1 when it would change something).
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// With --format github: the files a pull request changed, one per line or NUL-terminated
    /// (`git diff --name-only -z`); a finding is annotated at its first place in a changed file.
    #[arg(long, value_name = "FILE")]
    changed_files: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// The default: `human`, on a terminal or not.
    Auto,
    /// Each finding with the lines it points at, its notes and help.
    Human,
    /// One line per finding: `path:line:column: severity[CODE] message`.
    Concise,
    /// JSON, schema version 1 (DESIGN.md section 5).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands: annotations on a pull request.
    Github,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ColorArg {
    /// Colour on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it.
    Auto,
    /// Colour, even into a pipe (a file given with -o never has colour).
    Always,
    /// No colour.
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
}

/// A closed pipe (`orb-scan ... | head`) is the reader's choice, not an error.
fn written(result: std::io::Result<()>) -> Result<(), String> {
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write output: {e}"))
        }
        _ => Ok(()),
    }
}

/// Why mimalloc: see its entry in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        None => scan(&cli.scan),
        Some(Command::Inventory(args)) => inventory_cmd(&args),
        Some(Command::Rules) => list_rules(),
        Some(Command::Rule { code }) => show_rule(&code),
        Some(Command::Policy(args)) => policy_cmd(&args),
        Some(Command::Needs(args)) => needs_cmd(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            // Messages name files and quote arguments: shown like every other name.
            eprintln!("orb-scan: error: {}", escape_text(&message));
            ExitCode::from(2)
        }
    }
}

fn check_codes(args: &ScanArgs) -> Result<(), String> {
    for code in args.select.iter().chain(&args.ignore) {
        if !orb_scan::registry::is_code_pattern(code) {
            return Err(format!(
                "`{code}` matches no rule code (see `orb-scan rules`)"
            ));
        }
    }
    Ok(())
}

fn options(args: &InputArgs, keep_text: bool) -> Result<ScanOptions, String> {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && args.paths.len() > 1 {
        return Err("`-` (standard input) cannot be combined with other paths".into());
    }
    for p in &args.paths {
        if !stdin && std::fs::symlink_metadata(p).is_err() {
            return Err(format!("{}: no such file or folder", shown(p)));
        }
    }
    let root = match args.paths.as_slice() {
        [one] if one.is_dir() => one.clone(),
        _ => PathBuf::from("."),
    };
    let threads = thread_count(args.threads);
    Ok(ScanOptions {
        paths: args.paths.clone(),
        root,
        walk: walk::WalkOptions {
            max_filesize: args.max_filesize,
            threads,
            exclude: None,
        },
        stdin_name: stdin.then(|| {
            args.stdin_filename
                .clone()
                .unwrap_or_else(|| "<stdin>".into())
        }),
        keep_text,
    })
}

/// `--color`, then `NO_COLOR` (wins), then `CLICOLOR_FORCE`, then whether the stream is a terminal.
fn color_choice(arg: ColorArg, is_terminal: bool) -> ColorChoice {
    let env = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty() && v != "0");
    match arg {
        ColorArg::Always => ColorChoice::Always,
        ColorArg::Never => ColorChoice::Never,
        ColorArg::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => {
            ColorChoice::Never
        }
        ColorArg::Auto if env("CLICOLOR_FORCE") => ColorChoice::Always,
        ColorArg::Auto if is_terminal => ColorChoice::Auto,
        ColorArg::Auto => ColorChoice::Never,
    }
}

/// Reads orb-scan.toml as the flags say. A broken file is reported like diagnostics (on standard
/// error, and as workflow commands when `annotate`) and nothing is scanned.
fn load_settings(
    input: &InputArgs,
    root: &Path,
    annotate: bool,
    color: ColorArg,
) -> Result<Settings, String> {
    let source = match (&input.config, input.isolated) {
        (_, true) => settings::Source::Isolated,
        (Some(file), false) => settings::Source::File(file.clone()),
        (None, false) => settings::Source::Discover,
    };
    match settings::load(&source, root) {
        Ok(s) => Ok(s),
        Err(ConfigError::Unreadable(message)) => Err(message),
        Err(ConfigError::Invalid {
            file,
            text,
            problems,
        }) => {
            // Shown from the current folder, as every report is (`Report::under`).
            let Report {
                diagnostics: problems,
                sources,
                ..
            } = Report {
                diagnostics: problems,
                sources: BTreeMap::from([(file.clone(), text.into())]),
                scopes: Vec::new(),
                summary: Default::default(),
            }
            .under(root);
            let file = problems.first().map_or(file, |p| p.file.clone());
            if annotate {
                written(github::emit(
                    &problems,
                    &sources,
                    &ChangedFiles::default(),
                    &mut std::io::stdout().lock(),
                ))?;
            }
            let mut err =
                StandardStream::stderr(color_choice(color, std::io::stderr().is_terminal()));
            written(human::emit(&problems, &sources, &mut err))?;
            Err(format!(
                "{file} is not valid ({} problem{}); nothing was scanned",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            ))
        }
    }
}

/// Options, settings and the collected workspace for a command that scans.
fn workspace(
    input: &InputArgs,
    annotate: bool,
    color: ColorArg,
    keep_text: bool,
) -> Result<(ScanOptions, Settings, Workspace), String> {
    let opts = options(input, keep_text)?;
    let settings = load_settings(input, &opts.root, annotate, color)?;
    let ws = orb_scan::collect_with(&opts, settings.clone());
    Ok((opts, settings, ws))
}

/// `-j`, or one thread per core.
fn thread_count(requested: Option<usize>) -> usize {
    requested
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .max(1)
}

/// How a report is written: what `render` needs beside the report.
struct Layout<'a> {
    format: Format,
    threads: usize,
    changed: &'a ChangedFiles,
}

fn render<W: WriteColor>(layout: &Layout, report: &Report, out: &mut W) -> std::io::Result<()> {
    match layout.format {
        Format::Json => json::render(report, out),
        Format::Concise => concise::render(report, out),
        Format::Sarif => sarif::render(report, &settings::absolute(Path::new(".")), out),
        Format::Github => github::render(report, layout.changed, out),
        Format::Human | Format::Auto => human::render(report, layout.threads, out),
    }
}

/// Inside GitHub Actions the runner reads standard output for workflow commands. Output that
/// quotes scanned files line by line (human, concise, the inventory, `--diff`) is fenced with
/// `::stop-commands::` so none of it is taken as a command. `--format github` is commands on
/// purpose; JSON and SARIF need no fence: every string in them is quoted, so no line of theirs can
/// start with `::`. Output redirected to a file is not read by the runner and stays unfenced.
fn needs_command_fence(format: Format) -> bool {
    under_actions()
        && !matches!(format, Format::Github | Format::Sarif | Format::Json)
        && !stdout_is_file()
}

fn under_actions() -> bool {
    std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true")
}

/// Writes `body` to standard output between `::stop-commands::` and the token's own end, when
/// `fence` says the runner would read it.
fn fenced<W: Write>(
    out: &mut W,
    fence: bool,
    body: impl FnOnce(&mut W) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let token = fence.then(github::stop_commands_token);
    if let Some(token) = &token {
        writeln!(out, "::stop-commands::{token}")?;
    }
    body(out)?;
    if let Some(token) = &token {
        writeln!(out, "::{token}::")?;
    }
    Ok(())
}

/// A path from the command line or the file system as every message shows it
/// (`diagnostic::file_path`, then `report::escape_text`).
fn shown(path: &Path) -> String {
    escape_text(&file_path([path.as_os_str()]))
}

fn stdout_is_file() -> bool {
    #[cfg(unix)]
    let handle = {
        use std::os::fd::AsFd;
        std::io::stdout().as_fd().try_clone_to_owned()
    };
    #[cfg(windows)]
    let handle = {
        use std::os::windows::io::AsHandle;
        std::io::stdout().as_handle().try_clone_to_owned()
    };
    handle
        .map(std::fs::File::from)
        .and_then(|f| f.metadata())
        .is_ok_and(|m| m.is_file())
}

/// `-o` goes through the one way orb-scan writes a file (`write::write_file`), bounded by the
/// current folder, where a workflow checks the repository out.
fn write_report(args: &ScanArgs, changed: &ChangedFiles, report: &Report) -> Result<(), String> {
    let layout = Layout {
        format: args.format,
        threads: thread_count(args.input.threads),
        changed,
    };
    match &args.output {
        Some(path) => write_with(path, Expect::Anything, Path::new("."), |out| {
            render(&layout, report, &mut NoColor::new(out))
        })
        .map_err(|e| format!("{}: not written: {e}", shown(path))),
        None => written(write_stdout(args, &layout, report)),
    }
}

/// Buffered: a write per block of output instead of one per line (the corpus's report: 41, not 4,668).
fn write_stdout(args: &ScanArgs, layout: &Layout, report: &Report) -> std::io::Result<()> {
    let color = color_choice(args.color, std::io::stdout().is_terminal());
    let mut out = BufferedStandardStream::stdout(color);
    fenced(&mut out, needs_command_fence(args.format), |out| {
        render(layout, report, out)
    })?;
    out.flush()
}

/// The largest `--changed-files` list read: far beyond any pull request's file names.
const MAX_CHANGED_FILES_BYTES: u64 = 16 << 20;

fn changed_files(args: &ScanArgs) -> Result<ChangedFiles, String> {
    let Some(path) = &args.changed_files else {
        return Ok(ChangedFiles::default());
    };
    if args.format != Format::Github {
        return Err("--changed-files places annotations: it needs --format github".into());
    }
    let cannot = |e: std::io::Error| format!("{}: cannot read: {e}", path.display());
    let mut list = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CHANGED_FILES_BYTES + 1).read_to_end(&mut list))
        .map_err(cannot)?;
    if list.len() as u64 > MAX_CHANGED_FILES_BYTES {
        return Err(format!(
            "{}: over {MAX_CHANGED_FILES_BYTES} bytes, not a list of changed files",
            path.display()
        ));
    }
    Ok(ChangedFiles::parse(&list))
}

fn scan(args: &ScanArgs) -> Result<u8, String> {
    check_codes(args)?;
    let changed = changed_files(args)?;
    let annotate = args.format == Format::Github;
    // `--fix` edits the text of the files it fixes.
    let keep_text = args.fix || args.diff;
    let (opts, settings, mut ws) = workspace(&args.input, annotate, args.color, keep_text)?;
    if args.fix || args.diff {
        if opts.stdin_name.is_some() {
            return Err("--fix and --diff need files, not standard input".into());
        }
        let changed = fix(&opts, &ws, args.diff)?;
        if args.diff {
            return Ok(u8::from(changed));
        }
        if changed {
            ws = orb_scan::collect_with(&opts, settings);
        }
    }
    // Every format shows paths from the current folder (`Report::under`).
    let report = orb_scan::check(&ws, &args.select, &args.ignore).under(&opts.root);
    write_report(args, &changed, &report)?;
    // The process exits next: the OS takes back the workspace (every parsed tree) at once, where
    // dropping it would free its allocations one by one, a tenth of a run on the shared corpus.
    std::mem::forget(ws);
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Note => Severity::Note,
    };
    Ok(u8::from(report.worst().is_some_and(|w| w >= threshold)))
}

/// Applies (or, with `diff`, prints) the fix plan; says whether anything changes. Every file is
/// written the one way (`write::write_file`): only if it still holds what the scan read, never
/// through a link, bounded by the scan root. Names on standard error and in diff headers are
/// escaped, and the diff is fenced from the Actions runner.
fn fix(
    opts: &ScanOptions,
    ws: &orb_scan::model::deploy::Workspace,
    diff: bool,
) -> Result<bool, String> {
    let model = orb_scan::model::deploy::build(ws);
    let plan = orb_scan::fix::plan(&model);
    for (file, whys) in &plan.skipped {
        for why in whys {
            eprintln!("orb-scan: {}: {}", escape_text(file), escape_text(why));
        }
    }
    for file in &plan.ambiguous {
        eprintln!(
            "orb-scan: {}: ORB's principal is ambiguous, and --fix does not choose which candidate to widen: pin it with [[deployment]] in orb-scan.toml",
            escape_text(file)
        );
    }
    let mut changed = false;
    let mut diffs = Vec::new();
    let mut not_fixed = 0;
    for (file, edits) in &plan.edits {
        let before = &ws.sources[file];
        let after = orb_scan::fix::apply(before, edits);
        if after == **before {
            continue;
        }
        changed = true;
        let name = escape_text(file);
        if diff {
            let text = similar::TextDiff::from_lines(before.as_str(), after.as_str())
                .unified_diff()
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string();
            diffs.push(text);
            continue;
        }
        let path = opts.root.join(orb_scan::base::diagnostic::path_of(file));
        match write_file(
            &path,
            after.as_bytes(),
            Expect::Holds(before.as_bytes()),
            &opts.root,
        ) {
            Ok(()) => eprintln!("orb-scan: fixed {name}"),
            Err(why) => {
                eprintln!("orb-scan: {name}: not fixed: {why}");
                not_fixed += 1;
            }
        }
    }
    if not_fixed > 0 {
        return Err(format!(
            "{not_fixed} file{} not fixed",
            if not_fixed == 1 { "" } else { "s" }
        ));
    }
    if !diffs.is_empty() {
        let mut out = std::io::stdout().lock();
        let fence = under_actions() && !stdout_is_file();
        written(fenced(&mut out, fence, |out| {
            diffs.iter().try_for_each(|d| out.write_all(d.as_bytes()))
        }))?;
    }
    Ok(changed)
}

fn inventory_cmd(args: &ScanArgs) -> Result<u8, String> {
    // The inventory shows where every document is.
    let (_, _, ws) = workspace(&args.input, false, args.color, true)?;
    let model = orb_scan::model::deploy::build(&ws);
    let mut out = std::io::stdout().lock();
    let result = match args.format {
        Format::Json => inventory::render_json(&model, &mut out),
        _ => fenced(&mut out, under_actions() && !stdout_is_file(), |out| {
            inventory::render_human(&model, out)
        }),
    };
    written(result)?;
    Ok(0)
}

fn list_rules() -> Result<u8, String> {
    let mut out = std::io::stdout().lock();
    for r in registry::RULES {
        let line = format!(
            "{}  {:<36} {:<8} {}",
            r.code,
            r.name,
            r.severity.as_str(),
            r.summary
        );
        written(writeln!(out, "{line}"))?;
    }
    Ok(0)
}

fn show_rule(code: &str) -> Result<u8, String> {
    let rule =
        registry::lookup(code).ok_or_else(|| format!("no rule `{code}` (see `orb-scan rules`)"))?;
    written(
        std::io::stdout()
            .lock()
            .write_all(rule_docs::page(rule).as_bytes()),
    )?;
    Ok(0)
}

/// The deployments `--deployment` names (all when absent); an error lists the names there are.
fn chosen_deployments<'m, 'a>(
    model: &'m orb_scan::model::deploy::Model<'a>,
    name: Option<&str>,
) -> Result<Vec<&'m orb_scan::model::deploy::Deployment<'a>>, String> {
    let Some(name) = name else {
        return Ok(model.deployments.iter().collect());
    };
    let found: Vec<_> = model
        .deployments
        .iter()
        .filter(|d| d.file().as_ref() == name)
        .collect();
    if found.is_empty() {
        let names: Vec<&str> = model
            .deployments
            .iter()
            .map(|d| d.file().as_ref())
            .collect();
        return Err(format!(
            "no deployment `{name}`; deployments: {}",
            names.join(", ")
        ));
    }
    Ok(found)
}

fn needs_cmd(args: &NeedsArgs) -> Result<u8, String> {
    // Spans become lines and columns: keep every text.
    let (_, _, ws) = workspace(&args.input, false, ColorArg::Auto, true)?;
    let model = orb_scan::model::deploy::build(&ws);
    let chosen = chosen_deployments(&model, args.deployment.as_deref())?;
    let mut out = std::io::stdout().lock();
    let result = match args.format {
        NeedsFormat::Json => needs::render_json(&model, &chosen, &mut out),
        NeedsFormat::Human => needs::render_human(&model, &chosen, &mut out),
    };
    written(result)?;
    Ok(0)
}

fn policy_cmd(args: &PolicyArgs) -> Result<u8, String> {
    let (_, _, ws) = workspace(&args.input, false, ColorArg::Auto, false)?;
    let model = orb_scan::model::deploy::build(&ws);
    let chosen = chosen_deployments(&model, args.deployment.as_deref())?;
    if chosen.is_empty() {
        return Err("no ORB deployment found: nothing to write a policy for".into());
    }
    let names: Vec<String> = chosen.iter().map(|d| escape_text(d.file())).collect();
    if chosen.len() > 1 {
        eprintln!(
            "orb-scan: one policy for {} deployments: {}",
            chosen.len(),
            names.join(", ")
        );
    }
    let statements = orb_scan::model::generate::least_privilege(&chosen);
    if statements.is_empty() {
        eprintln!("orb-scan: no template ORB would accept, so nothing is needed (see `orb-scan .` for why)");
    }
    let mut out = std::io::stdout().lock();
    let result = match args.format {
        PolicyFormat::Json => policy::render_json(&statements, &mut out),
        PolicyFormat::Cloudformation | PolicyFormat::Terraform => {
            let description = format!(
                "Least-privilege policy for Open Resource Broker ({}), written by orb-scan {}",
                names.join(", "),
                env!("CARGO_PKG_VERSION")
            );
            if args.format == PolicyFormat::Terraform {
                policy::render_terraform(&statements, &description, &mut out)
            } else {
                policy::render_cloudformation(&statements, &description, &mut out)
            }
        }
    };
    written(result)?;
    Ok(0)
}
