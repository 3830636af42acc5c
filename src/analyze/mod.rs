//! Stage 4, **analyze**: Swedish text to index terms.
//!
//! One analyzer, registered under [`SWEDISH`], used both when indexing and when
//! querying, so that a query word and a page word meet on the same stem
//! (*skolan*, *skolor* → *skol*). Its [`ANALYZER_VERSION`] is recorded in the index:
//! terms made by another version would silently not match, so a change demands a rebuild.

mod compound;
mod fold;
mod highlight;
mod lower;
mod may_match;
mod stem;
mod words;

pub use compound::{dictionary, CachedCompoundParts, CompoundParts, Decompounder};
pub use fold::{fold, FoldedCopy, NonAscii};
pub use highlight::HighlightTokens;
pub use lower::Lowercase;
pub use may_match::MayMatch;
pub use stem::{CachedSwedishStemmer, SwedishStemmer};
pub use words::{word_offset, WordTokenizer};

/// Words of this many bytes or more are not indexed (hashes, base64, glued menus).
pub const MAX_WORD_BYTES: usize = 40;

/// A word held inline, as the key of a cache or dictionary: a lookup compares the bytes in
/// the table instead of following a pointer to each candidate key, which in a large map is
/// a cache miss (in a 45k import the key comparisons of the `Box<str>`-keyed stem caches
/// were 5% of all samples; BENCHMARKS.md, session 15). Words longer than 28 bytes (rare in
/// Swedish) are not cached.
type InlineWord = arrayvec::ArrayString<28>;

use std::sync::OnceLock;

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, RemoveLongFilter, StopWordFilter, TextAnalyzer,
    TextAnalyzerBuilder, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

/// Name under which the Swedish analyzer is registered with the index.
pub const SWEDISH: &str = "sv";
/// [`swedish_parts`]: whole words plus the parts of compounds.
pub const SWEDISH_PARTS: &str = "sv_parts";
/// [`swedish_folded_index`] when indexing, [`swedish_folded`] for queries: stems with
/// å/ä/ö folded to a/o.
pub const SWEDISH_FOLDED: &str = "sv_folded";

/// Whole value, lower-cased: exact but case-blind filters on metadata values.
pub const RAW_LOWER: &str = "raw_lower";

/// Bump whenever an analyzer changes the terms it makes.
pub const ANALYZER_VERSION: u32 = 7;

/// Snowball's Swedish stop words, built once: the filter holds them behind an `Arc`, so a
/// clone is cheap, while building the set anew cost every query four analyzers' worth of
/// string allocations (7.6% of a keyword query's time in a profile).
fn stop_words() -> StopWordFilter {
    static WORDS: OnceLock<StopWordFilter> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            StopWordFilter::new(Language::Swedish).expect("tantivy ships Swedish stop words")
        })
        .clone()
}

/// Words split on anything but letters and digits, over-long tokens (40 bytes: hashes,
/// base64, glued menus) dropped, lower case ([`Lowercase`]: tantivy's terms, faster on
/// å/ä/ö): the start of every text analyzer.
fn words() -> TextAnalyzerBuilder<impl tantivy::tokenizer::Tokenizer> {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(Lowercase)
}

/// Register every analyzer the schema names.
pub fn register(manager: &TokenizerManager) {
    // The indexer's analyzers cache their stems; the same chains as the query side's.
    manager.register(SWEDISH, swedish_with(CachedSwedishStemmer));
    manager.register(
        SWEDISH_PARTS,
        swedish_parts_with(CachedCompoundParts, CachedSwedishStemmer),
    );
    manager.register(
        SWEDISH_FOLDED,
        swedish_folded_index_with(CachedSwedishStemmer),
    );
    manager.register(
        RAW_LOWER,
        TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
            .filter(RemoveLongFilter::limit(255))
            .filter(Lowercase)
            .build(),
    );
}

/// The parts of compounds only ([`CompoundParts`]), stop words out, stemmed: *skolfrånvaron*
/// gives *skol* and *frånvaro* at its position, *frånvaro* alone nothing (the body field
/// has the whole words).
pub fn swedish_parts() -> TextAnalyzer {
    swedish_parts_with(CompoundParts, SwedishStemmer)
}

/// [`swedish_parts`] with the parts filter `parts` and the stemmer `stem`.
fn swedish_parts_with(parts: impl TokenFilter, stem: impl TokenFilter) -> TextAnalyzer {
    words()
        .filter(parts)
        .filter(stop_words())
        .filter(stem)
        .build()
}

/// [`swedish`] with stems folded to ASCII afterwards, for queries typed without å/ä/ö.
/// Folding after stemming keeps the stemmer's Swedish suffix rules intact. What a query
/// word looks up in the folded field.
pub fn swedish_folded() -> TextAnalyzer {
    words()
        .filter(stop_words())
        .filter(SwedishStemmer)
        .filter(AsciiFoldingFilter)
        .build()
}

