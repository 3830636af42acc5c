//! The first phase of the common query — a flat union of weighted term clauses — by
//! MaxScore (Turtle & Flood 1995; Lucene's `MaxScoreBulkScorer` does the same).
//!
//! tantivy prunes such a union with block-max WAND, which keeps its term cursors sorted by
//! document and re-sorts them after every scored document: with the 200 candidates the
//! second phase wants, its walk was 38% of a keyword query, a quarter of that the sorting
//! (BENCHMARKS.md, session 9). MaxScore needs no order: the clauses are ranked once by the
//! highest score each can give, and those whose bounds together cannot lift a page past
//! the current 200th score stop driving the walk (they are *non-essential*: only looked up,
//! by seeking, for the pages the others find); the blocks' highest scores skip whole
//! stretches of the driving lists. The scores are tantivy's own (the same BM25 weights from
//! the same statistics, summed in another order), so the candidates are the same.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::BlockSegmentPostings;
use tantivy::query::{Bm25Weight, BoostWeight, EnableScoring, Query, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, Score, Term, TERMINATED};

use super::deadline;
use super::stats::TermStats;

/// A term clause with its weight: tantivy's `TermQuery` (with frequencies) boosted, in a
/// type the first phase can recognise in the built query.
#[derive(Clone, Debug)]
pub struct WeightedTerm {
    /// The term looked up.
    pub term: Term,
    /// Its BM25 score's factor.
    pub boost: Score,
}

impl Query for WeightedTerm {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weight = TermQuery::new(self.term.clone(), IndexRecordOption::WithFreqs)
            .weight(enable_scoring)?;
        if (self.boost - 1.0).abs() < f32::EPSILON {
            Ok(weight)
        } else {
            Ok(Box::new(BoostWeight::new(weight, self.boost)))
        }
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

/// Documents walked between two looks at the clock.
const CHECK_EVERY: u32 = 1024;

/// Docs of a block of postings (tantivy's `COMPRESSION_BLOCK_SIZE`).
const BLOCK: usize = 128;

/// One clause's postings in a segment with its weight: tantivy's `SegmentPostings` walk
/// over a `BlockSegmentPostings`, which also tells the current block's last document and
/// highest score.
struct Cursor {
    block: BlockSegmentPostings,
    /// Position in the decoded block; past a list's last document, it reads `TERMINATED`.
    i: usize,
    norms: FieldNormReader,
    weight: Bm25Weight,
}

impl Cursor {
    fn doc(&self) -> DocId {
        self.block.doc(self.i)
    }

    /// No page scores more on this clause (tantivy's bound: the weight at saturation).
    fn max(&self) -> Score {
        self.weight.max_score()
    }

    fn score(&self) -> Score {
        let doc = self.doc();
        self.weight
            .score(self.norms.fieldnorm_id(doc), self.block.freq(self.i))
    }

    fn advance(&mut self) {
        if self.i == BLOCK - 1 {
            self.i = 0;
            self.block.advance();
        } else {
            self.i += 1;
        }
    }

    /// To the first document at or after `target`.
    fn seek(&mut self, target: DocId) {
        if self.doc() < target {
            self.i = self.block.seek(target);
        }
    }

    /// The last document of the current block (`TERMINATED` for a list's last block).
    fn block_last(&self) -> DocId {
        self.block.doc(BLOCK - 1)
    }

