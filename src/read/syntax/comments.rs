//! Comment lexers for the formats that have comments, so suppression directives can be read before
//! (and independently of) a full reader. Each returns the byte span of every line comment, from its
//! `#` (or HCL's `//`) to the end of its line (line terminators excluded). JSON has no comments.

use crate::base::span::Span;

/// Comments in YAML text: a `#` at the start of a line or after a space or tab, outside quoted
/// scalars (which may span lines) and outside the content of block scalars (`|`, `>`), where a `#`
/// is text: a `UserData: |` script's `#!/bin/bash` is not a comment.
pub fn yaml(text: &str) -> Vec<Span> {
    let mut comments = Vec::new();
    let mut quote: Option<u8> = None;
    // The indentation of the line that opened a block scalar; deeper lines are its content.
    let mut block_parent: Option<usize> = None;
    for (start, line) in lines(text) {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(parent) = block_parent {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_parent = None;
        }
        let bytes = line.as_bytes();
        let mut code_end = line.len();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(b'"') => match b {
                    b'\\' => i += 1,
                    b'"' => quote = None,
                    _ => {}
                },
                Some(_) => {
                    if b == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 1;
                        } else {
                            quote = None;
                        }
                    }
                }
                None => {
                    if b == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')) {
                        comments.push(Span::new(start + i, start + line.len()));
                        code_end = i;
                        break;
                    }
                    if (b == b'"' || b == b'\'') && opens_quoted_scalar(&line[..i]) {
                        quote = Some(b);
                    }
                }
            }
            i += 1;
        }
        if quote.is_none() && ends_with_block_indicator(&line[..code_end]) {
            block_parent = Some(indent);
        }
    }
    comments
}

/// A quote starts a quoted scalar only where a scalar can start: at the start of a line, after an
/// indicator (`:`, `-`, `?`, `,`, `[`, `{`) or after a tag or anchor (`!Sub '...'`, `&a "..."`).
/// Elsewhere (`it's`, `a 'b'` inside a plain scalar) it is text.
fn opens_quoted_scalar(before: &str) -> bool {
    if before.ends_with(['[', '{', ',']) {
        return true;
    }
    if !before.is_empty() && !before.ends_with([' ', '\t']) {
        return false;
    }
    let trimmed = before.trim_end();
    let last_token = trimmed.rsplit([' ', '\t']).next().unwrap_or("");
    trimmed.is_empty()
        || trimmed.ends_with([':', '-', '?', ',', '[', '{'])
        || last_token.starts_with(['!', '&'])
}

/// `key: |`, `- >-`, `key: !Sub |2`: the line's last token is a block scalar header.
fn ends_with_block_indicator(code: &str) -> bool {
    let token = code.trim_end().rsplit([' ', '\t']).next().unwrap_or("");
    let mut chars = token.chars();
    matches!(chars.next(), Some('|' | '>'))
        && token.len() <= 3
        && chars.all(|c| c == '-' || c == '+' || c.is_ascii_digit())
}

/// Comments in TOML text: a `#` anywhere outside basic, literal and multi-line strings.
pub fn toml(text: &str) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                let end = line_end(text, i);
                comments.push(Span::new(i, end));
                i = end;
            }
            q @ (b'"' | b'\'') => {
                let triple = bytes.get(i..i + 3) == Some(&[q, q, q][..]);
                let escapes = q == b'"';
                i = if triple {
                    skip_string(bytes, i + 3, &[q, q, q], escapes)
                } else {
                    skip_string(bytes, i + 1, &[q], escapes)
                };
            }
            _ => i += 1,
        }
    }
    comments
}

/// The offset just past the closing delimiter (or the end of the text, or of the line for an
/// unterminated single-line string, which TOML forbids anyway).
fn skip_string(bytes: &[u8], mut i: usize, close: &[u8], escapes: bool) -> usize {
    let multiline = close.len() == 3;
    while i < bytes.len() {
        if escapes && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if !multiline && bytes[i] == b'\n' {
            return i;
        }
        if bytes[i..].starts_with(close) {
            // A multi-line string may end with up to two extra quotes: `""""` closes after the first.
            let mut end = i + close.len();
            while multiline && end < bytes.len() && bytes[end] == close[0] && end < i + 5 {
                end += 1;
            }
            return end;
        }
        i += 1;
    }
    bytes.len()
}

/// Line comments in HCL (Terraform) text: `#` or `//` outside quoted strings (whose `${...}`
/// interpolations hold expressions, and strings, of their own), heredocs and `/* */` comments.
pub fn hcl(text: &str) -> Vec<Span> {
    /// Where the lexer is: code (at the top, or inside an interpolation with its open braces), or
    /// a quoted string.
    enum Context {
        Code { braces: usize },
        Quoted,
    }
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut stack = vec![Context::Code { braces: 0 }];
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let rest = &bytes[i..];
        let nested = stack.len() > 1;
        match stack.last_mut() {
            Some(Context::Quoted) => {
                if b == b'\\' {
                    i += 2;
                    continue;
                }
                if rest.starts_with(b"$${") || rest.starts_with(b"%%{") {
                    i += 3;
                    continue;
                }
                if rest.starts_with(b"${") || rest.starts_with(b"%{") {
                    stack.push(Context::Code { braces: 0 });
                    i += 2;
                    continue;
                }
                if b == b'"' || b == b'\n' {
                    stack.pop();
                }
                i += 1;
            }
            Some(Context::Code { braces }) => {
                match b {
                    b'#' => {
                        let end = line_end(text, i);
                        comments.push(Span::new(i, end));
                        i = end;
                        continue;
                    }
                    b'/' if rest.starts_with(b"//") => {
                        let end = line_end(text, i);
                        comments.push(Span::new(i, end));
                        i = end;
                        continue;
                    }
                    b'/' if rest.starts_with(b"/*") => {
                        i = memchr::memmem::find(&bytes[i + 2..], b"*/")
                            .map_or(bytes.len(), |n| i + 2 + n + 2);
                        continue;
                    }
                    b'"' => stack.push(Context::Quoted),
                    b'<' if rest.starts_with(b"<<") => {
                        if let Some(end) = heredoc_end(text, i) {
                            i = end;
                            continue;
                        }
                    }
                    b'{' => *braces += 1,
                    b'}' if *braces == 0 && nested => {
                        stack.pop();
                    }
                    b'}' => *braces = braces.saturating_sub(1),
                    _ => {}
                }
                i += 1;
            }
            None => break,
        }
    }
    comments
}

