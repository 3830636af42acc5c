//! Snippets: the passage of a hit's page shown under its title, with the words that
//! matched the query marked, cut where the second phase found the query words together.

use std::collections::BTreeMap;

use super::Snippet;
use crate::analyze::{self, word_offset};

/// Words of context kept before the passage the second phase found.
const PASSAGE_LEAD_WORDS: u32 = 8;

/// Marks a query's terms in a page and picks the passage to show. It chooses the same
/// passage as tantivy's `SnippetGenerator` (the first of the highest-scoring runs of at
/// most `max_chars` bytes, cut where a word would cross the limit), without what cost most
/// in it: a copy of the analyzer per snippet, a lower-cased `String` per word (the
/// analyzer already lower-cases) and a map lookup for every word `MayMatch` blanked.
pub(super) struct Highlighter {
    tokens: analyze::HighlightTokens,
    /// Term -> weight of a passage holding it (whole words above parts and folded forms).
    terms: BTreeMap<String, f32>,
    max_chars: usize,
}

impl Highlighter {
    /// A highlighter for the terms a query marks, with passages of up to `max_chars` bytes.
    pub(super) fn new(terms: BTreeMap<String, f32>, max_chars: usize) -> Highlighter {
        Highlighter {
            tokens: analyze::HighlightTokens::new(terms.keys().map(String::as_str)),
            terms,
            max_chars,
        }
    }

    /// Byte ranges of the words of `text` that a term marks, touching ones merged.
    pub(super) fn marks(&mut self, text: &str) -> Vec<[usize; 2]> {
        let mut out = Vec::new();
        let terms = &self.terms;
        self.tokens.for_each(text, |term, from, to| {
            if !term.is_empty() && terms.contains_key(term) {
                push_mark(&mut out, from, to);
            }
        });
        out
    }

    /// The best passage of `text` for the query's terms, or its start when no term of the
    /// body matched (a title-only or metadata match). With `passage` (the body position
    /// where the second phase found the most query words together), only the text from a
    /// few words before it, three times `max_chars` in bytes, is highlighted: running the
    /// highlighter over whole pages was the largest cost of a search with snippets
    /// (BENCHMARKS.md).
    pub(super) fn snippet(&mut self, text: &str, passage: Option<u32>) -> Snippet {
        if let Some(pos) = passage {
            let start = word_offset(text, pos.saturating_sub(PASSAGE_LEAD_WORDS));
            let end =
                text.floor_char_boundary(start.saturating_add(self.max_chars.saturating_mul(3)));
            if let Some(s) = self.best_fragment(&text[start..end], start) {
                return s;
            }
        }
        if let Some(s) = self.best_fragment(text, 0) {
            return s;
        }
        let end = text
            .char_indices()
            .nth(self.max_chars)
            .map(|(i, _)| i)
            .unwrap_or(text.len());
        Snippet {
            text: text[..end].to_string(),
            offset: 0,
            highlights: vec![],
        }
    }

    /// The highest-scoring fragment of `text` (which starts at byte `base` of the page),
    /// if any word of it is marked. A fragment ends before the word that would take it past
    /// `max_chars` bytes, and the next one starts at that word; its score is the sum of the
    /// weights of the terms in it; ties go to the earlier one.
    fn best_fragment(&mut self, text: &str, base: usize) -> Option<Snippet> {
        let (mut start, mut stop, mut score) = (0usize, 0usize, 0f32);
        let mut marks: Vec<[usize; 2]> = Vec::new();
        let mut best: Option<(f32, usize, usize, Vec<[usize; 2]>)> = None;
        let mut keep = |score: f32, start, stop, marks: &mut Vec<[usize; 2]>| {
            if score > 0.0 && best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, start, stop, std::mem::take(marks)));
            }
            marks.clear();
        };
        let (terms, max_chars) = (&self.terms, self.max_chars);
        self.tokens.for_each(text, |term, from, to| {
            if to - start > max_chars {
                keep(score, start, stop, &mut marks);
                (start, score) = (from, 0.0);
            }
            stop = to;
            if term.is_empty() {
                return;
            }
            if let Some(&w) = terms.get(term) {
                score += w;
                // Several terms can mark the same word (its stem and its folded form).
                push_mark(&mut marks, from - start, to - start);
            }
        });
        keep(score, start, stop, &mut marks);
        let (_, start, stop, highlights) = best?;
        Some(Snippet {
            text: text[start..stop].to_string(),
            offset: base + start,
            highlights,
        })
    }
}

