//! Splitting text into words: [`WordTokenizer`] makes exactly the tokens of tantivy's
//! `SimpleTokenizer` (runs of letters and digits, numbered from 0), faster.
//!
//! `SimpleTokenizer` decodes every char and asks `char::is_alphanumeric`, which for any
//! letter beyond ASCII searches Unicode's tables: å, ä and ö are in a quarter of Swedish
//! words. Here an ASCII byte is classified by itself and a Latin-1 letter (two bytes,
//! the first 0xC3) from its second byte; only other chars are decoded and looked up. The
//! tokenizer was 8% of the instructions of searches with snippets (each hit's passage is
//! tokenized again), and runs three times over every page an import indexes.
//! [`word_offset`] finds where a word position starts without making tokens at all.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Tokenizer: the maximal runs of alphanumeric chars, as tantivy's `SimpleTokenizer`.
#[derive(Clone, Default)]
pub struct WordTokenizer {
    token: Token,
}

/// The token stream of [`WordTokenizer`].
pub struct WordStream<'a> {
    text: &'a str,
    /// Byte where the search for the next word starts.
    at: usize,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            at: 0,
            token: &mut self.token,
        }
    }
}

/// Whether the char at byte `i` of `text` (a char boundary) is a letter or a digit, and
/// its length in bytes.
#[inline(always)]
fn alnum_at(text: &str, i: usize) -> (bool, usize) {
    let bytes = text.as_bytes();
    let b = bytes[i];
    if b < 0x80 {
        return (b.is_ascii_alphanumeric(), 1);
    }
    if b == 0xC3 {
        // U+00C0..U+00FF: all letters but × (U+00D7) and ÷ (U+00F7).
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        return (next != 0x97 && next != 0xB7, 2);
    }
    match text.get(i..).and_then(|rest| rest.chars().next()) {
        Some(c) => (c.is_alphanumeric(), c.len_utf8()),
        None => (false, 1),
    }
}

/// The next word of `text` from byte `at`: its byte range, and where the search for the
/// one after it goes on (past the char that ended it, as `SimpleTokenizer` consumes it).
#[inline]
fn next_word(text: &str, mut at: usize) -> Option<(usize, usize, usize)> {
    let bytes = text.as_bytes();
    let len = bytes.len();
    // Separators: ASCII ones byte by byte, the rest by their char.
    loop {
        while at < len && bytes[at] < 0x80 && !bytes[at].is_ascii_alphanumeric() {
            at += 1;
        }
        if at >= len {
            return None;
        }
        let (alnum, n) = alnum_at(text, at);
        if alnum {
            break;
        }
        at += n;
    }
    let from = at;
    loop {
        while at < len && bytes[at].is_ascii_alphanumeric() {
            at += 1;
        }
        if at >= len {
            return Some((from, len, len));
        }
        let (alnum, n) = alnum_at(text, at);
        if !alnum {
            return Some((from, at, at + n));
        }
        at += n;
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        match next_word(self.text, self.at) {
            Some((from, to, next)) => {
                self.token.offset_from = from;
                self.token.offset_to = to;
                self.token.text.push_str(&self.text[from..to]);
                self.at = next;
                true
            }
            None => {
                self.at = self.text.len();
                false
            }
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The byte ranges of the words of `text`, in order: the tokens' offsets, without tokens.
pub fn ranges(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (from, to, next) = next_word(text, at)?;
        at = next;
        Some((from, to))
    })
}

/// Byte offset of the word at `position` of `text` as the analyzers number words (every
/// word counts, stop words and over-long ones included), or the end of `text`.
pub fn word_offset(text: &str, position: u32) -> usize {
    ranges(text)
        .nth(position as usize)
        .map_or(text.len(), |(from, _)| from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer};

    fn tokens<T: Tokenizer>(t: T, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut a = TextAnalyzer::builder(t).build();
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    fn same_as_simple(text: &str) {
        assert_eq!(
            tokens(WordTokenizer::default(), text),
            tokens(SimpleTokenizer::default(), text),
            "{text:?}"
        );
    }

    /// Every char of Unicode's first planes, alone, inside a word and between words.
    #[test]
    fn every_char_splits_as_simple_tokenizer_does() {
        for c in (0..0x3_0000u32).filter_map(char::from_u32) {
            same_as_simple(&format!("{c}"));
            same_as_simple(&format!("Sk{c}la {c} å{c}"));
        }
    }

    #[test]
    fn the_seed_pages_split_as_simple_tokenizer_does() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/import");
        let mut pages = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
            same_as_simple(&text);
            pages += usize::from(!text.is_empty());
        }
        assert!(pages >= 5);
    }

    proptest! {
        #[test]
        fn any_text_splits_as_simple_tokenizer_does(text in "\\PC{0,40}") {
            same_as_simple(&text);
        }

        #[test]
        fn word_offset_is_where_the_token_at_that_position_starts(
            text in "[a-zåäö ,.×]{0,40}", position in 0u32..10
        ) {
            let expected = tokens(SimpleTokenizer::default(), &text)
                .into_iter()
                .find(|t| t.1 >= position as usize)
                .map_or(text.len(), |t| t.2);
            prop_assert_eq!(word_offset(&text, position), expected);
        }
    }
}
