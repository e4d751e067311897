//! "Did you mean …?": the closest candidate within a small edit distance, case-insensitively.

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), ignoring ASCII case.
pub fn edit_distance(a: &str, b: &str) -> usize {
    Rows::default().distance(a, b, usize::MAX - 1)
}

/// The candidate nearest to `word`, if it is within a third of the word's length (at least 1, at most 3
/// edits); ties go to the earlier candidate. Allocates once, however many candidates (the IAM catalog
/// offers hundreds per service).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let budget = (word.chars().count() / 3).clamp(1, 3);
    let mut rows = Rows::default();
    let bits = BitPattern::new(word);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        // Only a strictly closer candidate can replace the best so far.
        let limit = best.map_or(budget, |(d, _)| d.saturating_sub(1));
        let d = match &bits {
            Some(_) if word.len().abs_diff(candidate.len()) > limit => limit + 1,
            Some(bits) if candidate.is_ascii() => {
                // Most candidates share too few letters with the word to be near it.
                if bits.bag_distance(candidate.as_bytes()) > limit {
                    limit + 1
                } else {
                    bits.distance(candidate.as_bytes())
                }
            }
            _ => rows.distance(word, candidate, limit),
        };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// An ASCII word of 1 to 64 bytes as bit masks, for Hyyrö's bit-parallel optimal-string-alignment
/// distance ("A bit-vector algorithm for computing Levenshtein and Damerau edit distances", 2003):
/// a few word operations per character of each candidate instead of a row of the table.
struct BitPattern {
    /// For each (lowercased) byte, the positions where the word has it.
    masks: [u64; 128],
    /// For each (lowercased) byte, how often the word has it.
    counts: [u8; 128],
    len: usize,
}

impl BitPattern {
    fn new(word: &str) -> Option<BitPattern> {
        if word.is_empty() || word.len() > 64 || !word.is_ascii() {
            return None;
        }
        let mut masks = [0u64; 128];
        let mut counts = [0u8; 128];
        for (i, b) in word.bytes().enumerate() {
            masks[usize::from(b.to_ascii_lowercase())] |= 1 << i;
            counts[usize::from(b.to_ascii_lowercase())] += 1;
        }
        Some(BitPattern {
            masks,
            counts,
            len: word.len(),
        })
    }

    /// A lower bound of the distance to an ASCII candidate, in one pass: the larger of the numbers
    /// of letters (ignoring case) one side has beyond the other's. An edit changes each by at most
    /// one and a transposition neither, so a candidate over the limit here needs no alignment.
    fn bag_distance(&self, candidate: &[u8]) -> usize {
        let mut left = self.counts;
        let mut extra = 0;
        for &b in candidate {
            let slot = &mut left[usize::from(b.to_ascii_lowercase() & 0x7f)];
            if *slot == 0 {
                extra += 1;
            } else {
                *slot -= 1;
            }
        }
        // What the word keeps unmatched: its length less what the candidate used of it.
        let missing = self.len - (candidate.len() - extra);
        extra.max(missing)
    }

    /// The exact distance to an ASCII candidate, ignoring case.
    fn distance(&self, candidate: &[u8]) -> usize {
        let last = 1u64 << (self.len - 1);
        let (mut vp, mut vn, mut d0, mut previous) = (!0u64, 0u64, 0u64, 0u64);
        let mut distance = self.len;
        for &b in candidate {
            let pm = self.masks[usize::from(b.to_ascii_lowercase() & 0x7f)];
            let transposed = ((!d0 & pm) << 1) & previous;
            d0 = ((((pm & vp).wrapping_add(vp)) ^ vp) | pm | vn) | transposed;
            let hp = vn | !(d0 | vp);
            let hn = d0 & vp;
            if hp & last != 0 {
                distance += 1;
            } else if hn & last != 0 {
                distance -= 1;
            }
            let hp = (hp << 1) | 1;
            let hn = hn << 1;
            vp = hn | !(d0 | hp);
            vn = hp & d0;
            previous = pm;
        }
        distance
    }
}

/// Reusable rows of the distance table.
#[derive(Default)]
struct Rows {
    before: Vec<usize>,
    previous: Vec<usize>,
    current: Vec<usize>,
}

