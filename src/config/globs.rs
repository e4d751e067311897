//! `.gitignore`-style globs for `orb-scan.toml` (`exclude`, `[[suppress]] paths`), as the `ignore`
//! crate reads them, at the cost of their text: a pull request can write a hundred thousand of
//! them, and a compiled regular expression each took 10 KB (982 MB for 100k).
//!
//! A glob is kept as its components; matching walks the components of a path with a table over
//! `**` (no backtracking across folders), and a component with `*` within it keeps one star to
//! return to. A glob with a component that is a plain name (`gen1/**/*.json`, `iam/`) is filed
//! under that name, and a path is tried only against the globs filed under its own components,
//! found by hash, and the globs with no plain component (`*.generated.json`); the last glob that
//! matches decides, as in a `.gitignore` (`!` turns a match back into "not matched").

use std::path::Path;

/// The longest glob, in characters: longer than any path, so it costs nothing a real one needs.
pub const MAX_GLOB_LEN: usize = 4096;

/// The most globs with no plain component (`*.generated.json`) one list may hold: each is tried on
/// every path the walk meets, so their number multiplies the walk's work; real lists hold a few.
pub const MAX_UNINDEXED: usize = 1_000;

#[derive(Clone, Debug)]
pub struct Globs {
    globs: Vec<Glob>,
    /// Globs by a component that is a plain name: a path can match one only if it has that name.
    by_name: crate::base::FastMap<String, Vec<u32>>,
    /// Globs with no plain component: tried on every path (identical ones once, the last).
    unindexed: Vec<u32>,
}

#[derive(Clone, Debug)]
struct Glob {
    negated: bool,
    dir_only: bool,
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq)]
enum Part {
    /// `**`: any number of folders; at the end (`dir/**`), one or more.
    AnyDepth,
    Name(Vec<Token>),
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Char(char),
    AnyChar,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Globs {
    /// Reads each line as `.gitignore` does; an error names the line's problem.
    pub fn new<'a>(lines: impl IntoIterator<Item = &'a str>) -> Result<Globs, (usize, String)> {
        let mut globs = Vec::new();
        // The line each glob comes from (`{a,b}` makes several of one).
        let mut line_of = Vec::new();
        for (i, line) in lines.into_iter().enumerate() {
            for one in alternatives(line).map_err(|e| (i, e))? {
                globs.push(parse(&one).map_err(|e| (i, e))?);
                line_of.push(i);
            }
        }
        let mut by_name: crate::base::FastMap<String, Vec<u32>> = crate::base::FastMap::default();
        let mut unindexed_by_glob: crate::base::FastMap<String, u32> =
            crate::base::FastMap::default();
        for (i, glob) in globs.iter().enumerate() {
            match glob.plain_name() {
                Some(name) => by_name.entry(name).or_default().push(i as u32),
                None => {
                    unindexed_by_glob.insert(format!("{glob:?}"), i as u32);
                }
            }
        }
        let mut unindexed: Vec<u32> = unindexed_by_glob.into_values().collect();
        unindexed.sort_unstable();
        if let Some(&past) = unindexed.get(MAX_UNINDEXED) {
            return Err((
                line_of[past as usize],
                format!("more than {MAX_UNINDEXED} globs name no plain folder or file (`dir/**`, `name.json`); each is tried on every path"),
            ));
        }
        Ok(Globs {
            globs,
            by_name,
            unindexed,
        })
    }

    /// Does `path` (relative to the globs' folder) match, as the last glob that matches says?
    pub fn matched(&self, path: &Path, is_dir: bool) -> bool {
        self.decided(path, is_dir).unwrap_or(false)
    }

    /// `matched` for the path, or else for the first of its folders, upwards, that a glob decides.
    pub fn matched_path_or_any_parents(&self, path: &Path, is_dir: bool) -> bool {
        if let Some(decided) = self.decided(path, is_dir) {
            return decided;
        }
        path.ancestors()
            .skip(1)
            .filter(|p| !p.as_os_str().is_empty())
            .find_map(|p| self.decided(p, true))
            .unwrap_or(false)
    }

