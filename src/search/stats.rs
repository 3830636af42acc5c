//! The index statistics of one search, looked up once.
//!
//! A query word's term is looked up in the term dictionary of every segment by the query
//! builder (its weight), by tantivy's BM25 weights (first phase) and by the second phase's
//! weights and idf: five dictionary walks per term and segment, ~7% of a question's time
//! (`Fst::get` in a profile of `hitta bench search`). [`TermStats`] answers the repeats
//! from a map, and is what the first phase's weights read too
//! (`Searcher::search_with_statistics_provider`). It keeps each segment's `TermInfo` of a
//! looked-up term (the document frequency is their sum), so the second phase opens that
//! term's postings without a second walk.

use std::cell::RefCell;

use rustc_hash::FxHashMap;
use tantivy::postings::TermInfo;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// Term infos and token totals of one searcher, cached for one search (one thread: the
/// cache is a `RefCell`).
pub struct TermStats<'a> {
    searcher: &'a Searcher,
    /// Per term looked up, its `TermInfo` in each segment (by segment ordinal).
    infos: RefCell<FxHashMap<Term, Vec<Option<TermInfo>>>>,
    tokens: RefCell<FxHashMap<Field, u64>>,
}

impl<'a> TermStats<'a> {
    /// Empty caches over `searcher`.
    pub fn new(searcher: &'a Searcher) -> TermStats<'a> {
        TermStats {
            searcher,
            infos: RefCell::default(),
            tokens: RefCell::default(),
        }
    }

    /// The searcher the statistics are of.
    pub fn searcher(&self) -> &'a Searcher {
        self.searcher
    }

    /// The `TermInfo` of `term` in segment `ord` when its document frequency was looked
    /// up (outer `None`: it was not; inner: the segment lacks it).
    pub fn term_info(&self, ord: usize, term: &Term) -> Option<Option<TermInfo>> {
        self.infos
            .borrow()
            .get(term)
            .map(|v| v.get(ord).cloned().flatten())
    }

    /// Live documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.searcher.num_docs()
    }
}

impl Bm25StatisticsProvider for TermStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(&n) = self.tokens.borrow().get(&field) {
            return Ok(n);
        }
        let n = self.searcher.total_num_tokens(field)?;
        self.tokens.borrow_mut().insert(field, n);
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let sum = |infos: &[Option<TermInfo>]| {
            infos.iter().flatten().map(|i| u64::from(i.doc_freq)).sum()
        };
        if let Some(infos) = self.infos.borrow().get(term) {
            return Ok(sum(infos));
        }
        // What `Searcher::doc_freq` sums, keeping the term infos it walks past.
        let infos = self
            .searcher
            .segment_readers()
            .iter()
            .map(|seg| Ok(seg.inverted_index(term.field())?.get_term_info(term)?))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let n = sum(&infos);
        self.infos.borrow_mut().insert(term.clone(), infos);
        Ok(n)
    }
}
