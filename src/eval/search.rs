//! Ranking evaluation: run judged queries through the same search path as HTTP and
//! score the rankings (nDCG@10, MRR@10, Recall@10, Recall@100), like Elasticsearch's
//! ranking evaluation API. Queries are `qid<TAB>text`; qrels are TREC `qid 0 docid rel`,
//! where docid is the file name without its extension.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Write;
use std::path::Path;

use crate::search::{SearchError, SearchRequest, Searcher};

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} line {line}: {message}")]
    Format {
        path: String,
        line: usize,
        message: String,
    },
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Mean scores over a set of queries.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Scores {
    /// Judged queries scored.
    pub queries: usize,
    /// Mean nDCG@10.
    pub ndcg10: f64,
    /// Mean reciprocal rank of the first relevant hit in the top 10.
    pub mrr10: f64,
    /// Mean share of the relevant pages found in the top 10.
    pub recall10: f64,
    /// Mean share of the relevant pages found in the top 100.
    pub recall100: f64,
}

/// Scores overall and per query set (the qid's prefix before the first `-`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SearchReport {
    /// Over all judged queries.
    pub overall: Scores,
    /// Per query set, e.g. `swefaq`, `swequad`.
    pub sets: BTreeMap<String, Scores>,
    /// Median search time per query, milliseconds.
    pub median_ms: f64,
    /// Hits asked for per query (R@100 counts only these).
    pub limit: usize,
}

impl fmt::Display for SearchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<12} {:>7} {:>8} {:>7} {:>7} {:>7}",
            "set", "queries", "nDCG@10", "MRR@10", "R@10", "R@100"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, s: &Scores| {
            writeln!(
                f,
                "{:<12} {:>7} {:>8.4} {:>7.4} {:>7.4} {:>7.4}",
                name, s.queries, s.ndcg10, s.mrr10, s.recall10, s.recall100
            )
        };
        for (name, s) in &self.sets {
            row(f, name, s)?;
        }
        row(f, "all", &self.overall)?;
        writeln!(
            f,
            "median search time {:.2} ms per query (top {})",
            self.median_ms, self.limit
        )
    }
}

fn read(path: &Path) -> Result<String, EvalError> {
    std::fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Judgements: qid → docid → relevance.
pub fn read_qrels(path: &Path) -> Result<HashMap<String, HashMap<String, u32>>, EvalError> {
    let mut out: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for (i, line) in read(path)?.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() {
            continue;
        }
        let [qid, _, doc, rel] = cols[..] else {
            return Err(EvalError::Format {
                path: path.display().to_string(),
                line: i + 1,
                message: "expected `qid 0 docid rel`".into(),
            });
        };
        let rel: u32 = rel.parse().map_err(|_| EvalError::Format {
            path: path.display().to_string(),
            line: i + 1,
            message: format!("relevance {rel:?} is not a whole number"),
        })?;
        out.entry(qid.to_string())
            .or_default()
            .insert(doc.to_string(), rel);
    }
    Ok(out)
}

/// Queries as `(qid, text)` in file order.
pub fn read_queries(path: &Path) -> Result<Vec<(String, String)>, EvalError> {
    let mut out = Vec::new();
    for (i, line) in read(path)?.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((qid, text)) = line.split_once('\t') else {
            return Err(EvalError::Format {
                path: path.display().to_string(),
                line: i + 1,
                message: "expected `qid<TAB>text`".into(),
            });
        };
        out.push((qid.to_string(), text.to_string()));
    }
    Ok(out)
}

/// The docid of a hit path: its file name without extension.
pub fn docid(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map(|(stem, _)| stem).unwrap_or(name)
}