    /// The highest score of the current block's documents.
    fn block_max(&mut self) -> Score {
        self.block.block_max_score(&self.norms, &self.weight)
    }
}

/// A candidate in the heap of the best, ordered so that the worst is the greatest (on top of
/// the max-heap): the lowest score, and of equal scores the later document (tantivy keeps
/// the earlier one).
#[derive(PartialEq)]
struct Entry(Score, DocAddress);

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .0
            .total_cmp(&self.0)
            .then_with(|| self.1.cmp(&other.1))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The best `k` documents of the union of `clauses` (term, boost) with their scores, best
/// first (ties: lower address first), as `TopDocs::with_limit(k).order_by_score()` finds
/// them. Stops early, with what it has, when `deadline` passes (the caller checks).
///
/// The walk goes window by window, a window ending where the current block of one of the
/// driving clauses ends: when the blocks' highest scores cannot beat the threshold, the
/// whole window is skipped without a document scored (block-max, as in tantivy's WAND).
pub fn top_k(
    stats: &TermStats,
    clauses: &[(Term, Score)],
    k: usize,
    deadline: Option<Instant>,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    if k == 0 {
        return Ok(vec![]);
    }
    let searcher = stats.searcher();
    let mut weights = Vec::with_capacity(clauses.len());
    for (term, boost) in clauses {
        let w = Bm25Weight::for_terms(stats, std::slice::from_ref(term))?.boost_by(*boost);
        weights.push(w);
    }
    let mut best = Best {
        heap: BinaryHeap::with_capacity(k),
        k,
    };
    let mut walked = 0u32;
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let mut cursors = Vec::with_capacity(clauses.len());
        for ((term, _), weight) in clauses.iter().zip(&weights) {
            let index = reader.inverted_index(term.field())?;
            let option = IndexRecordOption::WithFreqs;
            let block = match stats.term_info(ord, term) {
                Some(None) => None,
                Some(Some(info)) => Some(index.read_block_postings_from_terminfo(&info, option)?),
                None => index.read_block_postings(term, option)?,
            };
            let Some(block) = block else { continue };
            if block.doc(0) == TERMINATED {
                continue;
            }
            let norms = reader
                .fieldnorms_readers()
                .get_field(term.field())?
                .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
            cursors.push(Cursor {
                block,
                i: 0,
                norms,
                weight: weight.clone(),
            });
        }
        // Lowest bound first: the non-essential clauses are a prefix.
        cursors.sort_by(|a, b| a.max().total_cmp(&b.max()));
        // bound[i]: the most the clauses 0..=i can add together.
        let bound: Vec<Score> = cursors
            .iter()
            .scan(0.0, |sum, c| {
                *sum += c.max();
                Some(*sum)
            })
            .collect();
        let alive = reader.alive_bitset();
        let mut threshold = best.threshold();
        // The first clause that, with all below it, could beat the threshold drives.
        let mut essential = bound.partition_point(|&b| b <= threshold);
        'windows: while essential < cursors.len() {
            let start = cursors[essential..].iter().map(Cursor::doc).min();
            let Some(start) = start.filter(|&d| d != TERMINATED) else {
                break;
            };
            let end = cursors[essential..]
                .iter()
                .map(Cursor::block_last)
                .min()
                .unwrap_or(TERMINATED);
            let lower = if essential > 0 {
                bound[essential - 1]
            } else {
                0.0
            };
            let mut upper = lower;
            for c in &mut cursors[essential..] {
                if c.doc() <= end {
                    upper += c.block_max();
                }
            }
            if upper <= threshold {
                if end == TERMINATED {
                    break;
                }
                for c in &mut cursors[essential..] {
                    c.seek(end + 1);
                }
                continue;
            }
            let mut doc = start;
            loop {
                walked += 1;
                if walked.is_multiple_of(CHECK_EVERY) && deadline::passed(deadline) {
                    return Ok(best.into_sorted());
                }
                let mut score = 0.0;
                let mut next = TERMINATED;
                for c in &mut cursors[essential..] {
                    if c.doc() == doc {
                        score += c.score();
                        c.advance();
                    }
                    next = next.min(c.doc());
                }
                // The non-essential clauses, largest bound first, while the page can still
                // make it.
                let mut i = essential;
                while i > 0 && score + bound[i - 1] > threshold {
                    i -= 1;
                    let c = &mut cursors[i];
                    c.seek(doc);
                    if c.doc() == doc {
                        score += c.score();
                    }
                }
                if i == 0 && score > threshold && alive.is_none_or(|a| a.is_alive(doc)) {
                    best.push(score, DocAddress::new(ord as u32, doc));
                    let t = best.threshold();
                    if t > threshold {
                        threshold = t;
                        let e = bound.partition_point(|&b| b <= threshold);
                        if e != essential {
                            // Fewer clauses drive: the window's bounds change.
                            essential = e;
                            continue 'windows;
                        }
                    }
                }
                if next > end || next == TERMINATED {
                    break;
                }
                doc = next;
            }
        }
    }
    Ok(best.into_sorted())
}

