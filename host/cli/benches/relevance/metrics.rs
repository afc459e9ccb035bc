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

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) {
        let a = a.unwrap();
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn the_ideal_ranking_scores_one() {
        let ideal = [3, 3, 2, 1, 1];
        close(ndcg(&[3, 3, 2, 1, 1], &ideal, 10), 1.0);
        close(recall(&[3, 3, 2, 1, 1], &ideal, 10), 1.0);
        close(reciprocal_rank(&[3, 3, 2, 1, 1], &ideal, 10), 1.0);
        // the ideal order is taken from the grades, whatever order they are given in
        close(ndcg(&[3, 2, 1], &[1, 2, 3], 10), 1.0);
    }

    #[test]
    fn a_known_permutation_has_the_hand_computed_value() {
        // ideal [3, 2, 0]: DCG = 7/1 + 3/log2(3) = 7 + 1.892789 = 8.892789
        // ranked [0, 2, 3]: DCG = 0 + 3/log2(3) + 7/2 = 1.892789 + 3.5 = 5.392789
        let ideal = [3, 2];
        // 5.392789 / 8.892789 = 0.606423
        assert!((ndcg(&[0, 2, 3], &ideal, 10).unwrap() - 0.606_423).abs() < 1e-6);
        close(recall(&[0, 2, 3], &ideal, 10), 1.0);
        close(reciprocal_rank(&[0, 2, 3], &ideal, 10), 0.5);
    }

    #[test]
    fn only_the_top_k_count() {
        // the relevant product at rank 3 is outside the top 2
        let ideal = [3];
        close(ndcg(&[0, 0, 3], &ideal, 2), 0.0);
        close(recall(&[0, 0, 3], &ideal, 2), 0.0);
        close(reciprocal_rank(&[0, 0, 3], &ideal, 2), 0.0);
        // the ideal DCG is cut at k too: 12 grade-3 products, 10 found, is perfect
        close(ndcg(&[3; 10], &[3; 12], 10), 1.0);
    }

    #[test]
    fn recall_counts_grade_two_and_up_out_of_at_most_k() {
        // 20 products of grade 3: 5 of them in the top 10 is half of what fits
        let ideal = [3u8; 20];
        close(recall(&[3, 3, 3, 3, 3, 0, 0, 0, 0, 0], &ideal, 10), 0.5);
        // grade 1 is related, not relevant: it earns nDCG gain but no recall or rank
        let ideal = [3, 1];
        close(recall(&[1, 0], &ideal, 10), 0.0);
        close(reciprocal_rank(&[1, 0, 0, 2], &ideal, 10), 0.25);
        close(ndcg(&[1], &ideal, 10), 1.0 / (7.0 + 1.0 / 3f64.log2()));
    }

    #[test]
    fn a_query_without_relevant_products_has_no_value() {
        assert_eq!(ndcg(&[0, 0], &[], 10), None);
        assert_eq!(recall(&[0, 0], &[], 10), None);
        assert_eq!(reciprocal_rank(&[0, 0], &[], 10), None);
        // only related products: nDCG exists, recall and rank do not
        assert!(ndcg(&[1], &[1], 10).is_some());
        assert_eq!(recall(&[1], &[1], 10), None);
        assert_eq!(mean([Some(1.0), None, Some(0.5)]), (Some(0.75), 2));
        assert_eq!(mean([None]), (None, 0));
    }

    #[test]
    fn an_empty_ranking_scores_zero() {
        close(ndcg(&[], &[3, 2], 10), 0.0);
        close(recall(&[], &[3, 2], 10), 0.0);
        close(reciprocal_rank(&[], &[3, 2], 10), 0.0);
    }
}
