//! Where a pipeline's learned translations are kept: two files in the state directory,
//! written by the run that reads the records, read by every search.
//!
//! The run sees every record as it processes it, so it collects the pairs there (a search
//! could only get them back by scrolling the whole collection, which the sink contract does
//! not offer, at 109k points on every missing table). At the end of a run that read its
//! stream to the end, it learns the table from the pairs it holds and writes both files:
//!
//! - `translate/<pipeline>.pairs.json`: the pairs by record key, so that an incremental run
//!   adds its changed records to them (a record whose two names became equal drops out) and
//!   a full or rebuild run that starts from nothing replaces them. A record deleted from the
//!   source keeps its pair until the next full run: the pair is still the catalogue's own
//!   vocabulary. The pairs are held in memory until the run ends: a run killed part-way keeps
//!   none of its pairs, and its resumed run adds only what it reads itself, so after a first
//!   full sync cut short the table lacks the part read before the kill until the next full
//!   run. The store stays exact; only the table is smaller.
//! - `translate/<pipeline>.json`: the learned table, small, what a search reads.
//!
//! Each file is written whole beside its place and renamed into it, so a process killed at
//! any instant leaves the old file or the new one. Each carries the collection, the two
//! fields and (the table) the lexical model it was learned for: a search of another
//! collection, with other fields or another tokeniser does not use it, and a run whose
//! fields changed starts the pairs afresh.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::{info, warn};
use weir_embed::LexicalEncoder;

use super::accents::Spellings;
use super::learn::{Learner, Short, learn};
use super::translate::Translations;
use super::typos::{self, Vocabulary};
use crate::error::{Error, Result};

/// The folder of the state directory that holds the translation files.
pub const TRANSLATE_DIR: &str = "translate";

/// Environment variable: a learner's name (`dice`, `model1`, `links`) makes a search learn its
/// table again from the kept pairs with that learner (and [`super::learn::SHORT_ENV`]'s rule)
/// instead of using the kept one's translations, to compare learners on one collection (the
/// relevance benchmark's `&` mode suffix); anything else, or unset, uses the kept table.
pub const SEARCH_LEARNER_ENV: &str = "WEIR_SEARCH_LEARNER";

/// What a kept file was made for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Made {
    /// The collection (alias) the pipeline writes.
    collection: String,
    /// The two fields whose values are paired.
    fields: [String; 2],
}

#[derive(Serialize, Deserialize)]
struct PairsFile {
    made: Made,
    /// `key → [first field's text, second field's text]`.
    pairs: BTreeMap<String, [String; 2]>,
}

#[derive(Clone, Serialize, Deserialize)]
struct TableFile {
    made: Made,
    /// The lexical model's key ([`weir_embed::LexicalId::key`]) whose terms the table holds.
    lexical: String,
    learner: Learner,
    /// Pairs it was learned from.
    pairs: usize,
    translations: Translations,
    /// Records whose lexical texts gave [`TableFile::df`] (0: not counted, a table kept
    /// before the counts were).
    #[serde(default)]
    docs: u32,
    /// Document frequency of each of the table's terms (either side) over those lexical
    /// texts, for weighing a translation by its IDF against its source term's.
    #[serde(default)]
    df: BTreeMap<String, u32>,
    /// The collection's vocabulary for typo tolerance: each term that could correct a query
    /// term ([`typos::kept_term`]) with its document frequency over the same texts (empty in
    /// a table kept before the vocabulary was).
    #[serde(default)]
    vocab: BTreeMap<String, u32>,
    /// The catalogue's spelling of each word it writes with diacritics, by the word's folded
    /// form ([`super::accents`]), counted over the same texts (empty in a table kept before).
    #[serde(default)]
    accents: BTreeMap<String, String>,
}

fn pairs_path(state_dir: &Path, pipeline: &str) -> PathBuf {
    state_dir.join(TRANSLATE_DIR).join(format!("{pipeline}.pairs.json"))
}

fn table_path(state_dir: &Path, pipeline: &str) -> PathBuf {
    state_dir.join(TRANSLATE_DIR).join(format!("{pipeline}.json"))
}

