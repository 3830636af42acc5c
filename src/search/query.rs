//! From query text to a tantivy query and the terms to highlight.
//!
//! Every word becomes a SHOULD group over the fields, each with its weight: the
//! stemmed word in body, title and metadata; the same stem among compound parts; its
//! folded form; and, when the word is rare in the index, its typo corrections. Whole
//! words thus rank over parts, folded forms and corrections. Quotes make a phrase, a
//! leading `-` excludes, and any other syntax is read as words: parsing never fails.

use std::collections::BTreeMap;

use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::typo;
use crate::analyze::{self, AnalyzedToken};
use crate::config::SearchConfig;
use crate::index::Fields;

/// A part of a free-text query.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// A word, ranked OR with the others.
    Word(String),
    /// A quoted phrase.
    Phrase(String),
    /// A word or phrase after `-`: pages containing it are left out.
    Exclude(String),
}

/// Split a query into words, quoted phrases and `-excluded` words. Never fails:
/// an unclosed quote makes the rest a phrase.
pub fn parse(q: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut rest = q;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else if c == '"' {
            let body = &rest[1..];
            let end = body.find('"').unwrap_or(body.len());
            out.push(Clause::Phrase(body[..end].to_string()));
            rest = body.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..end];
            match word.strip_prefix('-') {
                Some(w) if !w.is_empty() => out.push(Clause::Exclude(w.to_string())),
                _ => out.push(Clause::Word(word.to_string())),
            }
            rest = &rest[end..];
        }
    }
    out
}

/// A built query with what the snippet should mark.
pub struct Built {
    /// The tantivy query.
    pub query: Box<dyn Query>,
    /// Highlighter terms (as [`analyze::highlighter`] emits them) with their weight.
    pub highlight: BTreeMap<String, f32>,
}

fn term(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    let q = TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    );
    if (boost - 1.0).abs() < f32::EPSILON {
        Box::new(q)
    } else {
        Box::new(BoostQuery::new(Box::new(q), boost))
    }
}

fn phrase(field: Field, tokens: &[AnalyzedToken], boost: f32) -> Box<dyn Query> {
    let first = tokens[0].position;
    let terms = tokens
        .iter()
        .map(|t| (t.position - first, Term::from_field_text(field, &t.term)))
        .collect();
    Box::new(BoostQuery::new(
        Box::new(PhraseQuery::new_with_offset(terms)),
        boost,
    ))
}

/// Build the query for `q`, or `None` when nothing searchable is left (only stop words
/// or punctuation).
pub fn build(q: &str, f: &Fields, cfg: &SearchConfig, searcher: &Searcher) -> Option<Built> {
    let mut sv = analyze::swedish();
    let mut folded = analyze::swedish_folded();
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut must_not: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut highlight = BTreeMap::new();
    for clause in parse(q) {
        let (text, exclude) = match &clause {
            Clause::Word(w) | Clause::Phrase(w) => (w.as_str(), false),
            Clause::Exclude(w) => (w.as_str(), true),
        };
        let tokens = analyze::tokens(&mut sv, text);
        let mut group: Vec<Box<dyn Query>> = Vec::new();
        match tokens.as_slice() {
            [] => continue,
            [t] => {
                for (field, boost) in [
                    (f.body, 1.0),
                    (f.title, cfg.title_boost),
                    (f.meta_text, cfg.metadata_boost),
                    (f.body_parts, cfg.parts_boost),
                ] {
                    if boost > 0.0 {
                        group.push(term(field, &t.term, boost));
                    }
                }
                highlight.insert(t.term.clone(), 1.0);
                if cfg.folded_boost > 0.0 {
                    if let Some(ft) = analyze::tokens(&mut folded, text).into_iter().next() {
                        group.push(term(f.body_folded, &ft.term, cfg.folded_boost));
                        highlight.entry(ft.term).or_insert(0.5);
                    }
                }
                let letters = text.chars().filter(|c| c.is_alphabetic()).count();
                if let (Some(d), false) = (typo::distance_for(letters), exclude) {
                    let df = searcher
                        .doc_freq(&Term::from_field_text(f.body, &t.term))
                        .unwrap_or(0);
                    if df < cfg.typo_max_doc_freq && cfg.typo_boost > 0.0 {
                        for (fix, _) in
                            typo::corrections(searcher, f.body, &t.term, d, cfg.typo_max_expansions)
                        {
                            group.push(term(f.body, &fix, cfg.typo_boost));
                            highlight.entry(fix).or_insert(0.3);
                        }
                    }
                }
            }
            many => {
                group.push(phrase(f.body, many, 1.0));
                if cfg.title_boost > 0.0 {
                    group.push(phrase(f.title, many, cfg.title_boost));
                }
                for t in many {
                    highlight.insert(t.term.clone(), 1.0);
                }
            }
        }
        let q: Box<dyn Query> = Box::new(BooleanQuery::new(
            group.into_iter().map(|q| (Occur::Should, q)).collect(),
        ));
        if exclude {
            must_not.push((Occur::MustNot, q));
        } else {
            should.push((Occur::Should, q));
        }
    }
    if exclude_only(&should) {
        return None;
    }
    if !must_not.is_empty() {
        // Excluded words are not highlighted.
        should.extend(must_not);
    }
    Some(Built {
        query: Box::new(BooleanQuery::new(should)),
        highlight,
    })
}

fn exclude_only(should: &[(Occur, Box<dyn Query>)]) -> bool {
    should.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_never_fails_and_reads_syntax_as_words() {
        assert_eq!(parse("\""), vec![Clause::Phrase(String::new())]);
        assert_eq!(
            parse("skola \"hög frånvaro\" -covid"),
            vec![
                Clause::Word("skola".into()),
                Clause::Phrase("hög frånvaro".into()),
                Clause::Exclude("covid".into())
            ]
        );
        assert_eq!(
            parse("title: ("),
            vec![Clause::Word("title:".into()), Clause::Word("(".into())]
        );
        assert_eq!(parse(" - "), vec![Clause::Word("-".into())]);
        assert_eq!(parse("\"öppen"), vec![Clause::Phrase("öppen".into())]);
    }
}
