//! Which segments the writer merges during an import.
//!
//! tantivy's `LogMergePolicy` only leaves out segments *already* larger than its cap: eight
//! segments just under it still merge into one eight times larger, and that merge maps all
//! eight (at a million pages, a ~700 MB jump in resident memory, several times a run). This
//! policy takes the log policy's choices and packs each into merges whose result stays
//! within `max_docs`, so no merge touches more than about `max_docs` documents' worth of
//! index.

use std::collections::HashMap;

use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy};

/// [`LogMergePolicy`] whose merges never produce a segment over `max_docs` documents.
#[derive(Debug)]
pub struct CappedMergePolicy {
    inner: LogMergePolicy,
    max_docs: usize,
}

impl CappedMergePolicy {
    /// Merge like tantivy's log policy, in pieces of at most `max_docs` documents.
    pub fn new(max_docs: usize) -> CappedMergePolicy {
        let max_docs = max_docs.max(1);
        let mut inner = LogMergePolicy::default();
        inner.set_max_docs_before_merge(max_docs);
        CappedMergePolicy { inner, max_docs }
    }
}

impl MergePolicy for CappedMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let docs: HashMap<SegmentId, usize> = segments
            .iter()
            .map(|s| (s.id(), s.num_docs() as usize))
            .collect();
        let size = |id: &SegmentId| docs.get(id).copied().unwrap_or(0);
        let mut out = Vec::new();
        for MergeCandidate(mut ids) in self.inner.compute_merge_candidates(segments) {
            if ids.len() < 2 {
                // A segment rewritten alone to drop its deleted documents.
                out.push(MergeCandidate(ids));
                continue;
            }
            // Smallest first, cut into runs whose sum stays within the cap.
            ids.sort_by_key(size);
            let mut run: Vec<SegmentId> = Vec::new();
            let mut sum = 0;
            for id in ids {
                let n = size(&id);
                if !run.is_empty() && sum + n > self.max_docs {
                    if run.len() > 1 {
                        out.push(MergeCandidate(std::mem::take(&mut run)));
                    }
                    run.clear();
                    sum = 0;
                }
                run.push(id);
                sum += n;
            }
            if run.len() > 1 {
                out.push(MergeCandidate(run));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::Schema;
    use tantivy::Index;

    fn metas(sizes: &[u32]) -> Vec<SegmentMeta> {
        let index = Index::create_in_ram(Schema::builder().build());
        sizes
            .iter()
            .map(|&n| index.new_segment_meta(SegmentId::generate_random(), n))
            .collect()
    }

    #[test]
    fn no_merge_grows_past_the_cap() {
        // Eight segments just under the cap: the log policy alone merges all eight.
        let segs = metas(&[9_000; 8]);
        let mut log = LogMergePolicy::default();
        log.set_max_docs_before_merge(10_000);
        let uncapped = log.compute_merge_candidates(&segs);
        assert_eq!(uncapped.len(), 1);
        assert_eq!(uncapped[0].0.len(), 8);
        // Capped at 20,000: pairs only, never more than the cap.
        let capped = CappedMergePolicy::new(20_000).compute_merge_candidates(&segs);
        assert_eq!(capped.len(), 4, "{capped:?}");
        for c in &capped {
            assert_eq!(c.0.len(), 2);
        }
    }

    #[test]
    fn small_segments_still_merge() {
        let segs = metas(&[1_000; 10]);
        let capped = CappedMergePolicy::new(100_000).compute_merge_candidates(&segs);
        let merged: usize = capped.iter().map(|c| c.0.len()).sum();
        assert_eq!(merged, 10, "{capped:?}");
    }
}
