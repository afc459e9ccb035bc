//! Which texts share an inference call.
//!
//! An inference call is padded to its longest text, so what it costs is its longest text ×
//! its text count, whatever the texts' own lengths. In catalogue order the demo's product texts
//! (mean 77 tokens, p90 107, max 232) wasted ~40 % of every call on padding. Sorted by length,
//! neighbours have nearly the same length; cut by a budget of padded tokens, a call of short
//! texts holds many of them and a call of long texts few, so each call costs about the same.

/// How texts are grouped into inference calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Batching {
    /// Padded tokens (longest × count) per call at most; 0: calls of `max_texts` texts.
    pub max_tokens: usize,
    /// Texts per call at most.
    pub max_texts: usize,
    /// Sort by token count first (the results are put back in order by the caller).
    pub sort: bool,
}

/// The inference calls for texts of `lengths` tokens: each a list of indices into
/// `lengths`, every index exactly once. A text longer than the budget gets a call of its own.
pub(crate) fn plan(lengths: &[usize], batching: Batching) -> Vec<Vec<usize>> {
    let max_texts = batching.max_texts.max(1);
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    if batching.sort {
        // Stable: equal lengths keep their order, so a plan depends on the lengths alone.
        order.sort_by_key(|&i| lengths[i]);
    }
    if batching.max_tokens == 0 {
        return order.chunks(max_texts).map(<[usize]>::to_vec).collect();
    }
    let mut calls = Vec::new();
    let mut call: Vec<usize> = Vec::new();
    let mut longest = 0;
    for i in order {
        let longer = longest.max(lengths[i]);
        if !call.is_empty() && (call.len() == max_texts || (call.len() + 1) * longer > batching.max_tokens) {
            calls.push(std::mem::take(&mut call));
            longest = 0;
        }
        longest = longest.max(lengths[i]);
        call.push(i);
    }
    if !call.is_empty() {
        calls.push(call);
    }
    calls
}

/// Padded tokens of `calls` over texts of `lengths`.
#[cfg(test)]
fn padded(lengths: &[usize], calls: &[Vec<usize>]) -> usize {
    calls.iter().map(|c| c.len() * c.iter().map(|&i| lengths[i]).max().unwrap_or(0)).sum()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Lengths spread like product texts: mostly 40–120 tokens, a few long ones.
    fn lengths(n: usize) -> Vec<usize> {
        let mut x = 12345u64;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let r = (x >> 33) as usize;
                if r.is_multiple_of(20) { 150 + r % 90 } else { 40 + r % 80 }
            })
            .collect()
    }

    fn every_index_once(calls: &[Vec<usize>], n: usize) {
        let mut seen: Vec<usize> = calls.iter().flatten().copied().collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
    }

    #[test]
    fn a_budget_bounds_every_call_and_sorting_cuts_the_padding() {
        let lens = lengths(256);
        let real: usize = lens.iter().sum();
        let fixed = plan(&lens, Batching { max_tokens: 0, max_texts: 16, sort: false });
        every_index_once(&fixed, lens.len());
        assert!(fixed.iter().all(|c| c.len() <= 16));
        assert_eq!(fixed[0], (0..16).collect::<Vec<_>>(), "catalogue order");

        let sorted = plan(&lens, Batching { max_tokens: 1600, max_texts: 64, sort: true });
        every_index_once(&sorted, lens.len());
        for call in &sorted {
            let longest = call.iter().map(|&i| lens[i]).max().unwrap();
            assert!(call.len() * longest <= 1600 && call.len() <= 64, "{call:?}");
        }
        let (waste_fixed, waste_sorted) = (padded(&lens, &fixed) - real, padded(&lens, &sorted) - real);
        assert!(waste_sorted * 10 < waste_fixed, "padding {waste_sorted} sorted vs {waste_fixed} in order");
    }

    #[test]
    fn long_texts_get_a_call_of_their_own_and_the_text_cap_holds() {
        let lens = [600, 10, 10, 10, 10, 700];
        let calls = plan(&lens, Batching { max_tokens: 100, max_texts: 3, sort: true });
        every_index_once(&calls, lens.len());
        assert_eq!(calls, vec![vec![1, 2, 3], vec![4], vec![0], vec![5]]);
        // unsorted: the same budget over the given order
        let calls = plan(&lens, Batching { max_tokens: 100, max_texts: 8, sort: false });
        assert_eq!(calls, vec![vec![0], vec![1, 2, 3, 4], vec![5]]);
        assert!(plan(&[], Batching { max_tokens: 100, max_texts: 8, sort: true }).is_empty());
    }
}
