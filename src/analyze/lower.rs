//! Lower-casing with a fast path for Swedish: [`Lowercase`] makes exactly the terms of
//! tantivy's `LowerCaser`, without its cost on the words most Swedish text is made of.
//!
//! tantivy lower-cases an ASCII word in place, and any other word char by char through
//! `char::to_lowercase` (a search in Unicode's case table per letter) into a new string. A
//! quarter of Swedish words hold an å, ä or ö, and nearly all of them are lower case
//! already: in a profile of searches with snippets that path was 4% of all instructions.
//! Here a word whose letters are all below U+0100 (ASCII and Latin-1: å, ä, ö, é, ü …) is
//! scanned once; it is left as it is when it holds no capital, and otherwise its capitals
//! are shifted by 0x20, which is what Unicode's lower-casing does for A–Z, À–Ö and Ø–Þ.
//! Other words go the way tantivy takes them.

use std::mem;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Token filter that lower-cases terms, as tantivy's `LowerCaser` does.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lowercase;

impl TokenFilter for Lowercase {
    type Tokenizer<T: Tokenizer> = LowercaseFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> LowercaseFilter<T> {
        LowercaseFilter {
            tokenizer,
            buffer: String::new(),
        }
    }
}

/// [`Lowercase`] around a tokenizer.
#[derive(Clone)]
pub struct LowercaseFilter<T> {
    tokenizer: T,
    buffer: String,
}

impl<T: Tokenizer> Tokenizer for LowercaseFilter<T> {
    type TokenStream<'a> = LowercaseStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        LowercaseStream {
            tail: self.tokenizer.token_stream(text),
            buffer: &mut self.buffer,
        }
    }
}

/// The token stream of [`LowercaseFilter`].
pub struct LowercaseStream<'a, T> {
    tail: T,
    buffer: &'a mut String,
}

/// What lower-casing does to a word.
#[derive(Debug, PartialEq)]
enum Case {
    /// Nothing: no letter changes.
    Lower,
    /// Only ASCII capitals change: in place.
    Ascii,
    /// Latin-1 capitals (À–Þ) change, each by 0x20.
    Latin1,
    /// A letter beyond U+00FF: Unicode's tables decide.
    Other,
}

/// How `word` lower-cases, from one pass over its bytes. In UTF-8 a letter below U+0100
/// is ASCII or starts with 0xC2 or 0xC3; a capital of Latin-1 is 0xC3 then 0x80–0x9E
/// (but 0x97, the sign ×).
fn case_of(word: &str) -> Case {
    let mut case = Case::Lower;
    let mut after_c3 = false;
    for &b in word.as_bytes() {
        if b >= 0xC4 {
            return Case::Other;
        }
        if after_c3 && (0x80..=0x9E).contains(&b) && b != 0x97 {
            case = Case::Latin1;
        } else if b.is_ascii_uppercase() && case == Case::Lower {
            case = Case::Ascii;
        }
        after_c3 = b == 0xC3;
    }
    case
}

/// Lower-case `word` into `out`, char by char: capitals of ASCII and Latin-1 shifted,
/// anything else through `char::to_lowercase` (as tantivy, without the final-sigma rule).
pub(super) fn lowercase_into(word: &str, out: &mut String) {
    out.clear();
    out.reserve(word.len());
    for c in word.chars() {
        match c {
            'A'..='Z' | 'À'..='Ö' | 'Ø'..='Þ' => {
                out.push(char::from_u32(c as u32 + 0x20).unwrap_or(c));
            }
            c if (c as u32) < 0x100 => out.push(c),
            c => out.extend(c.to_lowercase()),
        }
    }
}

impl<T: TokenStream> TokenStream for LowercaseStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let text = &mut self.tail.token_mut().text;
        match case_of(text) {
            Case::Lower => {}
            Case::Ascii => text.make_ascii_lowercase(),
            Case::Latin1 | Case::Other => {
                lowercase_into(text, self.buffer);
                mem::swap(text, self.buffer);
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{LowerCaser, RawTokenizer, TextAnalyzer};

    fn run(analyzer: &mut TextAnalyzer, text: &str) -> String {
        let mut stream = analyzer.token_stream(text);
        let mut out = String::new();
        while let Some(t) = stream.next() {
            out.push_str(&t.text);
        }
        out
    }

    /// Every char of Unicode's first planes, alone and inside a word with capitals,
    /// lower-cases as tantivy's `LowerCaser` makes it.
    #[test]
    fn every_char_lowercases_as_tantivy_does() {
        let mut ours = TextAnalyzer::builder(RawTokenizer::default())
            .filter(Lowercase)
            .build();
        let mut theirs = TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build();
        let mut checked = 0;
        for c in (0..0x3_0000u32).filter_map(char::from_u32) {
            for word in [
                c.to_string(),
                format!("Sk{c}Ö"),
                format!("å{c}"),
                format!("{c}X"),
            ] {
                assert_eq!(run(&mut ours, &word), run(&mut theirs, &word), "{word:?}");
                checked += 1;
            }
        }
        assert!(checked > 700_000);
    }

    #[test]
    fn the_cases_a_word_can_take() {
        assert_eq!(case_of("skolfrånvaro"), Case::Lower);
        assert_eq!(case_of("Skolan"), Case::Ascii);
        assert_eq!(case_of("Härnösand"), Case::Ascii);
        assert_eq!(case_of("ÖREBRO"), Case::Latin1);
        assert_eq!(case_of("×"), Case::Lower);
        assert_eq!(case_of("Łódź"), Case::Other);
    }
}
