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
        let invalid = report.counts.invalid;
        let cause = if source > ledger && invalid > 0 && report.mode != Mode::Incremental {
            format!("{invalid} invalid records were skipped (see {})", crate::state::INVALID_FILE)
        } else if report.mode == Mode::Incremental {
            "records added or deleted since the last full or reconcile run (run one to settle)".into()
        } else {
            "the source changed while it was read (the next run settles it)".into()
        };
        why.push(format!("the source has {source} records and {ledger} are synced: {cause}"));
    }
    CountCheck { source, ledger, sink, mismatch: (!why.is_empty()).then(|| why.join("; ")) }
}