impl Rows {
    /// The distance, or `limit + 1` as soon as it must exceed `limit`. ASCII words are compared as
    /// bytes without allocating.
    fn distance(&mut self, a: &str, b: &str, limit: usize) -> usize {
        if a.is_ascii() && b.is_ascii() {
            self.table(a.as_bytes(), b.as_bytes(), limit, |x, y| {
                x.eq_ignore_ascii_case(y)
            })
        } else {
            let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
            let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
            self.table(&a, &b, limit, |x, y| x == y)
        }
    }

    /// Only the band of cells within `limit` of the diagonal is filled: a cell further off holds at
    /// least its distance from the diagonal, so it can never bring the result back under the limit.
    /// Cells just outside the band are set to `limit + 1` so stale values from earlier rows are never
    /// read.
    fn table<T>(&mut self, a: &[T], b: &[T], limit: usize, eq: impl Fn(&T, &T) -> bool) -> usize {
        if a.len().abs_diff(b.len()) > limit {
            return limit + 1;
        }
        let over = limit.saturating_add(1);
        for row in [&mut self.before, &mut self.previous, &mut self.current] {
            row.clear();
            row.resize(b.len() + 1, over);
        }
        for (j, cell) in self.previous.iter_mut().enumerate().take(over) {
            *cell = j;
        }
        for i in 1..=a.len() {
            let lo = i.saturating_sub(limit).max(1);
            let hi = i.saturating_add(limit).min(b.len());
            self.current[lo - 1] = if lo == 1 { i } else { over };
            let mut row_min = self.current[lo - 1];
            for j in lo..=hi {
                let cost = usize::from(!eq(&a[i - 1], &b[j - 1]));
                let mut d = (self.previous[j].saturating_add(1))
                    .min(self.current[j - 1].saturating_add(1))
                    .min(self.previous[j - 1].saturating_add(cost));
                if i > 1 && j > 1 && eq(&a[i - 1], &b[j - 2]) && eq(&a[i - 2], &b[j - 1]) {
                    d = d.min(self.before[j - 2].saturating_add(1));
                }
                self.current[j] = d;
                row_min = row_min.min(d);
            }
            if hi < b.len() {
                self.current[hi + 1] = over;
            }
            if row_min > limit {
                return limit + 1;
            }
            std::mem::swap(&mut self.before, &mut self.previous);
            std::mem::swap(&mut self.previous, &mut self.current);
        }
        self.previous[b.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(edit_distance("EC2Fleat", "EC2Fleet"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("DescribeInstnaces", "describeinstances"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        let apis = ["EC2Fleet", "SpotFleet", "ASG", "RunInstances", "MicroVM"];
        assert_eq!(nearest("EC2Fleat", apis), Some("EC2Fleet"));
        assert_eq!(nearest("RunInstance", apis), Some("RunInstances"));
        assert_eq!(nearest("Pod", apis), None);
    }

    /// The full optimal-string-alignment table, the textbook way.
    fn reference(a: &[u8], b: &[u8]) -> usize {
        let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    /// Every pair of words over a three-letter alphabet up to five letters long, at every limit:
    /// the banded table agrees with the full one wherever the result is within the limit, and the
    /// bit-parallel distance with it everywhere, and the bag distance never above it (equal to it
    /// somewhere, so the bound is not vacuous).
    #[test]
    fn banded_table_agrees_with_the_full_one() {
        let mut words = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = words
                .iter()
                .filter(|w| w.len() == words.last().map_or(0, String::len))
                .flat_map(|w| ["a", "b", "c"].map(|c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
        }
        let mut rows = Rows::default();
        let mut tight = 0;
        for a in &words {
            for b in &words {
                let full = reference(a.as_bytes(), b.as_bytes());
                for limit in 0..4 {
                    let banded = rows.distance(a, b, limit);
                    assert_eq!(
                        banded.min(limit + 1),
                        full.min(limit + 1),
                        "{a} {b} {limit}"
                    );
                }
                if let Some(bits) = BitPattern::new(a) {
                    assert_eq!(bits.distance(b.as_bytes()), full, "bits: {a} {b}");
                    let upper = b.to_ascii_uppercase();
                    assert_eq!(bits.distance(upper.as_bytes()), full, "bits: {a} {upper}");
                    let bag = bits.bag_distance(upper.as_bytes());
                    assert!(bag <= full, "bag: {a} {upper}: {bag} > {full}");
                    tight += usize::from(bag == full && full > 1);
                }
            }
        }
        assert!(tight > 1000, "{tight}");
    }
}
