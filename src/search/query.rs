//! From query text to a tantivy query and the terms to highlight.
//!
//! Free text: every word becomes a SHOULD group over the fields, each with its weight —
//! the stemmed word in body, title and metadata, the same stem among compound parts,
//! its folded form, its inflectional relatives (stems a letter or two longer or shorter),
//! its derivational relatives (*vaccinering*, *vaccination*; for coverage) and, when the
//! word is rare in the index, its typo corrections — so whole words rank over parts,
//! folded forms, relatives and corrections. Syntax for power users: `"phrase"`, `-word`,
//! `skol*`, `title:word`, `site:host`, `lang:sv`,
//! `published:>=2023-01-01` (also `>`, `<`, `<=`, a year or a month), and metadata
//! filters `key:value` / `key:"two words"` for keys that pages have. Fielded clauses
//! and filters are required. Anything that does not parse is read as words: a query
//! never fails to parse.

use std::collections::BTreeMap;
use std::ops::Bound;

use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, Occur,
    PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime, Searcher, Term};

use super::maxscore::WeightedTerm;
use super::parse::{parse, Clause};
use super::stats::TermStats;
use super::{morph, typo};
use crate::analyze::{self, AnalyzedToken};
use crate::config::SearchConfig;
use crate::index::Fields;

/// A built query with what the snippet should mark.
pub struct Built {
    /// The tantivy query (the first phase when there is a [`Plan`]).
    pub query: Box<dyn Query>,
    /// Highlighter terms (as [`analyze::highlighter`] emits them) with their weight.
    pub highlight: BTreeMap<String, f32>,
    /// What the second phase rescores the best candidates of `query` with; `None` for
    /// one phase (`rerank_depth = 0`).
    pub plan: Option<Plan>,
    /// `query` as its term clauses (term, boost) when it is a flat union of nothing else,
    /// for [`super::maxscore::top_k`].
    pub union: Option<Vec<(Term, f32)>>,
}

/// The second phase of a query: features of the free-text words that a flat union of
/// term clauses cannot score (positions, coverage), computed for the best candidates only.
#[derive(Debug, Default)]
pub struct Plan {
    /// The free-text words, once each.
    pub words: Vec<PlanWord>,
    /// Sequences of body terms whose occurrences near each other add a BM25 score of
    /// their own: neighbouring query words (with slop) and the pieces of a word that
    /// analysis splits (exact).
    pub phrases: Vec<PlanPhrase>,
    /// Term clauses `(term, boost)` that the second phase adds the BM25 score of.
    pub clauses: Vec<(Term, f32)>,
    /// Fields whose clauses are scored with the body's lengths: the folded field holds only
    /// the words of the body written with letters beyond ASCII, and its own length would
    /// favour the pages that have few of those.
    pub body_length: Vec<Field>,
}

/// One free-text word of the query.
#[derive(Debug)]
pub struct PlanWord {
    /// Its stem in the body field.
    pub body: Term,
    /// How many times the first phase scores `body` at weight 1 (a word repeated in the query).
    pub body_clauses: u32,
    /// The weight of the body's BM25 that the second phase adds once more: a plain word's
    /// folded weight (`folded_boost`), since the folded field holds only the words written
    /// with letters beyond ASCII and the word's own matches fold to themselves.
    pub body_extra: f32,
    /// The terms that count as finding the word in a page (stem, compound parts, folded
    /// form, corrections).
    pub variants: Vec<Term>,
    /// Its weight in the coverage of the query (idf).
    pub weight: f32,
}

/// Body terms at offsets, within `slop`, adding `boost` × BM25 of how often they occur so.
#[derive(Debug)]
pub struct PlanPhrase {
    /// `(offset, term)`, offsets from the first term.
    pub terms: Vec<(usize, Term)>,
    /// Allowed distance (0: exactly at the offsets).
    pub slop: u32,
    /// Weight of its BM25 score.
    pub boost: f32,
}