    /// Whether some glob matches `path` at all, and if so whether the last one ignores it.
    fn decided(&self, path: &Path, is_dir: bool) -> Option<bool> {
        let names: Vec<String> = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut candidates = self.unindexed.clone();
        for name in &names {
            candidates.extend(self.by_name.get(*name).into_iter().flatten());
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .iter()
            .rev()
            .map(|&i| &self.globs[i as usize])
            .find(|g| (!g.dir_only || is_dir) && g.matches(&names))
            .map(|g| !g.negated)
    }
}

impl Glob {
    /// The first component that is a plain name, no wildcard in it: every path it matches has it.
    fn plain_name(&self) -> Option<String> {
        self.parts.iter().find_map(|part| match part {
            Part::Name(tokens) => tokens
                .iter()
                .map(|t| match t {
                    Token::Char(c) => Some(*c),
                    _ => None,
                })
                .collect(),
            Part::AnyDepth => None,
        })
    }

    /// Matches the components of a path, `**` by a table over (glob part, path component): linear
    /// in their product, whatever the number of `**`.
    fn matches(&self, names: &[&str]) -> bool {
        let parts = &self.parts;
        // reach[j]: the parts seen so far can match exactly the first `j` names.
        let mut reach = vec![false; names.len() + 1];
        reach[0] = true;
        for (k, part) in parts.iter().enumerate() {
            let last = k + 1 == parts.len();
            let mut next = vec![false; names.len() + 1];
            match part {
                Part::AnyDepth => {
                    let mut open = false;
                    for j in 0..=names.len() {
                        // At the end `**` takes one name or more; elsewhere, none or more.
                        if last {
                            next[j] = open;
                            open |= reach[j];
                        } else {
                            open |= reach[j];
                            next[j] = open;
                        }
                    }
                }
                Part::Name(tokens) => {
                    for j in 0..names.len() {
                        if reach[j] && name_matches(tokens, names[j]) {
                            next[j + 1] = true;
                        }
                    }
                }
            }
            reach = next;
        }
        reach[names.len()]
    }
}

/// One component against a glob without `/`: `*` matches any run of characters, resumed from the
/// last star (a wildcard match that never backtracks further than that).
fn name_matches(tokens: &[Token], name: &str) -> bool {
    let chars: Vec<char> = name.chars().collect();
    let (mut t, mut c) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;
    while c < chars.len() {
        match tokens.get(t) {
            Some(Token::Star) => {
                resume = Some((t, c));
                t += 1;
                continue;
            }
            Some(token) if token_matches(token, chars[c]) => {
                t += 1;
                c += 1;
                continue;
            }
            _ => {}
        }
        match resume {
            Some((star, from)) => {
                t = star + 1;
                c = from + 1;
                resume = Some((star, from + 1));
            }
            None => return false,
        }
    }
    tokens[t..].iter().all(|t| *t == Token::Star)
}

fn token_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Char(x) => *x == c,
        Token::AnyChar => true,
        Token::Star => false,
        Token::Class { negated, ranges } => {
            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
        }
    }
}

/// One `.gitignore` line: `!` negates, a trailing `/` matches folders only, a `/` at the start or
/// within anchors it to the folder (else it matches at any depth), `**` as a whole component is any
/// number of folders, `\` escapes, trailing spaces are dropped unless escaped.
fn parse(line: &str) -> Result<Glob, String> {
    if line.chars().count() > MAX_GLOB_LEN {
        return Err(format!("longer than {MAX_GLOB_LEN} characters"));
    }
    let mut text = trim_trailing_spaces(line);
    let negated = text.starts_with('!');
    if negated {
        text = &text[1..];
    }
    let dir_only = text.ends_with('/') && !text.ends_with("\\/");
    if dir_only {
        text = &text[..text.len() - 1];
    }
    let anchored = text.contains('/');
    let text = text.strip_prefix('/').unwrap_or(text);
    let mut parts = Vec::new();
    if !anchored {
        parts.push(Part::AnyDepth);
    }
    for component in text.split('/') {
        if component == "**" {
            if parts.last() != Some(&Part::AnyDepth) {
                parts.push(Part::AnyDepth);
            }
        } else {
            parts.push(Part::Name(tokens(component)?));
        }
    }
    Ok(Glob {
        negated,
        dir_only,
        parts,
    })
}

