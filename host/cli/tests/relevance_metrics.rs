//! The relevance benchmark's measures (`benches/relevance/metrics.rs`), tested against values
//! computed by hand; the bench binary has no test harness of its own.
#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "../benches/relevance/metrics.rs"]
mod metrics;

use metrics::{mean, ndcg, recall, reciprocal_rank};

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