/// The best `k` entries seen; the pruning threshold is the lowest score once full.
struct Best {
    heap: BinaryHeap<Entry>,
    k: usize,
}

impl Best {
    /// The score a document must beat to enter (none while there is room).
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(e) if self.heap.len() >= self.k => e.0,
            _ => Score::NEG_INFINITY,
        }
    }

    fn push(&mut self, score: Score, addr: DocAddress) {
        if self.heap.len() < self.k {
            self.heap.push(Entry(score, addr));
        } else if let Some(mut worst) = self.heap.peek_mut() {
            // Replaced in place: one sift down instead of a pop and a push.
            *worst = Entry(score, addr);
        }
    }

    fn into_sorted(self) -> Vec<(Score, DocAddress)> {
        let mut all: Vec<(Score, DocAddress)> =
            self.heap.into_iter().map(|Entry(s, a)| (s, a)).collect();
        // Unstable is enough: no two entries share an address.
        all.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        all
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur};
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index, IndexWriter};

    use super::*;

    /// A deterministic pseudo-random sequence (an LCG), so the test needs no crate.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    /// Against tantivy's block-max WAND over the same clauses: the same scores, and the same
    /// documents wherever the scores are not tied, on two segments with deleted documents,
    /// words of every frequency (lists of one block and of many) and depths from 1 to more
    /// than the matches.
    #[test]
    fn finds_what_tantivy_finds() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut rng = Lcg(7);
        let words: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        for n in 0..6_000u64 {
            // Word i appears with a probability falling with i; documents of 1 to 60 words.
            let len = 1 + rng.next(60);
            let text: Vec<&str> = (0..len)
                .map(|_| words[(rng.next(40) * rng.next(40) / 40) as usize].as_str())
                .collect();
            writer
                .add_document(doc!(body => format!("d{n} {}", text.join(" "))))
                .unwrap();
            if n == 3_500 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        for n in (0..6_000).step_by(7) {
            writer.delete_term(Term::from_field_text(body, &format!("d{n}")));
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        for round in 0..60 {
            let n_terms = 1 + rng.next(6) as usize;
            let clauses: Vec<(Term, Score)> = (0..n_terms)
                .map(|_| {
                    let w = &words[rng.next(40) as usize];
                    let boost = [1.0, 0.5, 0.1, 2.0][rng.next(4) as usize];
                    (Term::from_field_text(body, w), boost)
                })
                .collect();
            let k = [1, 10, 200, 5_000][round % 4];
            let stats = TermStats::new(&searcher);
            let ours = top_k(&stats, &clauses, k, None).unwrap();
            let query = BooleanQuery::new(
                clauses
                    .iter()
                    .map(|(term, boost)| {
                        let q: Box<dyn Query> = Box::new(WeightedTerm {
                            term: term.clone(),
                            boost: *boost,
                        });
                        (Occur::Should, q)
                    })
                    .collect(),
            );
            let theirs = searcher
                .search(&query, &TopDocs::with_limit(k).order_by_score())
                .unwrap();
            assert_eq!(ours.len(), theirs.len(), "{clauses:?} k={k}");
            let close = |a: Score, b: Score| (a - b).abs() <= 1e-4 * a.abs().max(1.0);
            for (o, t) in ours.iter().zip(&theirs) {
                assert!(close(o.0, t.0), "{clauses:?} k={k}: {o:?} vs {t:?}");
            }
            // Untied documents are the same ones.
            let last = theirs.last().map_or(0.0, |t| t.0);
            for (score, addr) in &theirs {
                if !close(*score, last) {
                    assert!(
                        ours.iter().any(|o| o.1 == *addr),
                        "{clauses:?} k={k}: {addr:?}"
                    );
                }
            }
        }
    }
}