/// Writes `bytes` to `path` whole or not at all: into a file beside it, synced, then renamed
/// over it, and the folder synced.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |what: String| move |source| Error::Io { what, source };
    let dir = path.parent().ok_or_else(|| Error::Internal(format!("{} has no folder", path.display())))?;
    std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
    let fresh = path.with_extension("json.new");
    {
        let mut f = std::fs::File::create(&fresh).map_err(io(format!("cannot create {}", fresh.display())))?;
        f.write_all(bytes).map_err(io(format!("cannot write {}", fresh.display())))?;
        f.sync_all().map_err(io(format!("cannot sync {}", fresh.display())))?;
    }
    std::fs::rename(&fresh, path).map_err(io(format!("cannot move {} into place", fresh.display())))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Collects a run's `name`/`nazev`-like pairs and, at the end of its read, learns and keeps
/// the table.
pub(crate) struct PairCollector {
    state_dir: PathBuf,
    pipeline: String,
    made: Made,
    pairs: BTreeMap<String, [String; 2]>,
    /// Whether the pairs differ from the kept ones (a fresh start, or a record seen): an
    /// incremental run that read nothing does not learn the same table again.
    changed: bool,
    /// A fresh run's count of records and of the records each term is in (their lexical
    /// texts); none in another run, which keeps the counts of the last fresh one (a few
    /// changed records do not move a collection's IDF far, and counting them again on top
    /// would count them twice).
    counts: Option<(u32, HashMap<String, u32>)>,
    /// A fresh run's spellings of the words of the same texts ([`super::accents`]).
    spellings: Option<Spellings>,
}

impl PairCollector {
    /// The collector of a run of `pipeline` (writing `collection`) that pairs `fields`:
    /// `fresh` (a full or rebuild run from its start) begins with no pairs, any other run with
    /// the kept ones when they were made for the same collection and fields.
    pub(crate) fn start(state_dir: &Path, pipeline: &str, collection: &str, fields: [String; 2], fresh: bool) -> Self {
        let made = Made { collection: collection.to_owned(), fields };
        let pairs = if fresh { BTreeMap::new() } else { kept_pairs(state_dir, pipeline, &made).unwrap_or_default() };
        Self {
            state_dir: state_dir.to_path_buf(),
            pipeline: pipeline.to_owned(),
            made,
            pairs,
            changed: fresh,
            counts: fresh.then(Default::default),
            spellings: fresh.then(Default::default),
        }
    }

    /// Counts a valid record's lexical text toward its terms' document frequencies (a fresh
    /// run only).
    pub(crate) fn count(&mut self, encoder: &LexicalEncoder, lexical: &str) {
        let Some((docs, df)) = &mut self.counts else { return };
        *docs += 1;
        let mut terms = encoder.tokens(lexical);
        terms.sort_unstable();
        terms.dedup();
        for term in terms {
            *df.entry(term).or_default() += 1;
        }
        if let Some(spellings) = &mut self.spellings {
            spellings.count(lexical);
        }
    }

    /// Notes a valid record's pair: kept when both fields are non-empty texts that differ,
    /// dropped otherwise (an earlier version's pair goes with it).
    pub(crate) fn see(&mut self, key: &str, fields: &Value) {
        let text = |f: &str| fields.get(f).and_then(Value::as_str).map(str::trim).unwrap_or_default();
        let (a, b) = (text(&self.made.fields[0]), text(&self.made.fields[1]));
        self.changed = true;
        if a.is_empty() || b.is_empty() || a == b {
            self.pairs.remove(key);
        } else {
            self.pairs.insert(key.to_owned(), [a.to_owned(), b.to_owned()]);
        }
    }

