//! A search that stops when its time is up.
//!
//! The HTTP layer answers 503 once a request's time has run out, but the search itself
//! would run to its end on the blocking pool, holding a permit. [`Deadline`] wraps the
//! collector of a search and refuses to start another segment once the deadline has
//! passed, so a runaway query gives its thread back after at most one segment's work.

use std::time::Instant;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{SegmentOrdinal, SegmentReader, TantivyError};

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
}