fn term(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    Box::new(WeightedTerm {
        term: Term::from_field_text(field, text),
        boost,
    })
}

/// The terms of `tokens` in `field` at their positions from the first.
fn offsets(field: Field, tokens: &[AnalyzedToken]) -> Vec<(usize, Term)> {
    let first = tokens[0].position;
    tokens
        .iter()
        .map(|t| (t.position - first, Term::from_field_text(field, &t.term)))
        .collect()
}

fn phrase(field: Field, tokens: &[AnalyzedToken], boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(
        Box::new(PhraseQuery::new_with_offset(offsets(field, tokens))),
        boost,
    ))
}

/// BM25's idf, as tantivy computes it.
pub fn idf(doc_freq: u64, doc_count: u64) -> f32 {
    let x = ((doc_count - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

fn filter(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

fn any(group: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        group.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// `2023`, `2023-05` or `2023-05-12` as the half-open range of days it covers.
fn date_span(v: &str) -> Option<(time::Date, time::Date)> {
    use time::{Date, Month};
    let parts: Vec<&str> = v.split('-').collect();
    let year: i32 = parts.first()?.parse().ok()?;
    let month = |m: &str| m.parse::<u8>().ok().and_then(|m| Month::try_from(m).ok());
    match parts.len() {
        1 if parts[0].len() == 4 => Some((
            Date::from_calendar_date(year, Month::January, 1).ok()?,
            Date::from_calendar_date(year + 1, Month::January, 1).ok()?,
        )),
        2 => {
            let m = month(parts[1])?;
            let start = Date::from_calendar_date(year, m, 1).ok()?;
            let (ny, nm) = if m == Month::December {
                (year + 1, Month::January)
            } else {
                (year, m.next())
            };
            Some((start, Date::from_calendar_date(ny, nm, 1).ok()?))
        }
        3 => {
            let d =
                Date::from_calendar_date(year, month(parts[1])?, parts[2].parse().ok()?).ok()?;
            Some((d, d.next_day()?))
        }
        _ => None,
    }
}

fn date_term(field: Field, d: time::Date) -> Term {
    let secs = d.midnight().assume_utc().unix_timestamp();
    Term::from_field_date_for_search(field, DateTime::from_timestamp_secs(secs))
}

/// `>=2023-01-01`, `<2024`, `2023-05` … as a range query on a date field.
fn date_query(field: Field, value: &str) -> Option<Box<dyn Query>> {
    let (op, v) = ["<=", ">=", "<", ">", "="]
        .iter()
        .find_map(|op| value.strip_prefix(op).map(|v| (*op, v)))
        .unwrap_or(("=", value));
    let (start, end) = date_span(v.trim())?;
    let (lo, hi) = match op {
        ">=" => (Bound::Included(date_term(field, start)), Bound::Unbounded),
        ">" => (Bound::Included(date_term(field, end)), Bound::Unbounded),
        "<" => (Bound::Unbounded, Bound::Excluded(date_term(field, start))),
        "<=" => (Bound::Unbounded, Bound::Excluded(date_term(field, end))),
        _ => (
            Bound::Included(date_term(field, start)),
            Bound::Excluded(date_term(field, end)),
        ),
    };
    Some(Box::new(RangeQuery::new(lo, hi)))
}

/// Index terms of `field` that start with `prefix`, most frequent first.
fn prefix_terms(searcher: &Searcher, field: Field, prefix: &str, max: usize) -> Vec<String> {
    let mut found: BTreeMap<String, u64> = BTreeMap::new();
    for seg in searcher.segment_readers() {
        let Ok(inv) = seg.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inv.terms().range().ge(prefix.as_bytes()).into_stream() else {
            continue;
        };
        while stream.advance() {
            if !stream.key().starts_with(prefix.as_bytes()) {
                break;
            }
            if let Ok(t) = std::str::from_utf8(stream.key()) {
                *found.entry(t.to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    let mut all: Vec<(String, u64)> = found.into_iter().collect();
    all.sort_by_key(|b| std::cmp::Reverse(b.1));
    all.into_iter().take(max).map(|(t, _)| t).collect()
}

/// Most inflectional relatives added for one word.
const MAX_RELATIVES: usize = 6;

/// Most index terms a prefix expands to.
const MAX_PREFIX_TERMS: usize = 50;

struct Builder<'a> {
    f: &'a Fields,
    cfg: &'a SearchConfig,
    stats: &'a TermStats<'a>,
    sv: tantivy::tokenizer::TextAnalyzer,
    folded: tantivy::tokenizer::TextAnalyzer,
    parts: tantivy::tokenizer::TextAnalyzer,
    highlight: BTreeMap<String, f32>,
    /// Stems of the free-text words in query order, for the proximity boost.
    sequence: Vec<String>,
    /// The second phase, when there is one.
    plan: Option<Plan>,
}

impl Builder<'_> {
    /// A term clause scored by the second phase only.
    fn second(&mut self, field: Field, text: &str, boost: f32) {
        if let Some(plan) = self.plan.as_mut() {
            plan.clauses
                .push((Term::from_field_text(field, text), boost));
        }
    }

    /// A weak term clause: scored by the second phase if `later`, else in `group`.
    fn weak(
        &mut self,
        group: &mut Vec<Box<dyn Query>>,
        later: bool,
        field: Field,
        text: &str,
        boost: f32,
    ) {
        if later {
            self.second(field, text, boost);
        } else {
            group.push(term(field, text, boost));
        }
    }

    /// The weighted clauses of one free-text word or phrase (the first phase sums them,
    /// so they go flat into the query's union).
    fn words(&mut self, text: &str, typos: bool, quoted: bool) -> Vec<Box<dyn Query>> {
        let (f, cfg) = (self.f, self.cfg);
        let tokens = analyze::tokens(&mut self.sv, text);
        let mut group: Vec<Box<dyn Query>> = Vec::new();
        match tokens.as_slice() {
            [] => {}
            [t] => {
                let body = Term::from_field_text(f.body, &t.term);
                let mut variants = vec![body.clone()];
                // The weak clauses of a word (title, metadata, the stem among compound
                // parts, the folded form) go to the second phase: every one is another
                // posting list the first phase's WAND would have to step through.
                let second = self.plan.is_some() && typos && cfg.secondary_in_second_phase;
                for (field, boost) in [
                    (f.body, 1.0),
                    (f.title, cfg.title_boost),
                    (f.meta_text, cfg.metadata_boost),
                    (f.body_parts, cfg.parts_boost),
                ] {
                    match (boost > 0.0, second && field != f.body) {
                        (false, _) => {}
                        (true, false) => group.push(term(field, &t.term, boost)),
                        (true, true) => self.second(field, &t.term, boost),
                    }
                }
                self.highlight.insert(t.term.clone(), 1.0);
                if typos {
                    self.sequence.push(t.term.clone());
                }
                // The parts of a compound query word reach pages that use a part alone
                // (*vaccinationsintyg* → *intyg*).
                if cfg.query_parts_boost > 0.0 {
                    let parts: Vec<AnalyzedToken> = analyze::tokens(&mut self.parts, text);
                    for p in parts.iter().filter(|p| p.term != t.term) {
                        // Not highlighted: a part alone (*skol*) would mark every *skolan*.
                        // The part as a word of its own and as a part of other compounds.
                        for field in [f.body, f.body_parts] {
                            group.push(term(field, &p.term, cfg.query_parts_boost));
                            variants.push(Term::from_field_text(field, &p.term));
                        }
                    }
                }
                let mut body_extra = 0.0;
                if cfg.folded_boost > 0.0 {
                    if let Some(ft) = analyze::tokens(&mut self.folded, text).into_iter().next() {
                        // The folded field holds only the words written with letters beyond
                        // ASCII; a plain word's own matches (which fold to themselves) are the
                        // body's, so they get the folded weight from there, as when the
                        // folded field repeated every word.
                        if ft.term == t.term {
                            if second {
                                body_extra = cfg.folded_boost;
                            } else {
                                group.push(term(f.body, &t.term, cfg.folded_boost));
                            }
                        }
                        self.weak(
                            &mut group,
                            second,
                            f.body_folded,
                            &ft.term,
                            cfg.folded_boost,
                        );
                        variants.push(Term::from_field_text(f.body_folded, &ft.term));
                        self.highlight.entry(ft.term).or_insert(0.5);
                    }
                }
                // Other forms of the word that the stemmer left on a stem a few letters
                // longer or shorter (*omhändertagna* → *omhändertaganden*).
                if cfg.morph_boost > 0.0 && typos {
                    for (rel, _) in morph::relatives(
                        self.stats.searcher(),
                        f.body,
                        &t.term,
                        cfg.morph_min_chars,
                        cfg.morph_extra_chars,
                        MAX_RELATIVES,
                    ) {
                        let later = self.plan.is_some();
                        self.weak(&mut group, later, f.body, &rel, cfg.morph_boost);
                        variants.push(Term::from_field_text(f.body, &rel));
                        self.highlight.entry(rel).or_insert(0.5);
                    }
                }
                // Derivational relatives in the -era verb family, which the stemmer and
                // the relatives above leave apart (*vaccinering* → *vaccin*, *vacciner*,
                // *vaccination*): exact lookups of the few forms of the word's base. By
                // default they count only in coverage (a page about *vaccination* holds
                // the word of a question about *vaccinering*); scored as matches too they
                // lowered SweFAQ (QUALITY.md).
                // Coverage is the second phase's: without one, the lookups would be wasted.
                let covered = cfg.derived_coverage && self.plan.is_some();
                if (cfg.derived_boost > 0.0 || covered) && typos {
                    for form in morph::derived_forms(&t.term, cfg.morph_min_chars) {
                        let rel = Term::from_field_text(f.body, &form);
                        if variants.contains(&rel) || self.stats.doc_freq(&rel).unwrap_or(0) == 0 {
                            continue;
                        }
                        if cfg.derived_boost > 0.0 {
                            let later = self.plan.is_some();
                            self.weak(&mut group, later, f.body, &form, cfg.derived_boost);
                        }
                        if covered {
                            variants.push(rel);
                        }
                        self.highlight.entry(form).or_insert(0.3);
                    }
                }
                let df = self.stats.doc_freq(&body).unwrap_or(0);
                let mut weight_df = df;
                let letters = text.chars().filter(|c| c.is_alphabetic()).count();
                if let (Some(d), true) =
                    (typo::distance_for(letters), typos && cfg.typo_boost > 0.0)
                {
                    if df < cfg.typo_max_doc_freq {
                        for (fix, fix_df) in typo::corrections(
                            self.stats.searcher(),
                            f.body,
                            &t.term,
                            d,
                            cfg.typo_prefix_chars,
                            cfg.typo_max_expansions,
                        ) {
                            group.push(term(f.body, &fix, cfg.typo_boost));
                            variants.push(Term::from_field_text(f.body, &fix));
                            weight_df = weight_df.max(fix_df);
                            self.highlight.entry(fix).or_insert(0.3);
                        }
                    }
                }
                if let (Some(plan), true) = (self.plan.as_mut(), typos) {
                    match plan.words.iter_mut().find(|w| w.body == body) {
                        Some(w) => {
                            w.body_clauses += 1;
                            w.body_extra += body_extra;
                        }
                        None => {
                            let n = self.stats.num_docs();
                            plan.words.push(PlanWord {
                                body,
                                body_clauses: 1,
                                body_extra,
                                variants,
                                weight: idf(weight_df.min(n), n),
                            })
                        }
                    }
                }
            }
            many if quoted => {
                group.push(phrase(f.body, many, 1.0));
                if cfg.title_boost > 0.0 {
                    group.push(phrase(f.title, many, cfg.title_boost));
                }
                for t in many {
                    self.highlight.insert(t.term.clone(), 1.0);
                }
            }
            many => {
                // One written word that analysis splits (`vaccination/vaccinering`,
                // `22-010-S04`): each part counts as a word, the exact sequence more.
                match (self.plan.as_mut(), typos) {
                    (Some(plan), true) => plan.phrases.push(PlanPhrase {
                        terms: offsets(f.body, many),
                        slop: 0,
                        boost: 1.0,
                    }),
                    _ => group.push(phrase(f.body, many, 1.0)),
                }
                for t in many {
                    let q = self.words(&text[t.start..t.end], typos, false);
                    group.extend(q);
                }
            }
        }
        group
    }

    /// Words of `text` in one field only (`title:`).
    fn in_field(&mut self, field: Field, text: &str) -> Option<Box<dyn Query>> {
        let tokens = analyze::tokens(&mut self.sv, text);
        for t in &tokens {
            self.highlight.insert(t.term.clone(), 1.0);
        }
        match tokens.as_slice() {
            [] => None,
            [t] => Some(term(field, &t.term, 1.0)),
            many => Some(phrase(field, many, 1.0)),
        }
    }

    fn prefix(&mut self, p: &str) -> Option<Box<dyn Query>> {
        let lower = p.to_lowercase();
        let terms = prefix_terms(self.stats.searcher(), self.f.body, &lower, MAX_PREFIX_TERMS);
        if terms.is_empty() {
            return None;
        }
        for t in &terms {
            self.highlight.entry(t.clone()).or_insert(0.8);
        }
        Some(any(terms
            .iter()
            .map(|t| term(self.f.body, t, 1.0))
            .collect()))
    }

    /// A `key:value` clause: `(query, required)`, or `None` when it is no filter
    /// (then its text is searched as words).
    fn field(&mut self, key: &str, value: &str) -> Option<(Box<dyn Query>, bool)> {
        let f = self.f;
        let exact = |field: Field, v: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, &v.to_lowercase()),
                IndexRecordOption::Basic,
            ))
        };
        match key {
            "title" => self.in_field(f.title, value).map(|q| (q, true)),
            "site" => Some((
                filter(exact(f.site, value.trim_start_matches("www."))),
                true,
            )),
            "lang" | "language" => Some((filter(exact(f.language, value)), true)),
            "published" => date_query(f.published, value).map(|q| (filter(q), true)),
            "updated" => date_query(f.updated, value).map(|q| (filter(q), true)),
            "path" => Some((filter(exact(f.path, value)), true)),
            _ => {
                let known = self
                    .stats
                    .doc_freq(&Term::from_field_text(f.meta_keys, key))
                    .unwrap_or(0)
                    > 0;
                if !known {
                    return None;
                }
                let mut t = Term::from_field_json_path(f.meta, key, false);
                t.append_type_and_str(&value.to_lowercase());
                Some((
                    filter(Box::new(TermQuery::new(t, IndexRecordOption::Basic))),
                    true,
                ))
            }
        }
    }
}

/// Build the query for `q`, or `None` when nothing searchable is left (only stop words
/// or punctuation).
pub fn build<'a>(
    q: &str,
    f: &Fields,
    cfg: &SearchConfig,
    stats: &'a TermStats<'a>,
) -> Option<Built> {
    let mut b = Builder {
        f,
        cfg,
        stats,
        sv: analyze::swedish(),
        folded: analyze::swedish_folded(),
        parts: analyze::swedish_parts(),
        highlight: BTreeMap::new(),
        sequence: Vec::new(),
        plan: (cfg.rerank_depth > 0).then(|| Plan {
            body_length: vec![f.body_folded],
            ..Plan::default()
        }),
    };
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut must_not: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for part in parse(q) {
        // Each part gives clauses with whether they are required.
        let built: Vec<(Vec<Box<dyn Query>>, bool)> = match &part.clause {
            Clause::Word(w) => vec![(b.words(w, !part.exclude, false), false)],
            Clause::Phrase(w) => vec![(b.words(w, !part.exclude, true), false)],
            Clause::Prefix(p) => vec![(b.prefix(p).into_iter().collect(), false)],
            Clause::Field { key, value, quoted } => match b.field(key, value) {
                Some((q, req)) => vec![(vec![q], req)],
                // Not a filter: the key and the value are words of their own.
                None => vec![
                    (b.words(key, !part.exclude, false), false),
                    (b.words(value, !part.exclude, *quoted), false),
                ],
            },
        };
        for (clauses, required) in built {
            if clauses.is_empty() {
                continue;
            }
            if part.exclude {
                must_not.push((Occur::MustNot, any(clauses)));
            } else if required {
                must.extend(clauses.into_iter().map(|q| (Occur::Must, q)));
            } else {
                // Flat: a union of term clauses is what MaxScore and block-max WAND prune.
                should.extend(clauses.into_iter().map(|q| (Occur::Should, q)));
            }
        }
    }
    if should.is_empty() && must.is_empty() {
        return None;
    }
    // Words of the query that stand near each other in a page (in either order) lift it.
    if cfg.proximity_boost > 0.0 {
        let window = match b.plan {
            Some(_) => cfg.proximity_window.max(1),
            None => 1,
        };
        let seq = &b.sequence;
        let mut pairs: Vec<(&String, &String)> = Vec::new();
        for i in 0..seq.len() {
            for j in i + 1..seq.len().min(i + 1 + window) {
                if seq[i] != seq[j] && !pairs.contains(&(&seq[i], &seq[j])) {
                    pairs.push((&seq[i], &seq[j]));
                }
            }
        }
        for (a, c) in pairs {
            let terms = vec![
                (0, Term::from_field_text(f.body, a)),
                (1, Term::from_field_text(f.body, c)),
            ];
            match b.plan.as_mut() {
                Some(plan) => plan.phrases.push(PlanPhrase {
                    terms,
                    slop: cfg.proximity_slop,
                    boost: cfg.proximity_boost,
                }),
                None => {
                    let near = PhraseQuery::new_with_offset_and_slop(terms, cfg.proximity_slop);
                    should.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(near), cfg.proximity_boost)),
                    ));
                }
            }
        }
    }
    let union = (must.is_empty() && must_not.is_empty())
        .then(|| {
            should
                .iter()
                .map(|(_, q)| {
                    q.downcast_ref::<WeightedTerm>()
                        .map(|w| (w.term.clone(), w.boost))
                })
                .collect::<Option<Vec<_>>>()
        })
        .flatten();
    let query: Box<dyn Query> = if must.is_empty() && must_not.is_empty() {
        Box::new(BooleanQuery::new(should))
    } else {
        let mut clauses = Vec::new();
        if should.is_empty() {
            // Only filters: every page that passes them, in index order.
            clauses.push((Occur::Must, Box::new(AllQuery) as Box<dyn Query>));
        } else {
            clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::new(should)) as Box<dyn Query>,
            ));
        }
        clauses.extend(must);
        clauses.extend(must_not);
        Box::new(BooleanQuery::new(clauses))
    };
    Some(Built {
        query,
        highlight: b.highlight,
        plan: b
            .plan
            .filter(|p| !p.words.is_empty() || !p.phrases.is_empty()),
        union,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn dates_cover_their_period() {
        let (a, b) = date_span("2023").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2023-01-01".into(), "2024-01-01".into())
        );
        let (a, b) = date_span("2023-12").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2023-12-01".into(), "2024-01-01".into())
        );
        let (a, b) = date_span("2024-02-29").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2024-02-29".into(), "2024-03-01".into())
        );
        assert!(date_span("2023-13").is_none());
        assert!(date_span("igår").is_none());
    }
}
