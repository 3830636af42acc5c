//! How many pages a query matches, for the `total` of an answer.

use tantivy::query::{EnableScoring, Query};
use tantivy::{DocSet, Searcher, TERMINATED};

use super::TotalRelation;

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