    /// Learns the table from the pairs on `encoder`'s terms and keeps the pairs and the table.
    pub(crate) fn finish(self, encoder: &LexicalEncoder) -> Result<()> {
        if !self.changed && table_path(&self.state_dir, &self.pipeline).exists() {
            return Ok(());
        }
        let learner = Learner::from_env();
        let translations = learned(encoder, learner, Short::from_env(), &self.pairs);
        let (docs, df, vocab, accents) = match &self.counts {
            Some((docs, counted)) => {
                let mut df = BTreeMap::new();
                for (term, list) in &translations.terms {
                    for t in std::iter::once(term).chain(list.iter().map(|(u, _)| u)) {
                        df.insert(t.clone(), counted.get(t).copied().unwrap_or(0));
                    }
                }
                let vocab = counted.iter().filter(|(t, _)| typos::kept_term(t)).map(|(t, n)| (t.clone(), *n)).collect();
                let accents = self.spellings.as_ref().map(Spellings::table).unwrap_or_default();
                (*docs, df, vocab, accents)
            }
            None => match read_table(&self.state_dir, &self.pipeline) {
                Some(kept) if kept.made == self.made && kept.lexical == encoder.id().key() => {
                    (kept.docs, kept.df, kept.vocab, kept.accents)
                }
                _ => (0, BTreeMap::new(), BTreeMap::new(), BTreeMap::new()),
            },
        };
        let table = TableFile {
            made: self.made.clone(),
            lexical: encoder.id().key(),
            learner,
            pairs: self.pairs.len(),
            translations,
            docs,
            df,
            vocab,
            accents,
        };
        if table.translations.is_empty() {
            info!(pipeline = %self.pipeline, pairs = table.pairs, "no term translations learned from the name pairs");
        } else {
            info!(
                pipeline = %self.pipeline,
                pairs = table.pairs,
                terms = table.translations.len(),
                "learned term translations from the catalogue's name pairs"
            );
        }
        let pairs = PairsFile { made: self.made, pairs: self.pairs };
        write_whole(&pairs_path(&self.state_dir, &self.pipeline), &to_json(&pairs)?)?;
        write_whole(&table_path(&self.state_dir, &self.pipeline), &to_json(&table)?)
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))
}

/// A pipeline's kept table, checked to be made for the collection, the fields and the
/// tokeniser searched; the translations and the vocabulary come from it, each made once per
/// table read.
pub(crate) struct Kept(Arc<Loaded>);

/// A table file as read, with what searches make of it.
struct Loaded {
    file: TableFile,
    translations: OnceLock<HashMap<u32, Vec<(u32, f32)>>>,
    translations_idf: OnceLock<HashMap<u32, Vec<(u32, f32)>>>,
    vocabulary: OnceLock<Option<Vocabulary>>,
}

impl Loaded {
    fn new(file: TableFile) -> Self {
        Loaded { file, translations: OnceLock::new(), translations_idf: OnceLock::new(), vocabulary: OnceLock::new() }
    }
}

/// The tables this process read, by file, with the file's modification time and length when
/// read: a long-lived process (the daemon's status page, an embedding application's
/// [`crate::Searcher`]) reads and indexes a table again only when a run replaced it. A table
/// is written whole and renamed into place, so a new one is a new file.
type Cache = HashMap<PathBuf, (Stamp, Arc<Loaded>)>;

/// What tells one table file from the next at a path: its modification time, length and (on
/// Unix) inode; a file renamed into place has its own.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stamp(std::time::SystemTime, u64, u64);

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp(meta.modified().ok()?, meta.len(), inode))
    }
}
static READ: Mutex<Option<Cache>> = Mutex::new(None);

/// The kept table of `pipeline`, when there is one made for `collection`, `fields` and
/// `encoder`'s terms; `None` otherwise (never run, another collection, other fields, another
/// tokeniser, an unreadable file: searched without translations and corrections).
pub(crate) fn open(
    state_dir: &Path,
    pipeline: &str,
    collection: &str,
    fields: &[String; 2],
    encoder: &LexicalEncoder,
) -> Option<Kept> {
    let relearn = std::env::var(SEARCH_LEARNER_ENV).ok().and_then(|v| Learner::named(&v));
    open_learned(state_dir, pipeline, collection, fields, encoder, relearn.map(|l| (l, Short::from_env())))
}

/// [`open`], with the translations learned again from the kept pairs by `relearn`'s learner
/// and rule when given.
fn open_learned(
    state_dir: &Path,
    pipeline: &str,
    collection: &str,
    fields: &[String; 2],
    encoder: &LexicalEncoder,
    relearn: Option<(Learner, Short)>,
) -> Option<Kept> {
    let table = cached_table(state_dir, pipeline)?;
    let made = Made { collection: collection.to_owned(), fields: fields.clone() };
    if table.file.made != made || table.file.lexical != encoder.id().key() {
        return None;
    }
    match relearn {
        Some((learner, short)) => relearned(state_dir, pipeline, &table.file, learner, short, encoder).map(Kept),
        None => Some(Kept(table)),
    }
}