/// The most globs one line's `{a,b}` alternatives may stand for.
const MAX_ALTERNATIVES: usize = 256;

/// `{a,b}` alternatives (the `ignore` crate's extension of `.gitignore`), as the globs they stand
/// for: `*.{json,yaml}` is `*.json` and `*.yaml`. Not nested, and at most `MAX_ALTERNATIVES`.
fn alternatives(line: &str) -> Result<Vec<String>, String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    let mut class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next();
                for glob in &mut out {
                    glob.push('\\');
                    glob.extend(next);
                }
            }
            '[' if !class => {
                class = true;
                out.iter_mut().for_each(|g| g.push(c));
            }
            ']' if class => {
                class = false;
                out.iter_mut().for_each(|g| g.push(c));
            }
            '{' if !class => {
                let mut group = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some('{') => return Err("nested alternatives `{`".into()),
                        Some('\\') => {
                            group.push('\\');
                            group.extend(chars.next());
                        }
                        Some(c) => group.push(c),
                        None => return Err("an unclosed alternative `{`".into()),
                    }
                }
                // As the `ignore` crate reads them, an empty alternative stands for nothing.
                let mut options: Vec<&str> = group.split(',').filter(|o| !o.is_empty()).collect();
                if options.is_empty() {
                    options.push("");
                }
                if out.len() * options.len() > MAX_ALTERNATIVES {
                    return Err(format!("more than {MAX_ALTERNATIVES} alternatives"));
                }
                out = out
                    .iter()
                    .flat_map(|g| options.iter().map(move |o| format!("{g}{o}")))
                    .collect();
            }
            c => out.iter_mut().for_each(|g| g.push(c)),
        }
    }
    Ok(out)
}

fn trim_trailing_spaces(line: &str) -> &str {
    let trimmed = line.trim_end_matches(' ');
    if trimmed.ends_with('\\') && trimmed.len() < line.len() {
        // `\ ` keeps one space.
        &line[..trimmed.len() + 1]
    } else {
        trimmed
    }
}

