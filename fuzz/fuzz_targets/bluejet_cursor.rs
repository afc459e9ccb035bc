//! Arbitrary text as a BlueJet date, a host instant and a stored read state: parsing never
//! panics, normalised dates are stable (parse → RFC 3339 → parse gives the same text), and a
//! state survives being stored and read back.
#![no_main]

use bluejet_source::fuzzing::{DateFormat, Mapped, State, normalise_date, to_bluejet_iso};
use libfuzzer_sys::fuzz_target;
use weir_sdk::Record;

const KEY: &str = "productid";
const CURSOR: &str = "modifiedon";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    dates(&text);
    states(&text);
});

fn dates(text: &str) {
    for format in [DateFormat::Auto, DateFormat::Iso, DateFormat::Czech] {
        let Some(rfc3339) = normalise_date(text, format) else { continue };
        // RFC 3339 UTC is ISO: it normalises to itself, whichever way it is read.
        assert_eq!(normalise_date(&rfc3339, DateFormat::Iso).as_deref(), Some(rfc3339.as_str()), "{text:?}");
        assert_eq!(normalise_date(&rfc3339, DateFormat::Auto).as_deref(), Some(rfc3339.as_str()), "{text:?}");
        // A normalised cursor goes back to BlueJet as zoneless ISO, whole seconds, the same instant.
        let Some(bluejet) = to_bluejet_iso(&rfc3339) else { panic!("{rfc3339} is not a host instant") };
        let whole = match rfc3339.split_once('.') {
            Some((seconds, _)) => format!("{seconds}Z"),
            None => rfc3339.clone(),
        };
        assert_eq!(normalise_date(&bluejet, DateFormat::Iso), Some(whole), "{text:?}");
    }
    if let Some(bluejet) = to_bluejet_iso(text) {
        let Some(rfc3339) = normalise_date(&bluejet, DateFormat::Iso) else { panic!("{bluejet} is not ISO") };
        assert_eq!(to_bluejet_iso(&rfc3339).as_deref(), Some(bluejet.as_str()), "{text:?}");
    }
}

fn row(key: &str, cursor: Option<&str>) -> Mapped {
    Mapped {
        record: Record { key: key.to_owned(), fields: "{}".to_owned(), cursor: None },
        raw_cursor: cursor.map(str::to_owned),
    }
}

fn states(text: &str) {
    let Ok(state) = State::parse(text) else { return };
    assert_eq!(State::parse(&state.to_text()).ok().as_ref(), Some(&state), "{text:?}");
    let plan = state.plan(KEY, CURSOR);
    assert_eq!(plan.sort.starts_with("+productid"), matches!(state, State::Keys { .. }));
    // A page of rows at the state's own position, rows past it and rows without a key.
    let at = match &state {
        State::Since { from, .. } => from.clone(),
        State::Keys { .. } => "2026-01-08T10:30:00".to_owned(),
    };
    let rows = [
        row("a", Some(&at)),
        row("", Some(&at)),
        row("b", Some(&at)),
        row("c", Some("9999-12-31T23:59:59")),
        row("", None),
    ];
    for limit in [1, 4, 5, 200] {
        for page in [&rows[..0], &rows[..1], &rows[1..2], &rows[..3], &rows[..]] {
            let (fresh, next) = state.advance(page.to_vec(), limit);
            assert!(fresh.len() <= page.len());
            assert_eq!(State::parse(&next.to_text()).ok().as_ref(), Some(&next));
        }
    }
}