/// Add the range `from..to` to `marks`, merged with the last one when they touch.
fn push_mark(marks: &mut Vec<[usize; 2]>, from: usize, to: usize) {
    match marks.last_mut() {
        Some(last) if from <= last[1] => last[1] = last[1].max(to),
        _ => marks.push([from, to]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze;
    use std::collections::BTreeMap;

    #[test]
    fn word_offset_counts_every_word_as_the_index_does() {
        let text = "Det här är en text, om skolan.";
        assert_eq!(word_offset(text, 0), 0);
        assert_eq!(&text[word_offset(text, 3)..word_offset(text, 3) + 2], "en");
        assert_eq!(&text[word_offset(text, 6)..], "skolan.");
        assert_eq!(word_offset(text, 99), text.len());
    }

    /// The snippet cut at the second phase's passage marks at least the words the whole
    /// page's would (the highlighter cuts fragments from where its text starts, so the
    /// two may differ), with its offset into the whole page.
    #[test]
    fn a_snippet_cut_at_the_passage_matches_the_whole_page() {
        let filler = "Här står ingenting av vikt för frågan alls. ".repeat(60);
        let text = format!("{filler}Om skolfrånvaro och närvaro i skolan. {filler}");
        let terms: BTreeMap<String, f32> =
            analyze::tokens(&mut analyze::swedish(), "närvaro skolan")
                .into_iter()
                .map(|t| (t.term, 1.0))
                .collect();
        let highlighter = || Highlighter::new(terms.clone(), 200);
        let whole = highlighter().snippet(&text, None);
        let words_before = filler.split_whitespace().count() as u32;
        let cut = highlighter().snippet(&text, Some(words_before + 2));
        assert!(!whole.highlights.is_empty());
        assert!(
            cut.highlights.len() >= whole.highlights.len(),
            "{cut:?} / {whole:?}"
        );
        assert_eq!(&text[cut.offset..cut.offset + cut.text.len()], cut.text);
        for [s, e] in &cut.highlights {
            let word = cut.text[*s..*e].to_lowercase();
            assert!(
                ["skolfrånvaro", "närvaro", "skolan"].contains(&word.as_str()),
                "{word}"
            );
        }
        // A passage that holds no query word falls back to the whole page.
        assert_eq!(highlighter().snippet(&text, Some(0)), whole);
    }

    /// On real pages and several queries, the passage and the marks are those of
    /// tantivy's `SnippetGenerator` with the same analyzer and terms, which this replaces.
    #[test]
    fn chooses_what_tantivy_snippet_generator_chooses() {
        use tantivy::snippet::SnippetGenerator;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/seeds");
        let mut pages: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        pages.sort();
        assert!(pages.len() >= 5);
        let queries = [
            "projekt",
            "kommunens skolor",
            "ansökan om bidrag",
            "harnosand",
        ];
        let mut compared = 0;
        for page in &pages {
            let text = std::fs::read_to_string(page).unwrap();
            for q in queries {
                let mut terms: BTreeMap<String, f32> = BTreeMap::new();
                for (analyzer, w) in [
                    (analyze::swedish(), 1.0),
                    (analyze::swedish_parts(), 0.5),
                    (analyze::swedish_folded_index(), 0.3),
                ] {
                    let mut analyzer = analyzer;
                    for t in analyze::tokens(&mut analyzer, q) {
                        terms.entry(t.term).or_insert(w);
                    }
                }
                for max in [120, 200] {
                    let theirs = SnippetGenerator::new(
                        terms.clone(),
                        analyze::highlighter_for(terms.keys().map(String::as_str)),
                        tantivy::schema::Field::from_field_id(0),
                        max,
                    )
                    .snippet(&text);
                    let ours = Highlighter::new(terms.clone(), max).best_fragment(&text, 0);
                    match ours {
                        None => assert!(theirs.highlighted().is_empty(), "{q} {page:?}"),
                        Some(ours) => {
                            assert_eq!(ours.text, theirs.fragment(), "{q} {page:?}");
                            assert_eq!(ours.offset, theirs.fragment_range().start);
                            let mut marks: Vec<[usize; 2]> = Vec::new();
                            for r in theirs.highlighted() {
                                push_mark(&mut marks, r.start, r.end);
                            }
                            assert_eq!(ours.highlights, marks, "{q} {page:?}");
                            compared += 1;
                        }
                    }
                }
            }
        }
        assert!(compared >= 20, "only {compared} snippets had a marked word");
    }
}