fn tokens(component: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = component.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => Token::Char(chars.next().ok_or("a dangling `\\` escape")?),
            '?' => Token::AnyChar,
            '*' => {
                // `**` within a component is a `*`.
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
                Token::Star
            }
            '[' => {
                let negated = matches!(chars.peek(), Some('!' | '^'));
                if negated {
                    chars.next();
                }
                let mut ranges = Vec::new();
                let mut first = true;
                loop {
                    let c = chars.next().ok_or("an unclosed character class `[`")?;
                    if c == ']' && !first {
                        break;
                    }
                    first = false;
                    let lo = if c == '\\' {
                        chars.next().ok_or("a dangling `\\` escape")?
                    } else {
                        c
                    };
                    let mut ahead = chars.clone();
                    if ahead.next() == Some('-') && ahead.peek().is_some_and(|&n| n != ']') {
                        chars.next();
                        let hi = chars.next().ok_or("an unclosed character class `[`")?;
                        if hi < lo {
                            return Err(format!("an invalid range `{lo}-{hi}`"));
                        }
                        ranges.push((lo, hi));
                    } else {
                        ranges.push((lo, lo));
                    }
                }
                Token::Class { negated, ranges }
            }
            c => Token::Char(c),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ignore::gitignore::GitignoreBuilder;

    /// The same answers as the `ignore` crate's `.gitignore` reader, which these globs replace, on
    /// every glob × path × kind below.
    #[test]
    fn agrees_with_the_ignore_crate() {
        let globs = [
            "iam/",
            "*_templates.json",
            "testdata/",
            "*.generated.json",
            "/top.json",
            "a/b",
            "a/**/z.json",
            "**/deep",
            "dir/**",
            "!keep.json",
            "k*.json",
            "x?z",
            "[abc].json",
            "[!a-c]x.json",
            "c[a-b-]t",
            "gen1/**/*.json",
            "*gen2*",
            "**",
            "a/*/c",
            "\\!bang",
            "trail\\ ",
            "sp   ",
            "a**b",
            "**/x/**/y",
            "nested/dir/",
            "*.{json,yaml}",
            "{iam,cfn}/",
            "x{,y}z",
        ];
        let paths = [
            "iam",
            "iam/p.json",
            "x/iam",
            "aws_templates.json",
            "config/aws_templates.json",
            "testdata",
            "testdata/x/a.json",
            "a/b.generated.json",
            "a/b.json",
            "top.json",
            "sub/top.json",
            "a/b",
            "x/a/b",
            "a/z.json",
            "a/m/n/z.json",
            "deep",
            "q/deep",
            "dir",
            "dir/f",
            "dir/g/h",
            "keep.json",
            "kx.json",
            "xyz",
            "x/z",
            "a.json",
            "d.json",
            "ax.json",
            "dx.json",
            "cat",
            "c-t",
            "gen1/a/b.json",
            "gen1/b.json",
            "x/gen2y",
            "a/q/c",
            "a/q/r/c",
            "!bang",
            "trail ",
            "sp",
            "aXYb",
            "x/y",
            "x/m/y",
            "q/x/y",
            "nested/dir",
            "nested/dir/f",
            "é/ü.json",
            "p.yaml",
            "cfn/t.yaml",
            "xyz",
            "xz",
        ];
        for glob in globs {
            let ours = Globs::new([glob]).unwrap();
            let mut builder = GitignoreBuilder::new("/r");
            builder.add_line(None, glob).unwrap();
            let theirs = builder.build().unwrap();
            for path in paths {
                for is_dir in [false, true] {
                    let p = Path::new(path);
                    assert_eq!(
                        ours.matched(p, is_dir),
                        theirs.matched(p, is_dir).is_ignore(),
                        "glob {glob:?}, path {path:?}, folder {is_dir}"
                    );
                    assert_eq!(
                        ours.matched_path_or_any_parents(p, is_dir),
                        theirs.matched_path_or_any_parents(p, is_dir).is_ignore(),
                        "glob {glob:?}, path {path:?} or a parent, folder {is_dir}"
                    );
                }
            }
        }
        // The last glob that matches decides.
        let both = Globs::new(["*.json", "!keep.json", "iam/"]).unwrap();
        assert!(both.matched(Path::new("a.json"), false));
        assert!(!both.matched(Path::new("keep.json"), false));
        assert!(both.matched(Path::new("iam"), true));
    }

    #[test]
    fn bad_globs_say_why() {
        assert!(Globs::new(["a\\"]).unwrap_err().1.contains("dangling"));
        assert!(Globs::new(["[ab"]).unwrap_err().1.contains("unclosed"));
        assert!(Globs::new(["a/{b"]).unwrap_err().1.contains("unclosed"));
        assert!(Globs::new(["{a,{b}}"]).unwrap_err().1.contains("nested"));
        let many = "{a,b}".repeat(9);
        assert!(Globs::new([many.as_str()])
            .unwrap_err()
            .1
            .contains("alternatives"));
        let long = "a".repeat(MAX_GLOB_LEN + 1);
        assert!(Globs::new([long.as_str()])
            .unwrap_err()
            .1
            .contains("longer"));
    }

    /// A hundred thousand globs hold about their text, and a path is tried against the few filed
    /// under its names.
    #[test]
    fn many_globs_are_cheap() {
        let lines: Vec<String> = (0..100_000).map(|i| format!("gen{i}/**/*.json")).collect();
        let globs = Globs::new(lines.iter().map(String::as_str)).unwrap();
        assert!(globs.matched(Path::new("gen99999/a/b.json"), false));
        assert!(!globs.matched(Path::new("gen100000/a/b.json"), false));
        assert!(!globs.matched(Path::new("other/a.json"), false));
    }
}