/// The offset past a heredoc that starts at `at` (`<<EOT` or `<<-EOT`, then its lines until one
/// that is the delimiter alone), or `None` when `<<` does not start one.
fn heredoc_end(text: &str, at: usize) -> Option<usize> {
    let header = &text[at + 2..];
    let header = header.strip_prefix('-').unwrap_or(header);
    let name_len = header
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        .count();
    let name = &header[..name_len];
    let after = &header[name_len..];
    let after = after.strip_prefix('\r').unwrap_or(after);
    if name.is_empty() || !after.starts_with('\n') {
        return None;
    }
    let body_start = text.len() - after.len() + 1;
    for (start, line) in lines(&text[body_start..]) {
        if line.trim() == name {
            return Some(body_start + start + line.len());
        }
    }
    Some(text.len())
}

/// Each line with its start offset, without its terminator (`\n` or `\r\n`).
pub fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.split_inclusive('\n').map(move |raw| {
        let at = start;
        start += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        (at, line.strip_suffix('\r').unwrap_or(line))
    })
}

fn line_end(text: &str, from: usize) -> usize {
    let end = memchr::memchr(b'\n', &text.as_bytes()[from..]).map_or(text.len(), |n| from + n);
    if end > from && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a str, spans: &[Span]) -> Vec<&'a str> {
        spans.iter().map(|s| &text[s.range()]).collect()
    }

    #[test]
    fn yaml_comments_need_whitespace_before_the_hash() {
        let text = "# top\nkey: value # trailing\nurl: http://x/#frag\nk2: a#b\n\t# tabbed\r\n";
        assert_eq!(
            texts(text, &yaml(text)),
            ["# top", "# trailing", "# tabbed"]
        );
    }

    #[test]
    fn yaml_quoted_scalars_hide_hashes_even_across_lines() {
        let text = concat!(
            "a: \"x # not\" # yes1\n",
            "b: 'it''s # not' # yes2\n",
            "c: \"multi\n  line # not\n  end\" # yes3\n",
            "d: !Sub 'arn:${X} # not' # yes4\n",
            "e: [\"a # not\", 'b # not'] # yes5\n",
            "f: it's # yes6\n",
            "\"g # not\": 1 # yes7\n",
            "h: \"esc \\\" # not\" # yes8\n",
        );
        assert_eq!(
            texts(text, &yaml(text)),
            ["# yes1", "# yes2", "# yes3", "# yes4", "# yes5", "# yes6", "# yes7", "# yes8"]
        );
    }

    #[test]
    fn yaml_block_scalar_content_is_not_a_comment() {
        let text = concat!(
            "UserData: | # header comment\n",
            "  #!/bin/bash\n",
            "\n",
            "  echo hi # not a comment\n",
            "Next: 1 # yes\n",
            "- >-\n",
            "    # text\n",
            "# back at top\n",
        );
        assert_eq!(
            texts(text, &yaml(text)),
            ["# header comment", "# yes", "# back at top"]
        );
    }

    #[test]
    fn toml_comments_outside_every_string_kind() {
        let text = concat!(
            "a = \"x # not\" # c1\n",
            "b = 'y # not'# c2\n",
            "c = \"\"\"\nmulti # not\n\"\"\" # c3\n",
            "d = '''\n# not\n''' # c4\n",
            "e = \"esc \\\" # not\" # c5\r\n",
            "f = \"\"\"q\"\"\"\" # c6\n",
            "#c7",
        );
        assert_eq!(
            texts(text, &toml(text)),
            ["# c1", "# c2", "# c3", "# c4", "# c5", "# c6", "#c7"]
        );
    }

    #[test]
    fn hcl_comments_outside_strings_heredocs_and_block_comments() {
        let text = concat!(
            "a = \"x # not // not\" # c1\n",
            "b = \"${var.x == \"#\" ? \"}\" : \"//\"} # not\" // c2\n",
            "c = <<-EOT\n  # not\n  // not\n  EOT\n",
            "/* # not\n // not */ d = 1 # c3\n",
            "e = { f = 1 } # c4\n",
            "#c5",
        );
        assert_eq!(
            texts(text, &hcl(text)),
            ["# c1", "// c2", "# c3", "# c4", "#c5"]
        );
    }

    #[test]
    fn lexers_survive_unterminated_input() {
        for text in [
            "a: \"open # x",
            "a = \"\"\"open # x",
            "a = 'x\n# y",
            "\\",
            "'",
            "#",
        ] {
            let _ = yaml(text);
            let _ = toml(text);
            let _ = hcl(text);
        }
        assert_eq!(toml("a = 'x\n# y").len(), 1);
    }
}
