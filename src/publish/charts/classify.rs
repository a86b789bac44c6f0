//! Class breaks for choropleth maps: quantiles, equal intervals and Fisher-Jenks
//! natural breaks. Each returns the classes' upper bounds in ascending order (the last
//! is the maximum), the form `ChoroplethMap::breaks` takes. Non-finite values are
//! ignored; no values or `k == 0` give no breaks; fewer distinct values than classes
//! give fewer breaks.
//!
//! Also the legend's side of classes: [`tidy_bounds`] leaves no class empty (and gives
//! one class per value when there are no more values than classes), and
//! [`class_labels`] words each class so that no two overlap. A class holds the values
//! above its lower bound up to and including its upper bound (the first class also its
//! lower bound), as QGIS's graduated styles do.

use super::layout::format_number;

/// Finite values, ascending.
fn sorted_finite(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// Class bounds fit to show for `values`: when there are no more distinct values than
/// classes, one class per value (the bounds are the values; returns `true`); otherwise
/// the given bounds less those of classes that no value falls in. An empty class merges
/// with the class below it, or with the one above when it is the first, or when merging
/// down would join a class of shortfalls to one of spare capacity (zero stays a bound).
pub(super) fn tidy_bounds(bounds: &[f64], values: &[f64]) -> (Vec<f64>, bool) {
    let mut distinct = sorted_finite(values);
    distinct.dedup();
    let (Some(&min), Some(&max)) = (distinct.first(), distinct.last()) else {
        return (bounds.to_vec(), false);
    };
    let overflow = bounds.last().is_none_or(|last| max > *last);
    if distinct.len() <= bounds.len() + usize::from(overflow) {
        return (distinct, true);
    }
    let mut bounds = bounds.to_vec();
    while bounds.len() > 1 {
        let count = |i: usize| {
            let low = if i == 0 {
                f64::NEG_INFINITY
            } else {
                bounds[i - 1]
            };
            distinct
                .iter()
                .filter(|&&v| v > low && v <= bounds[i])
                .count()
        };
        let Some(empty) = (0..bounds.len()).find(|&i| count(i) == 0) else {
            break;
        };
        let zero_below = empty > 0 && bounds[empty - 1] == 0.0 && min < 0.0 && max > 0.0;
        if empty == 0 || zero_below {
            bounds.remove(empty);
        } else {
            bounds.remove(empty - 1);
        }
    }
    (bounds, false)
}

/// The legend text of each class, with its count of regions: `ranges` are (lower, upper)
/// as the map classes them, the last the overflow class above the last bound when
/// `overflow`. Whole-number measures read "1", "2 to 7", "8 to 15"; others "0.50 to
/// 1.25", "over 1.25 to 7.90" (the lower bound belongs to the class below). With one
/// class per value, each class reads as its value.
pub(super) fn class_labels(
    ranges: &[(f64, f64)],
    counts: &[usize],
    overflow: bool,
    integers: bool,
    one_value_each: bool,
) -> Vec<String> {
    let mut shown: Vec<f64> = ranges.iter().flat_map(|(l, u)| [*l, *u]).collect();
    shown.retain(|v| v.is_finite());
    shown.dedup();
    let d = if integers { 0 } else { bound_decimals(&shown) };
    let last = ranges.len().saturating_sub(1);
    ranges
        .iter()
        .zip(counts)
        .enumerate()
        .map(|(i, (&(lower, upper), count))| {
            let is_overflow = overflow && i == last;
            let range = if one_value_each && !is_overflow {
                format_number(upper, d)
            } else if integers {
                integer_range(i == 0, lower, upper)
            } else {
                continuous_range(i == 0, is_overflow, lower, upper, d)
            };
            format!("{range} ({count})")
        })
        .collect()
}

/// The whole numbers a class holds, as "n" or "a to b".
fn integer_range(first: bool, lower: f64, upper: f64) -> String {
    if !lower.is_finite() {
        return format!("up to {}", format_number(upper.floor(), 0));
    }
    let from = if first {
        lower.ceil()
    } else {
        lower.floor() + 1.0
    };
    let to = upper.floor();
    if from >= to {
        format_number(to, 0)
    } else {
        format!("{} to {}", format_number(from, 0), format_number(to, 0))
    }
}

fn continuous_range(first: bool, overflow: bool, lower: f64, upper: f64, d: usize) -> String {
    let (lo, up) = (format_number(lower, d), format_number(upper, d));
    if overflow {
        format!("over {lo}")
    } else if !lower.is_finite() {
        format!("up to {up}")
    } else if first && lo == up {
        up
    } else if first {
        format!("{lo} to {up}")
    } else {
        format!("over {lo} to {up}")
    }
}

/// Decimals that show every bound exactly if three or fewer do, else enough to tell
/// the bounds apart at the scale of their spread.
fn bound_decimals(numbers: &[f64]) -> usize {
    let exact = |d: usize| {
        numbers.iter().all(|v| {
            let scaled = v * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
    };
    if let Some(d) = (0..=3).find(|&d| exact(d)) {
        return d;
    }
    let spread = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - numbers.iter().copied().fold(f64::INFINITY, f64::min);
    let base = if spread >= 100.0 {
        0
    } else if spread >= 10.0 {
        1
    } else {
        2
    };
    (base..=4)
        .find(|&d| {
            let mut shown: Vec<String> = numbers.iter().map(|v| format_number(*v, d)).collect();
            let n = shown.len();
            shown.dedup();
            shown.len() == n
        })
        .unwrap_or(4)
}

/// Quantile (equal count) breaks: the upper bound of class `i` is the smallest value
/// with at least `i/k` of the values at or below it, so each class holds about `n/k`:
/// 1 to 8 in four classes gives 2, 4, 6, 8.
pub fn quantile_breaks(values: &[f64], k: usize) -> Vec<f64> {
    let sorted = sorted_finite(values);
    let n = sorted.len();
    if n == 0 || k == 0 {
        return Vec::new();
    }
    let mut breaks: Vec<f64> = (1..=k)
        .filter_map(|i| sorted.get((i * n).div_ceil(k).saturating_sub(1)).copied())
        .collect();
    breaks.dedup();
    breaks
}

/// Equal interval breaks: `k` classes of equal width from the minimum to the maximum.
pub fn equal_interval_breaks(values: &[f64], k: usize) -> Vec<f64> {
    let sorted = sorted_finite(values);
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
        return Vec::new();
    };
    if k == 0 {
        return Vec::new();
    }
    if max == min {
        return vec![max];
    }
    let width = (max - min) / k as f64;
    let mut breaks: Vec<f64> = (1..k).map(|i| min + width * i as f64).collect();
    breaks.push(max);
    breaks
}

/// Fisher-Jenks natural breaks: the `k` classes of consecutive sorted values that
/// minimise the total within-class sum of squared deviations, found exactly by
/// dynamic programming (Fisher 1958; Jenks 1977).
///
/// Equal values always fall in one class, so the program runs over the `m` distinct
/// values weighted by their counts: O(k·m²) time and O(k·m) memory, instant for the
/// few thousand small areas of a county (all 33,000 LSOAs of England would take
/// minutes: classify a sample there). For example 1, 2, 3, 10, 11, 12, 30, 31 in
/// three classes gives 3, 12, 31.
pub fn jenks_breaks(values: &[f64], k: usize) -> Vec<f64> {
    let sorted = sorted_finite(values);
    if sorted.is_empty() || k == 0 {
        return Vec::new();
    }
    let groups = Groups::new(&sorted);
    let m = groups.values.len();
    if k >= m {
        return groups.values;
    }
    let starts = optimal_class_starts(&groups, k);
    // Walk back from the last value: each class ends just before the next one starts.
    let mut breaks = vec![0.0; k];
    let mut end = m - 1;
    for class in (0..k).rev() {
        breaks[class] = groups.values[end];
        let start = starts[class][end];
        end = start.saturating_sub(1);
    }
    breaks
}

/// Distinct sorted values with prefix sums of count, sum and sum of squares (of the
/// values less their mean, for numerical stability).
struct Groups {
    values: Vec<f64>,
    count: Vec<f64>,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
}

impl Groups {
    fn new(sorted: &[f64]) -> Groups {
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        let mut values: Vec<f64> = Vec::new();
        let mut counts: Vec<f64> = Vec::new();
        for &v in sorted {
            match values.last() {
                Some(&last) if last == v => {
                    if let Some(c) = counts.last_mut() {
                        *c += 1.0;
                    }
                }
                _ => {
                    values.push(v);
                    counts.push(1.0);
                }
            }
        }
        let mut groups = Groups {
            count: vec![0.0],
            sum: vec![0.0],
            sum_sq: vec![0.0],
            values: Vec::new(),
        };
        for (&v, &c) in values.iter().zip(&counts) {
            let d = v - mean;
            groups.count.push(groups.count[groups.count.len() - 1] + c);
            groups.sum.push(groups.sum[groups.sum.len() - 1] + c * d);
            groups
                .sum_sq
                .push(groups.sum_sq[groups.sum_sq.len() - 1] + c * d * d);
        }
        groups.values = values;
        groups
    }

    /// Sum of squared deviations from their mean of distinct values `i..=j`.
    fn ssd(&self, i: usize, j: usize) -> f64 {
        let n = self.count[j + 1] - self.count[i];
        let s = self.sum[j + 1] - self.sum[i];
        let s2 = self.sum_sq[j + 1] - self.sum_sq[i];
        (s2 - s * s / n).max(0.0)
    }
}

/// `starts[c][j]`: where the last class starts in the best split of distinct values
/// `0..=j` into `c + 1` classes.
///
/// The best start of the last class never moves left as `j` grows (the sum of squared
/// deviations satisfies the quadrangle inequality), so each class's row is found by
/// divide and conquer: the middle `j` is searched in full, and the two halves only to the
/// left and to the right of its best start. That is O(k m log m) instead of O(k m²), the
/// difference between milliseconds and seconds for a map of 30,000 small areas; the
/// plain search stays in the tests as the reference.
fn optimal_class_starts(groups: &Groups, k: usize) -> Vec<Vec<usize>> {
    let m = groups.values.len();
    let mut cost: Vec<f64> = (0..m).map(|j| groups.ssd(0, j)).collect();
    let mut starts = vec![vec![0usize; m]];
    for class in 1..k {
        let mut row = Row {
            cost: vec![f64::INFINITY; m],
            start: vec![0usize; m],
        };
        if class < m {
            row.fill(groups, &cost, (class, m - 1), (class, m - 1));
        }
        cost = row.cost;
        starts.push(row.start);
    }
    starts
}

/// One class's best costs and starts, being filled.
struct Row {
    cost: Vec<f64>,
    start: Vec<usize>,
}

impl Row {
    /// Fills `js` (inclusive), whose best starts lie in `starts` (inclusive). The first
    /// of equally good starts wins, as in the plain search.
    fn fill(
        &mut self,
        groups: &Groups,
        previous: &[f64],
        (lo, hi): (usize, usize),
        (from, to): (usize, usize),
    ) {
        let j = lo + (hi - lo) / 2;
        let mut best = (f64::INFINITY, from);
        for i in from..=to.min(j) {
            let c = previous[i - 1] + groups.ssd(i, j);
            if c < best.0 {
                best = (c, i);
            }
        }
        self.cost[j] = best.0;
        self.start[j] = best.1;
        if j > lo {
            self.fill(groups, previous, (lo, j - 1), (from, best.1));
        }
        if j < hi {
            self.fill(groups, previous, (j + 1, hi), (best.1, to));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels as the map makes them: tidy the bounds, class the values, word the classes.
    fn labels(bounds: &[f64], values: &[f64]) -> Vec<String> {
        let (bounds, one_each) = tidy_bounds(bounds, values);
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let overflow = bounds.last().is_some_and(|b| max > *b);
        let mut ranges: Vec<(f64, f64)> = bounds
            .iter()
            .enumerate()
            .map(|(i, &b)| (if i == 0 { min } else { bounds[i - 1] }, b))
            .collect();
        if overflow {
            ranges.push((*bounds.last().expect("a bound"), max));
        }
        let counts: Vec<usize> = ranges
            .iter()
            .enumerate()
            .map(|(i, &(lo, up))| {
                values
                    .iter()
                    .filter(|&&v| (v > lo || (i == 0 && v >= lo)) && v <= up)
                    .count()
            })
            .collect();
        let integers = values.iter().all(|v| v.fract() == 0.0);
        class_labels(&ranges, &counts, overflow, integers, one_each)
    }

    #[test]
    fn whole_number_classes_do_not_share_a_bound() {
        // Once "1 (3)", "1 to 7 (2)", "7 to 15 (2)": which class was 7 in?
        assert_eq!(
            labels(&[1.0, 7.0, 15.0], &[1.0, 1.0, 1.0, 2.0, 7.0, 8.0, 15.0]),
            ["1 (3)", "2 to 7 (2)", "8 to 15 (2)"]
        );
    }

    #[test]
    fn empty_classes_are_dropped_and_zero_stays_a_bound() {
        // Shortfalls up to 8 and spare capacity down to -20; no value in (-13, 0].
        assert_eq!(
            labels(&[-13.0, 0.0, 5.0, 8.0], &[-20.0, -15.0, 3.0, 5.0, 8.0]),
            ["\u{2212}20 to 0 (2)", "1 to 5 (2)", "6 to 8 (1)"]
        );
        // No value in (0, 5]: that class goes upward, so 0 still parts the signs.
        assert_eq!(
            labels(
                &[-10.0, 0.0, 5.0, 9.0],
                &[-12.0, -10.0, -4.0, 0.0, 7.0, 9.0]
            ),
            [
                "\u{2212}12 to \u{2212}10 (2)",
                "\u{2212}9 to 0 (2)",
                "1 to 9 (2)"
            ]
        );
    }

    #[test]
    fn fewer_values_than_classes_give_a_class_each() {
        assert_eq!(
            labels(&[-13.0, 0.0, 7.0, 15.0], &[-13.0, 7.0, 7.0, 15.0]),
            ["\u{2212}13 (1)", "7 (2)", "15 (1)"]
        );
    }

    #[test]
    fn continuous_classes_say_which_side_is_closed() {
        assert_eq!(
            labels(&[1.25, 7.9], &[0.5, 1.25, 3.3, 7.9]),
            ["0.50 to 1.25 (2)", "over 1.25 to 7.90 (2)"]
        );
    }

    /// The plain O(k m²) search: every start for every end.
    fn plain_class_starts(groups: &Groups, k: usize) -> Vec<Vec<usize>> {
        let m = groups.values.len();
        let mut cost: Vec<f64> = (0..m).map(|j| groups.ssd(0, j)).collect();
        let mut starts = vec![vec![0usize; m]];
        for class in 1..k {
            let mut next_cost = vec![f64::INFINITY; m];
            let mut next_start = vec![0usize; m];
            for j in class..m {
                for i in class..=j {
                    let c = cost[i - 1] + groups.ssd(i, j);
                    if c < next_cost[j] {
                        next_cost[j] = c;
                        next_start[j] = i;
                    }
                }
            }
            cost = next_cost;
            starts.push(next_start);
        }
        starts
    }

    #[test]
    fn divide_and_conquer_finds_the_plain_searchs_starts() {
        // A seeded mix of shapes: distances to 3 decimals, whole gaps with many repeats,
        // clusters, and values spanning orders of magnitude.
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as f64 / (1u64 << 31) as f64
        };
        for case in 0..120 {
            let n = 5 + case * 3;
            let values: Vec<f64> = (0..n)
                .map(|i| match case % 4 {
                    0 => (next() * 40_000.0).round() / 1000.0,
                    1 => (next() * 30.0 - 10.0).round(),
                    2 => (i % 5) as f64 * 10.0 + next(),
                    _ => 10f64.powf(next() * 4.0),
                })
                .collect();
            let groups = Groups::new(&sorted_finite(&values));
            for k in 2..=7 {
                if k >= groups.values.len() {
                    continue;
                }
                let fast = optimal_class_starts(&groups, k);
                let plain = plain_class_starts(&groups, k);
                // Rows agree wherever the plain search defines them (j >= class).
                for class in 0..k {
                    for j in class..groups.values.len() {
                        assert_eq!(
                            fast[class][j], plain[class][j],
                            "case {case}, k {k}, class {class}, j {j}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn jenks_finds_the_three_obvious_groups() {
        let values = [1., 2., 3., 10., 11., 12., 30., 31.];
        assert_eq!(jenks_breaks(&values, 3), vec![3., 12., 31.]);
        // Order of input does not matter.
        let shuffled = [31., 10., 2., 12., 1., 30., 3., 11.];
        assert_eq!(jenks_breaks(&shuffled, 3), vec![3., 12., 31.]);
    }

    #[test]
    fn jenks_weighs_repeated_values() {
        // {1,1,1 | 5,5,9}: SSD 0 + 10.67, against {1,1,1,5,5 | 9}: 19.2 + 0.
        assert_eq!(jenks_breaks(&[1., 1., 1., 5., 5., 9.], 2), vec![1., 9.]);
    }

    #[test]
    fn jenks_handles_few_values_and_odd_input() {
        assert_eq!(jenks_breaks(&[4., 4., 2.], 5), vec![2., 4.]);
        assert!(jenks_breaks(&[], 3).is_empty());
        assert!(jenks_breaks(&[1., 2.], 0).is_empty());
        assert_eq!(
            jenks_breaks(&[f64::NAN, 1., f64::INFINITY, 3.], 2),
            vec![1., 3.]
        );
        assert_eq!(jenks_breaks(&[-5., -4., 6., 7.], 2), vec![-4., 7.]);
    }

    /// Total within-class SSD of the classes the breaks define.
    fn total_ssd(sorted: &[f64], breaks: &[f64]) -> f64 {
        let mut total = 0.0;
        let mut lower = f64::NEG_INFINITY;
        for &b in breaks {
            let class: Vec<f64> = sorted
                .iter()
                .copied()
                .filter(|&v| v > lower && v <= b)
                .collect();
            let mean = class.iter().sum::<f64>() / class.len().max(1) as f64;
            total += class.iter().map(|v| (v - mean).powi(2)).sum::<f64>();
            lower = b;
        }
        total
    }

    /// Every way of cutting `n` sorted values into `k` non-empty runs.
    fn best_by_brute_force(sorted: &[f64], k: usize) -> f64 {
        fn go(sorted: &[f64], k: usize, from: usize, breaks: &mut Vec<f64>, best: &mut f64) {
            if k == 1 {
                breaks.push(sorted[sorted.len() - 1]);
                *best = best.min(total_ssd(sorted, breaks));
                breaks.pop();
                return;
            }
            for end in from..sorted.len() - (k - 1) {
                breaks.push(sorted[end]);
                go(sorted, k - 1, end + 1, breaks, best);
                breaks.pop();
            }
        }
        let mut best = f64::INFINITY;
        go(sorted, k, 0, &mut Vec::new(), &mut best);
        best
    }

    #[test]
    fn jenks_matches_brute_force_on_small_samples() {
        // A fixed pseudo-random sequence (a linear congruential generator).
        let mut state = 12345u64;
        for _ in 0..40 {
            let n = 4 + (state % 5) as usize;
            let mut values: Vec<f64> = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((state >> 33) % 1000) as f64 / 10.0
                })
                .collect();
            values.sort_by(f64::total_cmp);
            values.dedup();
            for k in 1..values.len() {
                let dp = total_ssd(&values, &jenks_breaks(&values, k));
                let brute = best_by_brute_force(&values, k);
                assert!(
                    (dp - brute).abs() < 1e-9,
                    "{values:?} k={k}: {dp} vs {brute}"
                );
            }
        }
    }

    #[test]
    fn quantiles_split_into_equal_counts() {
        let values: Vec<f64> = (1..=8).map(f64::from).collect();
        assert_eq!(quantile_breaks(&values, 4), vec![2., 4., 6., 8.]);
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile_breaks(&ten, 3), vec![4., 7., 10.]);
        assert_eq!(quantile_breaks(&[5., 5., 5., 5.], 4), vec![5.]);
        assert!(quantile_breaks(&[f64::NAN], 4).is_empty());
    }

    #[test]
    fn equal_intervals_span_min_to_max() {
        assert_eq!(
            equal_interval_breaks(&[0., 3., 10.], 5),
            vec![2., 4., 6., 8., 10.]
        );
        assert_eq!(equal_interval_breaks(&[-10., 10.], 2), vec![0., 10.]);
        assert_eq!(equal_interval_breaks(&[7., 7.], 3), vec![7.]);
        assert!(equal_interval_breaks(&[], 3).is_empty());
    }
}
