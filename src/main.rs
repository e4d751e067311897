#![forbid(unsafe_code)]
//! The command line: argument parsing and exit codes only; everything else is in the library.

use clap::{Args, Parser, Subcommand, ValueEnum};
use orb_scan::diagnostic::Severity;
use orb_scan::report::{concise, human, inventory, json, policy};
use orb_scan::{rules, walk, ScanOptions};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use termcolor::{ColorChoice, StandardStream};

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

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum PolicyFormat {
    Json,
    Cloudformation,
}

#[derive(Args, Clone)]
struct ScanArgs {
    #[command(flatten)]
    input: InputArgs,
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    format: Format,
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
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Auto,
    Human,
    Concise,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ColorArg {
    Auto,
    Always,
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
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("orb-scan: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn check_codes(args: &ScanArgs) -> Result<(), String> {
    for code in args.select.iter().chain(&args.ignore) {
        let c = code.trim().to_ascii_uppercase();
        if c != "ALL" && !rules::RULES.iter().any(|r| r.code.starts_with(&c)) {
            return Err(format!(
                "`{code}` matches no rule code (see `orb-scan rules`)"
            ));
        }
    }
    Ok(())
}

fn options(args: &InputArgs) -> Result<ScanOptions, String> {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && args.paths.len() > 1 {
        return Err("`-` (standard input) cannot be combined with other paths".into());
    }
    for p in &args.paths {
        if !stdin && std::fs::symlink_metadata(p).is_err() {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    let root = match args.paths.as_slice() {
        [one] if one.is_dir() => one.clone(),
        _ => PathBuf::from("."),
    };
    let threads = args
        .threads
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
        .max(1);
    Ok(ScanOptions {
        paths: args.paths.clone(),
        root,
        walk: walk::WalkOptions {
            max_filesize: args.max_filesize,
            threads,
        },
        stdin_name: stdin.then(|| {
            args.stdin_filename
                .clone()
                .unwrap_or_else(|| "<stdin>".into())
        }),
    })
}

fn color_choice(arg: ColorArg) -> ColorChoice {
    let env = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty() && v != "0");
    match arg {
        ColorArg::Always => ColorChoice::Always,
        ColorArg::Never => ColorChoice::Never,
        ColorArg::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => {
            ColorChoice::Never
        }
        ColorArg::Auto if env("CLICOLOR_FORCE") => ColorChoice::Always,
        ColorArg::Auto if std::io::stdout().is_terminal() => ColorChoice::Auto,
        ColorArg::Auto => ColorChoice::Never,
    }
}

fn scan(args: &ScanArgs) -> Result<u8, String> {
    check_codes(args)?;
    let opts = options(&args.input)?;
    let mut ws = orb_scan::collect(&opts);
    if args.fix || args.diff {
        if opts.stdin_name.is_some() {
            return Err("--fix and --diff need files, not standard input".into());
        }
        let changed = fix(&opts, &ws, args.diff)?;
        if args.diff {
            return Ok(u8::from(changed));
        }
        if changed {
            ws = orb_scan::collect(&opts);
        }
    }
    let report = orb_scan::check(&ws, &args.select, &args.ignore);
    written(match args.format {
        Format::Json => json::render(&report, &mut std::io::stdout().lock()),
        Format::Concise => concise::render(&report, &mut std::io::stdout().lock()),
        Format::Human | Format::Auto => {
            let mut out = StandardStream::stdout(color_choice(args.color));
            human::render(&report, &mut out).and_then(|()| out.flush())
        }
    })?;
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Note => Severity::Note,
    };
    Ok(u8::from(report.worst().is_some_and(|w| w >= threshold)))
}

/// Applies (or, with `diff`, prints) the fix plan; says whether anything changes.
fn fix(opts: &ScanOptions, ws: &orb_scan::deploy::Workspace, diff: bool) -> Result<bool, String> {
    let model = orb_scan::deploy::build(ws);
    let plan = orb_scan::fix::plan(&model);
    for file in &plan.skipped {
        eprintln!("orb-scan: {file}: --fix cannot edit this file yet; add the actions by hand");
    }
    let mut changed = false;
    let mut out = std::io::stdout().lock();
    for (file, edits) in &plan.edits {
        let before = &ws.sources[file];
        let after = orb_scan::fix::apply(before, edits);
        if &after == before {
            continue;
        }
        changed = true;
        if diff {
            let text = similar::TextDiff::from_lines(before.as_str(), after.as_str())
                .unified_diff()
                .header(&format!("a/{file}"), &format!("b/{file}"))
                .to_string();
            written(out.write_all(text.as_bytes()))?;
        } else {
            let path = opts.root.join(file.as_ref());
            std::fs::write(&path, after)
                .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
            eprintln!("orb-scan: fixed {file}");
        }
    }
    Ok(changed)
}

fn inventory_cmd(args: &ScanArgs) -> Result<u8, String> {
    let opts = options(&args.input)?;
    let ws = orb_scan::collect(&opts);
    let model = orb_scan::deploy::build(&ws);
    let mut out = std::io::stdout().lock();
    let result = match args.format {
        Format::Json => inventory::render_json(&model, &mut out),
        _ => inventory::render_human(&model, &mut out),
    };
    written(result)?;
    Ok(0)
}

fn list_rules() -> Result<u8, String> {
    let mut out = std::io::stdout().lock();
    for r in rules::RULES {
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
        rules::lookup(code).ok_or_else(|| format!("no rule `{code}` (see `orb-scan rules`)"))?;
    println!(
        "# {} {}\n\nDefault severity: {}. {}\n\n{}",
        rule.code,
        rule.name,
        rule.severity.as_str(),
        rule.summary,
        rule.doc
    );
    Ok(0)
}

fn policy_cmd(args: &PolicyArgs) -> Result<u8, String> {
    let opts = options(&args.input)?;
    let ws = orb_scan::collect(&opts);
    let model = orb_scan::deploy::build(&ws);
    let chosen: Vec<&orb_scan::deploy::Deployment> = match &args.deployment {
        Some(name) => {
            let found: Vec<_> = model
                .deployments
                .iter()
                .filter(|d| d.file().as_ref() == name.as_str())
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
            found
        }
        None => model.deployments.iter().collect(),
    };
    if chosen.is_empty() {
        return Err("no ORB deployment found: nothing to write a policy for".into());
    }
    let names: Vec<&str> = chosen.iter().map(|d| d.file().as_ref()).collect();
    if chosen.len() > 1 {
        eprintln!(
            "orb-scan: one policy for {} deployments: {}",
            chosen.len(),
            names.join(", ")
        );
    }
    let statements = orb_scan::generate::least_privilege(&chosen);
    if statements.is_empty() {
        eprintln!("orb-scan: no template ORB would accept, so nothing is needed (see `orb-scan .` for why)");
    }
    let mut out = std::io::stdout().lock();
    let result = match args.format {
        PolicyFormat::Json => policy::render_json(&statements, &mut out),
        PolicyFormat::Cloudformation => {
            let description = format!(
                "Least-privilege policy for Open Resource Broker ({}), written by orb-scan {}",
                names.join(", "),
                env!("CARGO_PKG_VERSION")
            );
            policy::render_cloudformation(&statements, &description, &mut out)
        }
    };
    written(result)?;
    Ok(0)
}
