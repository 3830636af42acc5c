//! How many pages a query matches, for the `total` of an answer.

use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Query};
use tantivy::{DocSet, Searcher, Term, TERMINATED};

use super::stats::TermStats;
use super::TotalRelation;

/// At least how many live documents the union of `terms` matches, from the term
/// dictionary alone: in each segment, the most documents any one term is in, less the
/// segment's deleted documents. When that reaches the count's limit, [`up_to`] need not
/// walk the union (most keyword queries and questions hold a word of over 1,000 pages).
pub fn union_at_least(stats: &TermStats, terms: &[(Term, f32)]) -> tantivy::Result<usize> {
    let segments = stats.searcher().segment_readers();
    let mut most = vec![0u32; segments.len()];
    for (term, _) in terms {
        stats.doc_freq(term)?;
        for (ord, m) in most.iter_mut().enumerate() {
            if let Some(Some(info)) = stats.term_info(ord, term) {
                *m = (*m).max(info.doc_freq);
            }
        }
    }
    Ok(segments
        .iter()
        .zip(most)
        .map(|(seg, m)| m.saturating_sub(seg.num_deleted_docs()) as usize)
        .sum())
}

/// How many live documents `query` matches, counted up to `limit` (0: all). Counting a
/// question's matches walks a large share of the index (9% of a question's time at
/// 45,000 pages); a results page needs no more than "over a thousand".
pub fn up_to(
    query: &dyn Query,
    searcher: &Searcher,
    limit: usize,
) -> tantivy::Result<(usize, TotalRelation)> {
    if limit == 0 {
        return Ok((query.count(searcher)?, TotalRelation::Eq));
    }
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut total = 0;
    for seg in searcher.segment_readers() {
        let alive = seg.alive_bitset();
        let mut docs = weight.scorer(seg, 1.0)?;
        let mut doc = docs.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                total += 1;
                if total >= limit {
                    return Ok((total, TotalRelation::Gte));
                }
            }
            doc = docs.advance();
        }
    }
    Ok((total, TotalRelation::Eq))
}
