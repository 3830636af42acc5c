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

/// A final merge rewrites at most this many documents of its largest segment for every
/// document it brings in from the smaller ones.
const MAX_REWRITE: usize = 10;

/// The merges that leave an import with as few segments as the cap allows, at a bounded
/// cost: every query pays per segment (each term looked up, each dictionary walked for
/// typos and relatives, each block-max WAND set up once per segment), and an import ends
/// with small segments of its last commit beside the merged ones (45,000 pages: 40,000 +
/// 2,302 + 2,279 documents; as one segment it answers keyword queries in 0.78×, questions in
/// 0.85× and typo queries in 0.72× the time: BENCHMARKS.md, "Session 6").
///
/// Segments (`(id, documents)`) are packed smallest first into runs of at most `max_docs`
/// documents. A run whose largest segment would be rewritten for comparatively few new
/// documents (under one for every [`MAX_REWRITE`]) gives up that segment and merges the rest:
/// ten pages added to a large index do not rewrite all of it.
pub fn compaction(segments: &[(SegmentId, usize)], max_docs: usize) -> Vec<Vec<SegmentId>> {
    let mut sorted: Vec<(SegmentId, usize)> = segments.to_vec();
    sorted.sort_by_key(|&(_, n)| n);
    let mut runs: Vec<Vec<(SegmentId, usize)>> = Vec::new();
    let mut run: Vec<(SegmentId, usize)> = Vec::new();
    let mut sum = 0;
    for (id, n) in sorted {
        if !run.is_empty() && sum + n > max_docs.max(1) {
            runs.push(std::mem::take(&mut run));
            sum = 0;
        }
        run.push((id, n));
        sum += n;
    }
    runs.push(run);
    let mut out = Vec::new();
    for mut run in runs {
        // Sorted smallest first: the largest is last.
        while run.len() > 1 {
            let largest = run[run.len() - 1].1;
            let rest: usize = run[..run.len() - 1].iter().map(|&(_, n)| n).sum();
            if rest * MAX_REWRITE >= largest {
                break;
            }
            run.pop();
        }
        if run.len() > 1 {
            out.push(run.into_iter().map(|(id, _)| id).collect());
        }
    }
    out
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

    fn sized(sizes: &[usize]) -> Vec<(SegmentId, usize)> {
        sizes
            .iter()
            .map(|&n| (SegmentId::generate_random(), n))
            .collect()
    }

    fn plan(sizes: &[usize], max_docs: usize) -> Vec<Vec<usize>> {
        let segs = sized(sizes);
        let size = |id: &SegmentId| segs.iter().find(|(s, _)| s == id).unwrap().1;
        let mut runs: Vec<Vec<usize>> = compaction(&segs, max_docs)
            .iter()
            .map(|run| {
                let mut r: Vec<usize> = run.iter().map(size).collect();
                r.sort();
                r
            })
            .collect();
        runs.sort();
        runs
    }

    #[test]
    fn the_last_commit_merges_into_the_rest_when_it_is_worth_it() {
        assert_eq!(
            plan(&[40_000, 2_302, 2_279], 100_000),
            [vec![2_279, 2_302, 40_000]]
        );
        // Ten pages added to a large index: not a rewrite of the whole index.
        assert!(plan(&[44_581, 10], 100_000).is_empty());
        // The small ones still merge together.
        assert_eq!(plan(&[44_581, 10, 20], 100_000), [vec![10, 20]]);
        assert!(plan(&[44_581], 100_000).is_empty());
        assert!(plan(&[], 100_000).is_empty());
    }

    #[test]
    fn the_final_merges_stay_within_the_cap() {
        let runs = plan(&[100_000, 100_000, 95_000, 4_000, 3_000, 2_000], 100_000);
        for r in &runs {
            assert!(r.iter().sum::<usize>() <= 100_000, "{runs:?}");
        }
        assert_eq!(runs, [vec![2_000, 3_000, 4_000]]);
    }
}
