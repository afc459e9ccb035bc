//! The count check after a run: the source's count, the ledger's and the sink's should agree;
//! when they do not, the report says which differ and the likely cause.

use crate::mode::Mode;
use crate::pipeline::Pipeline;
use crate::report::{CountCheck, RunReport};
use crate::state::StateDir;

pub(super) async fn count_check(
    state: &StateDir,
    pipeline: &mut Pipeline,
    ledger: &str,
    physical: &str,
    report: &RunReport,
) -> CountCheck {
    let source = match pipeline.source.as_mut() {
        Some(s) => s.count(&pipeline.stream).await.ok().flatten(),
        None => None,
    };
    let sink = pipeline.sink.count(physical).await.ok();
    let ledger = state.ledger_len(ledger).unwrap_or(0);
    let mut why = Vec::new();
    if let Some(sink) = sink
        && sink != ledger
    {
        why.push(format!(
            "the sink holds {sink} points but weir wrote {ledger}: points were written or deleted outside weir, \
             or the sink lost acknowledged writes; a rebuild restores it"
        ));
    }
    if let Some(source) = source
        && source != ledger
    {
        let cause = cause(report.mode, source, ledger, report.counts.invalid);
        why.push(format!("the source has {source} records and {ledger} are synced: {cause}"));
    }
    CountCheck { source, ledger, sink, mismatch: (!why.is_empty()).then(|| why.join("; ")) }
}

/// The likely cause of a source count that differs from the ledger's. Invalid records explain
/// a shortfall only up to their number: the rest were not handed over or changed meanwhile.
fn cause(mode: Mode, source: u64, ledger: u64, invalid: u64) -> String {
    let unexplained = source.saturating_sub(ledger).saturating_sub(invalid);
    if mode == Mode::Incremental {
        "records added or deleted since the last full or reconcile run (run one to settle)".into()
    } else if source > ledger && invalid > 0 && unexplained == 0 {
        format!("{invalid} invalid records were skipped (see {})", crate::state::INVALID_FILE)
    } else if source > ledger && invalid > 0 {
        format!(
            "{invalid} invalid records were skipped (see {}), and {unexplained} more were not synced: the source \
             changed while it was read (the next run settles it) or did not hand every record over",
            crate::state::INVALID_FILE
        )
    } else {
        "the source changed while it was read (the next run settles it)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_records_explain_a_shortfall_only_up_to_their_number() {
        assert!(cause(Mode::Full, 2_000, 1_992, 8).starts_with("8 invalid records were skipped (see"));
        let short = cause(Mode::Full, 2_000, 1_692, 8);
        assert!(short.contains("8 invalid records") && short.contains("300 more were not synced"), "{short}");
        assert!(cause(Mode::Full, 2_000, 1_990, 0).starts_with("the source changed"));
        assert!(cause(Mode::Incremental, 2_000, 1_692, 8).starts_with("records added or deleted"));
    }
}
