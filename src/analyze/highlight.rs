//! The highlighter's tokens of a page, word by word: what [`super::highlighter_for`] makes,
//! with the words its pre-filter rejects never sent through the chain.
//!
//! [`MayMatch`] blanks most words of a hit's text, but in a filter chain every blank word
//! still passes every filter: lower-casing, decompounding, stop words, stemming, folding
//! (each a check and a copy). Here the text is split into words, each word is checked as
//! it stands, and only the words that may hold a query term go through the highlighter's
//! chain, one at a time; a rejected word is an empty term at its offsets, as the chain
//! would have left it.

use tantivy::tokenizer::TextAnalyzer;

use super::{highlighter, words, MayMatch, MAX_WORD_BYTES};

/// The tokens [`super::highlighter_for`] makes of a text, for one query's terms.
pub struct HighlightTokens {
    /// [`highlighter`]: the chain for the words that pass.
    chain: TextAnalyzer,
    filter: MayMatch,
    buf: String,
}

impl HighlightTokens {
    /// For a query's terms (as the highlighter emits them).
    pub fn new<'a>(terms: impl IntoIterator<Item = &'a str>) -> HighlightTokens {
        HighlightTokens {
            chain: highlighter(),
            filter: MayMatch::new(terms),
            buf: String::new(),
        }
    }

    /// Call `f(term, from, to)` for each token of `text` in order, `from..to` the bytes of
    /// the word it comes from; the term is empty for a word no query term can come from.
    pub fn for_each(&mut self, text: &str, mut f: impl FnMut(&str, usize, usize)) {
        for (from, to) in words::ranges(text) {
            let word = &text[from..to];
            // `RemoveLongFilter` drops the word: no token at all.
            if word.len() >= MAX_WORD_BYTES {
                continue;
            }
            if !self.filter.admits_any_case(word, &mut self.buf) {
                f("", from, to);
                continue;
            }
            let mut stream = self.chain.token_stream(word);
            while let Some(t) = stream.next() {
                f(&t.text, from + t.offset_from, from + t.offset_to);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{highlighter_for, swedish, swedish_folded_index, swedish_parts, tokens};
    use super::*;

    /// On the seed pages (and text with capitals, long words and stop words), for the
    /// terms of several queries: the same tokens, in the same order, at the same offsets
    /// as the highlighter chain with its pre-filter.
    #[test]
    fn makes_the_tokens_of_the_highlighter_chain() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/import");
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
            .collect();
        texts.push(format!(
            "ÖSTERSUND och Härnösand, SKOLFRÅNVARON i Ärla; {} Łódź ΣΟΦΊΑ och",
            "x".repeat(45)
        ));
        assert!(texts.len() >= 6);
        let mut compared = 0;
        for q in [
            "projekt",
            "kommunens skolor",
            "harnosand",
            "och",
            "östersund skolan",
        ] {
            let mut terms: Vec<String> = Vec::new();
            for mut a in [swedish(), swedish_parts(), swedish_folded_index()] {
                terms.extend(tokens(&mut a, q).into_iter().map(|t| t.term));
            }
            let terms: Vec<&str> = terms.iter().map(String::as_str).collect();
            for text in &texts {
                let want: Vec<(String, usize, usize)> =
                    tokens(&mut highlighter_for(terms.iter().copied()), text)
                        .into_iter()
                        .map(|t| (t.term, t.start, t.end))
                        .collect();
                let mut got = Vec::new();
                HighlightTokens::new(terms.iter().copied())
                    .for_each(text, |t, from, to| got.push((t.to_string(), from, to)));
                assert_eq!(got, want, "query {q:?}");
                compared += got.iter().filter(|t| !t.0.is_empty()).count();
            }
        }
        assert!(compared > 100, "{compared}");
    }
}