/// [`swedish_folded`] of the words that hold a letter beyond ASCII ([`NonAscii`]): what the
/// folded field indexes. A plain word folds to itself and is in the body field already, so
/// the folded field finds the pages that wrote a query word with å/ä/ö (or é, ü …) only,
/// and costs the import a fraction of a field (BENCHMARKS.md, session 8).
pub fn swedish_folded_index() -> TextAnalyzer {
    swedish_folded_index_with(SwedishStemmer)
}

/// [`swedish_folded_index`] with the stemmer `stem`.
fn swedish_folded_index_with(stem: impl TokenFilter) -> TextAnalyzer {
    words()
        .filter(NonAscii)
        .filter(stop_words())
        .filter(stem)
        .filter(AsciiFoldingFilter)
        .build()
}

/// What the highlighter tokenizes a page with: whole words, compound parts and folded
/// copies, each at the offsets of the word in the page, so that any way a query term
/// matched marks the word it matched.
pub fn highlighter() -> TextAnalyzer {
    marks(words())
}

/// The filters of [`highlighter`] after `start`.
fn marks<T: Tokenizer>(start: TextAnalyzerBuilder<T>) -> TextAnalyzer {
    start
        .filter(Decompounder)
        .filter(stop_words())
        .filter(SwedishStemmer)
        .filter(FoldedCopy)
        .build()
}

/// [`highlighter`] for a query's `terms`: words that cannot produce one of them are blanked
/// before decompounding and stemming ([`MayMatch`]); the words that match are marked
/// exactly as [`highlighter`] marks them. The chain form of what [`HighlightTokens`] does
/// word by word, kept for the tests that compare the two.
#[cfg(test)]
pub fn highlighter_for<'a>(terms: impl IntoIterator<Item = &'a str>) -> TextAnalyzer {
    marks(words().filter(MayMatch::new(terms)))
}

/// Tokenizer → drop tokens over 40 bytes → lower case → Snowball Swedish stop words →
/// Snowball Swedish stemmer with the definite `-n` of vowel-final nouns ([`SwedishStemmer`]):
/// Lucene's SwedishAnalyzer plus *skolan* = *skola*.
pub fn swedish() -> TextAnalyzer {
    swedish_with(SwedishStemmer)
}

/// [`swedish`] with the stemmer `stem`.
fn swedish_with(stem: impl TokenFilter) -> TextAnalyzer {
    words().filter(stop_words()).filter(stem).build()
}

/// A token as an analyzer made it: what `/analyze` shows and what queries are built from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AnalyzedToken {
    /// The index term.
    pub term: String,
    /// Position in the token stream (stop words leave gaps).
    pub position: usize,
    /// Byte offsets of the original word in the input.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
}

/// Run `text` through `analyzer`.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<AnalyzedToken> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(AnalyzedToken {
            term: t.text.clone(),
            position: t.position,
            start: t.offset_from,
            end: t.offset_to,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        tokens(&mut swedish(), text)
            .into_iter()
            .map(|t| t.term)
            .collect()
    }

    #[test]
    fn inflections_meet_on_one_stem() {
        assert_eq!(terms("skolfrånvaron"), terms("Skolfrånvaro"));
        assert_eq!(terms("skolan"), terms("skola"));
    }

    #[test]
    fn the_folded_field_holds_only_words_with_letters_beyond_ascii() {
        let text = "Skolan i Härnösand och skolfrånvaron";
        let index: Vec<(String, usize)> = tokens(&mut swedish_folded_index(), text)
            .into_iter()
            .map(|t| (t.term, t.position))
            .collect();
        assert_eq!(
            index,
            [
                ("harnosand".to_string(), 2),
                ("skolfranvaro".to_string(), 4)
            ]
        );
        // A query word is folded whatever its letters: *harnosand* meets the page's *Härnösand*.
        let query: Vec<String> = tokens(&mut swedish_folded(), "harnosand skolan")
            .into_iter()
            .map(|t| t.term)
            .collect();
        assert_eq!(query, ["harnosand", "skol"]);
    }

    #[test]
    fn stop_words_are_removed_but_keep_their_position() {
        let t = tokens(&mut swedish(), "och att Karlskoga");
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].position, 2);
        assert_eq!(&"och att Karlskoga"[t[0].start..t[0].end], "Karlskoga");
    }

    #[test]
    fn the_parts_field_has_the_parts_of_compounds_at_their_position_and_nothing_else() {
        let text = "Frånvaro och skolfrånvaron";
        let t = tokens(&mut swedish_parts(), text);
        let got: Vec<(&str, usize, &str)> = t
            .iter()
            .map(|t| (t.term.as_str(), t.position, &text[t.start..t.end]))
            .collect();
        assert_eq!(
            got,
            [
                ("skol", 2, "skolfrånvaron"),
                ("frånvaro", 2, "skolfrånvaron")
            ]
        );
    }
}
