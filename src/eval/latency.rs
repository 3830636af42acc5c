//! Query latency in-process: what `hitta bench search` prints. Every query runs through
//! the same path as HTTP ([`Searcher::search_with`]), one after the other on one
//! thread, after a warm-up pass, so the figures are the engine's and not the network's.

use std::fmt;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::search::{read_queries, EvalError};
use crate::search::{SearchError, SearchRequest, Searcher};

/// Latency of one query file.
#[derive(Debug, Clone, Serialize)]
pub struct LatencyReport {
    /// The file name without extension (`keywords`).
    pub set: String,
    /// Queries timed per pass (empty queries are left out).
    pub queries: usize,
    /// Timed passes over them.
    pub passes: usize,
    /// Hits asked for.
    pub limit: usize,
    /// Whether snippets were built for the hits.
    pub snippets: bool,
    /// Nearest-rank percentiles and mean, milliseconds.
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub mean_ms: f64,
}

impl fmt::Display for LatencyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<12} {:>5} queries x {} passes, top {}{}: p50 {:.3} ms  p95 {:.3} ms  p99 {:.3} ms  mean {:.3} ms",
            self.set,
            self.queries,
            self.passes,
            self.limit,
            if self.snippets { " with snippets" } else { "" },
            self.p50_ms,
            self.p95_ms,
            self.p99_ms,
            self.mean_ms
        )
    }
}

/// Time every query of `file` `passes` times after one untimed pass.
pub fn run(
    searcher: &Searcher,
    file: &Path,
    passes: usize,
    limit: usize,
    snippets: bool,
) -> Result<LatencyReport, EvalError> {
    let requests: Vec<SearchRequest> = read_queries(file)?
        .into_iter()
        .map(|(_, text)| SearchRequest {
            q: text.chars().take(300).collect(),
            limit: Some(limit),
            offset: None,
            facets: None,
        })
        .collect();
    let once = |req: &SearchRequest| -> Result<Option<f64>, EvalError> {
        let t = Instant::now();
        match searcher.search_with(req, snippets) {
            Ok(_) => Ok(Some(t.elapsed().as_secs_f64() * 1000.0)),
            Err(SearchError::EmptyQuery) => Ok(None),
            Err(e) => Err(e.into()),
        }
    };
    for req in &requests {
        once(req)?;
    }
    let mut times = Vec::with_capacity(requests.len() * passes);
    for _ in 0..passes.max(1) {
        for req in &requests {
            times.extend(once(req)?);
        }
    }
    times.sort_by(f64::total_cmp);
    let rank = |p: f64| -> f64 {
        if times.is_empty() {
            return 0.0;
        }
        let k = ((p * times.len() as f64).ceil() as usize).clamp(1, times.len());
        times[k - 1]
    };
    Ok(LatencyReport {
        set: file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        queries: times.len() / passes.max(1),
        passes: passes.max(1),
        limit,
        snippets,
        p50_ms: rank(0.50),
        p95_ms: rank(0.95),
        p99_ms: rank(0.99),
        mean_ms: times.iter().sum::<f64>() / times.len().max(1) as f64,
    })
}
