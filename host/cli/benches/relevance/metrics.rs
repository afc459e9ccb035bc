//! The measures of the relevance benchmark, over the grades (0–3) of a ranking's top hits in
//! rank order and the grades of every product judged relevant to the query.
//!
//! - nDCG@k: graded gains `2^g − 1`, discount `log2(rank + 1)`, normalised by the DCG of the
//!   ideal ranking (the judged grades, highest first).
//! - recall@k: the share of the products of grade ≥ [`RELEVANT`] found in the top k, out of
//!   `min(k, their number)` (a query with 30 equally good products is not capped at 10/30).
//! - reciprocal rank: `1 / rank` of the first hit of grade ≥ [`RELEVANT`] in the top k; 0 if
//!   none is there.
//!
//! A query with no product judged relevant (none of grade ≥ 1 for nDCG, none of grade ≥
//! [`RELEVANT`] for recall and reciprocal rank) has no value: `None`, left out of means,
//! because no ranking can be better or worse than another on it.

/// The grade from which a product counts as relevant for recall and reciprocal rank: 2 (a
/// close substitute or what was asked for); grade 1 (related) only earns nDCG gain.
pub const RELEVANT: u8 = 2;

fn dcg(grades: &[u8], k: usize) -> f64 {
    grades.iter().take(k).enumerate().map(|(i, &g)| (2f64.powi(i32::from(g)) - 1.0) / ((i + 2) as f64).log2()).sum()
}

/// nDCG@k of a ranking whose hits have `ranked` grades, given the `ideal` grades (every
/// judged product's grade; any order).
pub fn ndcg(ranked: &[u8], ideal: &[u8], k: usize) -> Option<f64> {
    let mut ideal = ideal.to_vec();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let best = dcg(&ideal, k);
    (best > 0.0).then(|| dcg(ranked, k) / best)
}

/// recall@k: relevant hits in the top k over `min(k, relevant products)`.
pub fn recall(ranked: &[u8], ideal: &[u8], k: usize) -> Option<f64> {
    let relevant = ideal.iter().filter(|&&g| g >= RELEVANT).count();
    let found = ranked.iter().take(k).filter(|&&g| g >= RELEVANT).count();
    (relevant > 0).then(|| found as f64 / relevant.min(k) as f64)
}

/// Reciprocal rank of the first relevant hit in the top k (0 when none is there).
pub fn reciprocal_rank(ranked: &[u8], ideal: &[u8], k: usize) -> Option<f64> {
    if !ideal.iter().any(|&g| g >= RELEVANT) {
        return None;
    }
    Some(ranked.iter().take(k).position(|&g| g >= RELEVANT).map_or(0.0, |i| 1.0 / (i + 1) as f64))
}

/// The mean of the values that exist, and how many there were.
pub fn mean(values: impl IntoIterator<Item = Option<f64>>) -> (Option<f64>, usize) {
    let v: Vec<f64> = values.into_iter().flatten().collect();
    let n = v.len();
    ((n > 0).then(|| v.iter().sum::<f64>() / n as f64), n)
}