/// `kept` with its translations learned again from the kept pairs by `learner` with `short`'s
/// rule ([`SEARCH_LEARNER_ENV`]); `None` when the pairs cannot be read or were made for
/// something else.
fn relearned(
    state_dir: &Path,
    pipeline: &str,
    kept: &TableFile,
    learner: Learner,
    short: Short,
    encoder: &LexicalEncoder,
) -> Option<Arc<Loaded>> {
    let pairs = kept_pairs(state_dir, pipeline, &kept.made)?;
    let translations = learned(encoder, learner, short, &pairs);
    Some(Arc::new(Loaded::new(TableFile { learner, pairs: pairs.len(), translations, ..kept.clone() })))
}

/// The kept pairs of `pipeline` when they were made for `made`; `None` when there are none,
/// they were made for another collection or fields, or cannot be read (said in the log).
fn kept_pairs(state_dir: &Path, pipeline: &str, made: &Made) -> Option<BTreeMap<String, [String; 2]>> {
    let path = pairs_path(state_dir, pipeline);
    match std::fs::read(&path).map(|b| serde_json::from_slice::<PairsFile>(&b)) {
        Ok(Ok(kept)) => (kept.made == *made).then_some(kept.pairs),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Ok(Err(e)) => {
            warn!(file = %path.display(), error = %e, "the kept translation pairs are unreadable; not using them");
            None
        }
        Err(e) => {
            warn!(file = %path.display(), error = %e, "cannot read the kept translation pairs; not using them");
            None
        }
    }
}

/// The translations `learner` learns from `pairs` (key → the two fields' texts).
fn learned(
    encoder: &LexicalEncoder,
    learner: Learner,
    short: Short,
    pairs: &BTreeMap<String, [String; 2]>,
) -> Translations {
    learn(encoder, learner, short, pairs.values().map(|[a, b]| (a.as_str(), b.as_str())))
}

/// The table of `pipeline` from [`READ`] when its file is the one read there, else read.
fn cached_table(state_dir: &Path, pipeline: &str) -> Option<Arc<Loaded>> {
    let path = table_path(state_dir, pipeline);
    let stamp = Stamp::of(&path);
    let mut read = READ.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let cache = read.get_or_insert_with(HashMap::new);
    match (stamp, cache.get(&path)) {
        (Some(stamp), Some((seen, table))) if *seen == stamp => return Some(table.clone()),
        _ => {
            cache.remove(&path);
        }
    }
    drop(read);
    let file = read_table(state_dir, pipeline)?;
    let loaded = Arc::new(Loaded::new(file));
    if let Some(stamp) = stamp {
        let mut read = READ.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        read.get_or_insert_with(HashMap::new).insert(path, (stamp, loaded.clone()));
    }
    Some(loaded)
}

impl Kept {
    /// The translations by lexical index. With `idf`, each translation's strength is
    /// multiplied by its source term's IDF over its own (see [`Translations::by_id_idf`]),
    /// where the table has the counts.
    pub(crate) fn translations(&self, idf: bool) -> &HashMap<u32, Vec<(u32, f32)>> {
        let (loaded, table) = (&self.0, &self.0.file);
        if idf && table.docs > 0 {
            loaded.translations_idf.get_or_init(|| table.translations.by_id_idf(table.docs, &table.df))
        } else {
            loaded.translations.get_or_init(|| table.translations.by_id())
        }
    }

    /// The collection's vocabulary, when a full run counted it; `None` otherwise (searched
    /// without typo tolerance).
    pub(crate) fn vocabulary(&self) -> Option<&Vocabulary> {
        let vocab = &self.0.file.vocab;
        self.0.vocabulary.get_or_init(|| (!vocab.is_empty()).then(|| Vocabulary::new(vocab))).as_ref()
    }

    /// The catalogue's spellings with diacritics by folded word ([`super::accents`]); empty
    /// when a full run has not counted them.
    pub(crate) fn accents(&self) -> &BTreeMap<String, String> {
        &self.0.file.accents
    }
}

fn read_table(state_dir: &Path, pipeline: &str) -> Option<TableFile> {
    let path = table_path(state_dir, pipeline);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            warn!(file = %path.display(), error = %e, "cannot read the learned translations; searching without them");
            return None;
        }
    };
    let table: TableFile = match serde_json::from_slice(&bytes) {
        Ok(t) => t,
        Err(e) => {
            warn!(file = %path.display(), error = %e, "the learned translations are unreadable; searching without them");
            return None;
        }
    };
    Some(table)
}

#[cfg(test)]
mod tests;