/// Score one ranking against its judgements.
pub fn score(ranked: &[&str], judged: &HashMap<String, u32>) -> Scores {
    let relevant = judged.values().filter(|&&r| r > 0).count();
    let gain = |d: &str| judged.get(d).copied().unwrap_or(0) as f64;
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, d)| gain(d) / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<f64> = judged.values().map(|&r| r as f64).collect();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, g)| g / ((i + 2) as f64).log2())
        .sum();
    let first = ranked.iter().take(10).position(|d| gain(d) > 0.0);
    let found = |k: usize| ranked.iter().take(k).filter(|d| gain(d) > 0.0).count() as f64;
    let denom = relevant.max(1) as f64;
    Scores {
        queries: 1,
        ndcg10: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        mrr10: first.map(|p| 1.0 / (p + 1) as f64).unwrap_or(0.0),
        recall10: found(10) / denom,
        recall100: found(100) / denom,
    }
}

fn mean(all: &[Scores]) -> Scores {
    let n = all.len().max(1) as f64;
    Scores {
        queries: all.len(),
        ndcg10: all.iter().map(|s| s.ndcg10).sum::<f64>() / n,
        mrr10: all.iter().map(|s| s.mrr10).sum::<f64>() / n,
        recall10: all.iter().map(|s| s.recall10).sum::<f64>() / n,
        recall100: all.iter().map(|s| s.recall100).sum::<f64>() / n,
    }
}

/// Run every judged query (the top `limit`, 100 for R@100; 10 scores a results page, whose
/// second phase still rescores `rerank_depth` candidates) and score it; with `runs`, also
/// write a TREC run file.
pub fn run(
    searcher: &Searcher,
    queries: &Path,
    qrels: &Path,
    limit: usize,
    mut runs: Option<&mut dyn Write>,
) -> Result<SearchReport, EvalError> {
    let qrels = read_qrels(qrels)?;
    let mut per_set: BTreeMap<String, Vec<Scores>> = BTreeMap::new();
    let mut all = Vec::new();
    let mut times = Vec::new();
    for (qid, text) in read_queries(queries)? {
        let Some(judged) = qrels.get(&qid) else {
            continue;
        };
        let req = SearchRequest {
            q: text.chars().take(300).collect(),
            limit: Some(limit),
            offset: None,
            facets: None,
        };
        let answer = match searcher.search_with(&req, false) {
            Ok(a) => a,
            Err(SearchError::EmptyQuery) => continue,
            Err(e) => return Err(e.into()),
        };
        times.push(answer.took_ms);
        let ranked: Vec<&str> = answer.hits.iter().map(|h| docid(&h.path)).collect();
        if let Some(w) = runs.as_deref_mut() {
            for (i, (d, h)) in ranked.iter().zip(&answer.hits).enumerate() {
                let _ = writeln!(w, "{qid} Q0 {d} {} {:.4} hitta", i + 1, h.score);
            }
        }
        let s = score(&ranked, judged);
        let set = qid.split('-').next().unwrap_or(&qid).to_string();
        per_set.entry(set).or_default().push(s.clone());
        all.push(s);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok(SearchReport {
        overall: mean(&all),
        sets: per_set.iter().map(|(k, v)| (k.clone(), mean(v))).collect(),
        median_ms: times.get(times.len() / 2).copied().unwrap_or(0.0),
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, u32)]) -> HashMap<String, u32> {
        pairs.iter().map(|(d, r)| (d.to_string(), *r)).collect()
    }

    #[test]
    fn perfect_and_second_place_rankings() {
        let j = judged(&[("a", 1)]);
        let s = score(&["a", "b"], &j);
        assert!((s.ndcg10 - 1.0).abs() < 1e-9 && (s.mrr10 - 1.0).abs() < 1e-9);
        let s = score(&["b", "a"], &j);
        assert!((s.ndcg10 - 1.0 / 3f64.log2()).abs() < 1e-9);
        assert!((s.mrr10 - 0.5).abs() < 1e-9);
        assert_eq!(score(&["b"], &j).recall100, 0.0);
    }

    #[test]
    fn docid_is_the_file_stem() {
        assert_eq!(docid("sub/00012_ab.txt"), "00012_ab");
        assert_eq!(docid("x.y.html"), "x.y");
        assert_eq!(docid("noext"), "noext");
    }
}
