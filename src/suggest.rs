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
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        // Only a strictly closer candidate can replace the best so far.
        let limit = best.map_or(budget, |(d, _)| d.saturating_sub(1));
        let d = rows.distance(word, candidate, limit);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
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

    fn table<T>(&mut self, a: &[T], b: &[T], limit: usize, eq: impl Fn(&T, &T) -> bool) -> usize {
        if a.len().abs_diff(b.len()) > limit {
            return limit + 1;
        }
        for row in [&mut self.before, &mut self.previous, &mut self.current] {
            row.clear();
            row.resize(b.len() + 1, 0);
        }
        for (j, cell) in self.previous.iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            self.current[0] = i;
            let mut row_min = i;
            for j in 1..=b.len() {
                let cost = usize::from(!eq(&a[i - 1], &b[j - 1]));
                let mut d = (self.previous[j] + 1)
                    .min(self.current[j - 1] + 1)
                    .min(self.previous[j - 1] + cost);
                if i > 1 && j > 1 && eq(&a[i - 1], &b[j - 2]) && eq(&a[i - 2], &b[j - 1]) {
                    d = d.min(self.before[j - 2] + 1);
                }
                self.current[j] = d;
                row_min = row_min.min(d);
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
}
