//! A search that stops when its time is up.
//!
//! The HTTP layer answers 503 once a request's time has run out, but the search itself
//! would run to its end on the blocking pool, holding a permit. [`Deadline`] wraps the
//! collector of a search and refuses to start another segment once the deadline has
//! passed; [`DeadlineQuery`] wraps its query so that the walk through one segment stops
//! too. A runaway query gives its thread back within about a thousand documents.

use std::time::Instant;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{
    DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TantivyError, Term, TERMINATED,
};

/// Documents walked between two looks at the clock (`Instant::now` costs ~20 ns).
const CHECK_EVERY: u32 = 1024;

/// `inner`, stopped between segments at `at` (never, if `None`).
pub struct Deadline<C> {
    inner: C,
    at: Option<Instant>,
}

impl<C> Deadline<C> {
    /// Wrap `inner`.
    pub fn new(inner: C, at: Option<Instant>) -> Deadline<C> {
        Deadline { inner, at }
    }

    fn check(&self) -> tantivy::Result<()> {
        if passed(self.at) {
            return Err(TantivyError::InternalError(
                "the search ran out of time".to_string(),
            ));
        }
        Ok(())
    }
}

/// Whether `at` has passed.
pub fn passed(at: Option<Instant>) -> bool {
    at.is_some_and(|at| Instant::now() >= at)
}

impl<C: Collector> Collector for Deadline<C> {
    type Fruit = C::Fruit;
    type Child = C::Child;

    fn for_segment(
        &self,
        segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<C::Child> {
        self.check()?;
        self.inner.for_segment(segment_local_id, segment)
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        segment_fruits: Vec<<C::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<C::Fruit> {
        self.inner.merge_fruits(segment_fruits)
    }

    // Delegated, not the default: top-k collectors override it to skip blocks (block-max
    // WAND), which the default per-document loop would lose.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<<C::Child as SegmentCollector>::Fruit> {
        self.check()?;
        self.inner.collect_segment(weight, segment_ord, reader)
    }
}

/// `inner`, whose walk through a segment ends early once `at` has passed: the matches
/// seen so far are all a collector gets, so the caller must check [`passed`] afterwards
/// and discard the result.
#[derive(Debug)]
pub struct DeadlineQuery {
    inner: Box<dyn Query>,
    at: Instant,
}

impl DeadlineQuery {
    /// Wrap `inner`.
    pub fn new(inner: Box<dyn Query>, at: Instant) -> DeadlineQuery {
        DeadlineQuery { inner, at }
    }
}

impl Clone for DeadlineQuery {
    fn clone(&self) -> Self {
        DeadlineQuery {
            inner: self.inner.box_clone(),
            at: self.at,
        }
    }
}

impl Query for DeadlineQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(DeadlineWeight {
            inner: self.inner.weight(enable_scoring)?,
            at: self.at,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct DeadlineWeight {
    inner: Box<dyn Weight>,
    at: Instant,
}

impl Weight for DeadlineWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(DeadlineScorer {
            inner: self.inner.scorer(reader, boost)?,
            at: self.at,
            walked: 0,
            stopped: false,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }

    // tantivy's `for_each` and `for_each_no_score` walk `self.scorer`, which stops at the
    // deadline. Counting walks doc ids without scoring them (or reads a term's document
    // frequency): fast enough to run to its end, and the inner weight knows the shortcuts.
    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        if passed(Some(self.at)) {
            return Ok(0);
        }
        self.inner.count(reader)
    }

    // Delegated, so that block-max WAND keeps skipping; once time is up the callback
    // raises the threshold to infinity, and no block can beat that.
    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut seen = 0u32;
        self.inner
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                let threshold = callback(doc, score);
                seen = seen.wrapping_add(1);
                if seen.is_multiple_of(64) && passed(Some(self.at)) {
                    Score::INFINITY
                } else {
                    threshold
                }
            })
    }
}

/// A scorer that reports the end of its documents once the deadline has passed.
struct DeadlineScorer {
    inner: Box<dyn Scorer>,
    at: Instant,
    walked: u32,
    stopped: bool,
}

impl DocSet for DeadlineScorer {
    fn advance(&mut self) -> DocId {
        if self.stopped {
            return TERMINATED;
        }
        self.walked = self.walked.wrapping_add(1);
        if self.walked.is_multiple_of(CHECK_EVERY) && passed(Some(self.at)) {
            self.stopped = true;
            return TERMINATED;
        }
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.stopped {
            return TERMINATED;
        }
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        if self.stopped {
            TERMINATED
        } else {
            self.inner.doc()
        }
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for DeadlineScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tantivy::collector::Count;
    use tantivy::query::AllQuery;
    use tantivy::schema::{Schema, STRING};
    use tantivy::{doc, Index};

    #[test]
    fn a_passed_deadline_stops_the_search_and_none_changes_nothing() {
        let mut b = Schema::builder();
        let f = b.add_text_field("f", STRING);
        let index = Index::create_in_ram(b.build());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..10 {
            w.add_document(doc!(f => i.to_string())).unwrap();
        }
        w.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let count = |at| searcher.search(&AllQuery, &Deadline::new(Count, at));
        assert_eq!(count(None).unwrap(), 10);
        let later = Instant::now() + Duration::from_secs(60);
        assert_eq!(count(Some(later)).unwrap(), 10);
        let past = Instant::now() - Duration::from_millis(1);
        assert!(passed(Some(past)));
        assert!(count(Some(past)).is_err());
    }

    /// One segment of 20,000 documents, all containing the term `a` of `f`.
    fn one_big_segment() -> (Index, tantivy::schema::Field) {
        let mut b = Schema::builder();
        let f = b.add_text_field("f", tantivy::schema::TEXT);
        let index = Index::create_in_ram(b.build());
        let mut w = index.writer_with_num_threads(1, 50_000_000).unwrap();
        for i in 0..20_000 {
            w.add_document(doc!(f => if i % 2 == 0 { "a" } else { "a a b" }))
                .unwrap();
        }
        w.commit().unwrap();
        (index, f)
    }

    #[test]
    fn a_passed_deadline_stops_the_walk_through_a_segment() {
        let (index, f) = one_big_segment();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let term = || {
            Box::new(tantivy::query::TermQuery::new(
                Term::from_field_text(f, "a"),
                tantivy::schema::IndexRecordOption::WithFreqs,
            )) as Box<dyn Query>
        };
        let later = DeadlineQuery::new(term(), Instant::now() + Duration::from_secs(60));
        let past = DeadlineQuery::new(term(), Instant::now() - Duration::from_millis(1));
        // Scored walk, as when counting matches for facets: stopped at the first check.
        let walked = |q: &DeadlineQuery| {
            let w = q
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            let mut n = 0u32;
            w.for_each(searcher.segment_reader(0), &mut |_, _| n += 1)
                .unwrap();
            n
        };
        assert_eq!(walked(&later), 20_000);
        assert_eq!(walked(&past), CHECK_EVERY);
        // Block-max WAND (top-k): once time is up no further document is offered.
        let offered = |q: &DeadlineQuery| {
            let w = q
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            let mut n = 0u32;
            w.for_each_pruning(f32::MIN, searcher.segment_reader(0), &mut |_, _| {
                n += 1;
                f32::MIN
            })
            .unwrap();
            n
        };
        assert_eq!(offered(&later), 20_000);
        assert_eq!(offered(&past), 64);
    }
}
