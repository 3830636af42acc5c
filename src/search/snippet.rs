//! Snippets: the passage of a hit's page shown under its title, with the words that
//! matched the query marked, cut where the second phase found the query words together.

use tantivy::snippet::SnippetGenerator;

use super::Snippet;

/// Words of context kept before the passage the second phase found.
const PASSAGE_LEAD_WORDS: u32 = 8;

/// The best passage of `text` for the query's terms, or its start when no term of the
/// body matched (a title-only or metadata match). With `passage` (the body position where
/// the second phase found the most query words together), only the text from a few words
/// before it, three times `max_chars` in bytes, goes through the highlighter: running it
/// over whole pages was the largest cost of a search with snippets (BENCHMARKS.md).
pub(super) fn make_snippet(
    generator: &SnippetGenerator,
    text: &str,
    max_chars: usize,
    passage: Option<u32>,
) -> Snippet {
    if let Some(pos) = passage {
        let start = word_offset(text, pos.saturating_sub(PASSAGE_LEAD_WORDS));
        let end = text.floor_char_boundary(start.saturating_add(max_chars.saturating_mul(3)));
        if let Some(s) = highlighted(generator, &text[start..end], start) {
            return s;
        }
    }
    if let Some(s) = highlighted(generator, text, 0) {
        return s;
    }
    let end = text
        .char_indices()
        .nth(max_chars)
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    Snippet {
        text: text[..end].to_string(),
        offset: 0,
        highlights: vec![],
    }
}

/// The highlighter's best fragment of `text` (which starts at byte `base` of the page),
/// if it marks any word.
fn highlighted(generator: &SnippetGenerator, text: &str, base: usize) -> Option<Snippet> {
    let s = generator.snippet(text);
    if s.fragment().is_empty() || s.highlighted().is_empty() {
        return None;
    }
    // Several query terms can mark the same word (its stem and its folded form).
    let mut highlights: Vec<[usize; 2]> = Vec::new();
    for r in s.highlighted() {
        match highlights.last_mut() {
            Some(last) if r.start <= last[1] => last[1] = last[1].max(r.end),
            _ => highlights.push([r.start, r.end]),
        }
    }
    Some(Snippet {
        text: s.fragment().to_string(),
        offset: base + s.fragment_range().start,
        highlights,
    })
}

/// Byte offset of the word at `position` of `text` as the body was indexed (the
/// tokenizer numbers every word, stop words and long words included), or the end.
fn word_offset(text: &str, position: u32) -> usize {
    use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};
    let mut tokenizer = SimpleTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        if token.position >= position as usize {
            return token.offset_from;
        }
    }
    text.len()
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
        let generator = || {
            let analyzer = analyze::highlighter_for(terms.keys().map(String::as_str));
            SnippetGenerator::new(terms.clone(), analyzer, index_body_field(), 200)
        };
        let whole = make_snippet(&generator(), &text, 200, None);
        let words_before = filler.split_whitespace().count() as u32;
        let cut = make_snippet(&generator(), &text, 200, Some(words_before + 2));
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
        assert_eq!(make_snippet(&generator(), &text, 200, Some(0)), whole);
    }

    fn index_body_field() -> tantivy::schema::Field {
        tantivy::schema::Field::from_field_id(0)
    }
}
