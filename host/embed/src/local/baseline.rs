//! The model alone: bare ONNX Runtime sessions over texts tokenised beforehand, for the
//! benchmarks that compare weir's local embedding with the most the model can do.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ort::session::Session;
use ort::value::Tensor;

use super::batching::{Batching, plan};
use super::{LocalModel, MAX_TOKENS, ModelPaths, load_tokenizer, onnx_environment, session_builder};
use crate::{Error, Result};

/// Inference calls ready to run: token ids and masks, padded per call.
#[derive(Debug)]
pub struct Prepared {
    calls: Vec<(usize, usize, Vec<i64>, Vec<i64>)>,
    /// Texts.
    pub texts: usize,
    /// Tokens of the texts themselves.
    pub tokens: usize,
    /// Tokens fed, padding included.
    pub padded_tokens: usize,
}

impl Prepared {
    /// Inference calls.
    pub fn calls(&self) -> usize {
        self.calls.len()
    }
}

/// `sessions` sessions of `threads` intra-op threads each, running calls concurrently.
pub struct ModelAlone {
    sessions: Vec<Session>,
    token_types: bool,
    dir: std::path::PathBuf,
}

impl std::fmt::Debug for ModelAlone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelAlone").field("sessions", &self.sessions.len()).finish_non_exhaustive()
    }
}

impl ModelAlone {
    /// Loads `sessions` sessions of `model` with the embedder's session settings. Blocking.
    pub fn new(paths: &ModelPaths, model: LocalModel, sessions: usize, threads: usize) -> Result<Self> {
        let env = onnx_environment(paths)?;
        let dir = paths.model_dir(model);
        let sessions = (0..sessions.max(1))
            .map(|_| {
                session_builder(&env, threads)
                    .and_then(|mut b| b.commit_from_file(dir.join("model.onnx")).map_err(|e| e.to_string()))
                    .map_err(Error::Inference)
            })
            .collect::<Result<Vec<_>>>()?;
        let token_types = sessions.iter().any(|s| s.inputs().iter().any(|i| i.name() == "token_type_ids"));
        Ok(Self { sessions, token_types, dir })
    }

    /// Tokenises `texts` (as sent: prefixes included) and cuts them into calls: all of them
    /// sorted by token count when `sort`, at most `max_tokens` padded tokens (0: `max_texts`
    /// texts) and `max_texts` texts per call.
    pub fn prepare(&self, texts: &[String], max_tokens: usize, max_texts: usize, sort: bool) -> Result<Prepared> {
        let mut tokenizer = load_tokenizer(&self.dir, MAX_TOKENS).map_err(Error::Inference)?;
        let pad = tokenizer.get_padding().map_or(0, |p| i64::from(p.pad_id));
        tokenizer.with_padding(None);
        let encodings = texts
            .iter()
            .map(|t| tokenizer.encode(t.as_str(), true))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::Inference(e.to_string()))?;
        let lengths: Vec<usize> = encodings.iter().map(|e| e.len()).collect();
        let batching = Batching { max_tokens, max_texts, sort };
        let mut padded_tokens = 0;
        let calls = plan(&lengths, batching)
            .into_iter()
            .map(|call| {
                let len = call.iter().map(|&i| lengths[i]).max().unwrap_or(0).max(1);
                padded_tokens += len * call.len();
                let mut ids = vec![pad; len * call.len()];
                let mut mask = vec![0i64; len * call.len()];
                for (row, &i) in call.iter().enumerate() {
                    for (t, (&id, &m)) in
                        encodings[i].get_ids().iter().zip(encodings[i].get_attention_mask()).enumerate()
                    {
                        ids[row * len + t] = i64::from(id);
                        mask[row * len + t] = i64::from(m);
                    }
                }
                (call.len(), len, ids, mask)
            })
            .collect();
        Ok(Prepared { calls, texts: texts.len(), tokens: lengths.iter().sum(), padded_tokens })
    }

    /// Runs every call of `prepared` once, each session on its own thread taking the next
    /// call; the wall time.
    pub fn run(&mut self, prepared: &Prepared) -> Result<Duration> {
        let next = AtomicUsize::new(0);
        let token_types = self.token_types;
        let start = Instant::now();
        let outcomes: Vec<Result<()>> = std::thread::scope(|scope| {
            let workers: Vec<_> = self
                .sessions
                .iter_mut()
                .map(|session| {
                    let next = &next;
                    scope.spawn(move || -> Result<()> {
                        while let Some((rows, len, ids, mask)) =
                            prepared.calls.get(next.fetch_add(1, Ordering::Relaxed))
                        {
                            let failed = |e: ort::Error| Error::Inference(e.to_string());
                            let shape = [*rows, *len];
                            let mut inputs = ort::inputs![
                                "input_ids" => Tensor::from_array((shape, ids.clone())).map_err(failed)?,
                                "attention_mask" => Tensor::from_array((shape, mask.clone())).map_err(failed)?,
                            ];
                            if token_types {
                                let types = Tensor::from_array((shape, vec![0i64; ids.len()])).map_err(failed)?;
                                inputs.push(("token_type_ids".into(), types.into()));
                            }
                            let out = session.run(inputs).map_err(failed)?;
                            std::hint::black_box(&out);
                        }
                        Ok(())
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|_| Err(Error::Inference("a worker panicked".into()))))
                .collect()
        });
        let elapsed = start.elapsed();
        outcomes.into_iter().collect::<Result<Vec<()>>>()?;
        Ok(elapsed)
    }
}
