//! Byte spans and the offset → line/column index used only when rendering.

use serde::Serialize;

/// A half-open byte range into one file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A 1-based line and column; columns count Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

/// Line starts of one file, so positions are computed from byte offsets on demand.
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// `(offset, characters before it)` every `CHECKPOINT` bytes, built on the first column asked
    /// for far into a line: columns on a minified one-line file cost a short count each, not a
    /// count from the start of the file.
    checkpoints: std::sync::OnceLock<Vec<(usize, usize)>>,
}

const CHECKPOINT: usize = 4096;

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex {
            text,
            line_starts,
            checkpoints: std::sync::OnceLock::new(),
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.line(offset);
        let start = self.line_starts[line];
        let column = if offset - start <= CHECKPOINT {
            self.text[start..offset].chars().count()
        } else {
            self.chars_before(offset) - self.chars_before(start)
        };
        Position {
            line: line + 1,
            column: column + 1,
            offset,
        }
    }

    /// The 0-based line that holds `offset`; offsets past the end are on the last line.
    pub fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// The bytes of 0-based `line`, with its line break; `None` past the last line.
    pub fn line_range(&self, line: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts.get(line)?;
        let end = self.line_starts.get(line + 1).copied();
        Some(start..end.unwrap_or(self.text.len()))
    }

    /// Characters in `text[..offset]`; `offset` is a character boundary.
    fn chars_before(&self, offset: usize) -> usize {
        let checkpoints = self.checkpoints.get_or_init(|| {
            let mut checkpoints = vec![(0, 0)];
            let mut at = 0;
            let mut chars = 0;
            while at + CHECKPOINT < self.text.len() {
                let next = floor_char_boundary(self.text, at + CHECKPOINT);
                chars += self.text[at..next].chars().count();
                checkpoints.push((next, chars));
                at = next;
            }
            checkpoints
        });
        let (at, chars) = checkpoints[checkpoints.partition_point(|&(o, _)| o <= offset) - 1];
        chars + self.text[at..offset].chars().count()
    }
}

pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_chars_and_lines() {
        let idx = LineIndex::new("ab\né x\n");
        assert_eq!(
            idx.position(0),
            Position {
                line: 1,
                column: 1,
                offset: 0
            }
        );
        assert_eq!(
            idx.position(3),
            Position {
                line: 2,
                column: 1,
                offset: 3
            }
        );
        // 'é' is two bytes: the space after it is column 2.
        assert_eq!(
            idx.position(5),
            Position {
                line: 2,
                column: 2,
                offset: 5
            }
        );
        assert_eq!(
            idx.position(8),
            Position {
                line: 3,
                column: 1,
                offset: 8
            }
        );
        // Inside a multi-byte char rounds down to its start.
        assert_eq!(idx.position(4).column, 1);
        assert_eq!(idx.line_range(1), Some(3..8));
        assert_eq!(idx.line_range(2), Some(8..8));
        assert_eq!(idx.line_range(3), None);
        assert_eq!((idx.line(7), idx.line(8), idx.line(100)), (1, 2, 2));
    }

    /// Far into a long line, columns come from checkpoints: the same as counting from the start.
    #[test]
    fn columns_far_into_long_lines() {
        let text = format!("x\n{}", "aé€😀".repeat(5_000));
        let idx = LineIndex::new(&text);
        for offset in (0..text.len()).step_by(997).chain([text.len()]) {
            let p = idx.position(offset);
            let start = if p.offset < 2 { 0 } else { 2 };
            assert_eq!(
                p.column,
                text[start..p.offset].chars().count() + 1,
                "{offset}"
            );
        }
    }
}
