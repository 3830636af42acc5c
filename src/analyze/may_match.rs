//! Blank the words that cannot produce any of a query's terms, before the costly filters.
//!
//! Highlighting a hit runs the whole page through the highlighter (decompounding,
//! stemming, folding): most of a search's time when it builds ten snippets. But every
//! term that chain emits for a word is, once folded, a substring of the folded word: a
//! stem is a prefix (Snowball and our rules only cut endings), a compound part is a
//! piece, a folded copy folds the same letters. So a word whose folded form contains
//! none of the folded query terms can be skipped without changing what is marked. It is
//! blanked rather than dropped: the snippet generator cuts passages at token offsets.
//! [`super::HighlightTokens`] applies the check word by word; as a token filter in the
//! highlighter's chain (tests only) it is the reference that form is compared against.

use std::sync::Arc;

use super::{fold, lower};

/// Whether a word may produce one of `terms`: it contains one of them once both are
/// lower-cased and folded.
#[derive(Clone, Debug)]
pub struct MayMatch {
    terms: Arc<Terms>,
}

/// The folded terms, and which bytes start one: a word holds a term only at a byte that
/// starts one, so most words are rejected by a table lookup per byte.
#[derive(Debug)]
struct Terms {
    folded: Vec<Vec<u8>>,
    starts: [bool; 256],
}

impl MayMatch {
    /// A filter for these terms (as the highlighter emits them; folded here).
    pub fn new<'a>(terms: impl IntoIterator<Item = &'a str>) -> MayMatch {
        let mut folded: Vec<Vec<u8>> = terms.into_iter().map(|t| fold(t).into_bytes()).collect();
        folded.sort();
        folded.dedup();
        let mut starts = [false; 256];
        for t in &folded {
            match t.first() {
                Some(&b) => starts[usize::from(b)] = true,
                // The empty term is in every word: every byte starts it.
                None => starts = [true; 256],
            }
        }
        MayMatch {
            terms: Arc::new(Terms { folded, starts }),
        }
    }

    /// Whether `word`, as the text has it, contains a term once lower-cased (as
    /// [`super::Lowercase`] does it) and folded, so the highlighter can skip a rejected
    /// word without lower-casing it or running it through any filter; `buf` is scratch.
    pub fn admits_any_case(&self, word: &str, buf: &mut String) -> bool {
        if word.is_ascii() {
            if !word.bytes().any(|b| b.is_ascii_uppercase()) {
                return self.terms.in_word(word.as_bytes());
            }
            buf.clear();
            buf.push_str(word);
            buf.make_ascii_lowercase();
            return self.terms.in_word(buf.as_bytes());
        }
        if !fold_swedish(word, buf) {
            lower::lowercase_into(word, buf);
            *buf = fold(buf);
        }
        self.terms.in_word(buf.as_bytes())
    }
}

impl Terms {
    /// Whether `word` (folded) contains one of the terms.
    fn in_word(&self, word: &[u8]) -> bool {
        (0..word.len()).any(|i| {
            self.starts[usize::from(word[i])]
                && self.folded.iter().any(|t| word[i..].starts_with(t))
        })
    }
}

/// Lower-case and fold a word whose letters beyond ASCII are all å, ä, ö, é or ü (either
/// case) into `out`, as lower-casing and then the folded field's `AsciiFoldingFilter` do,
/// without their token streams and `String` per word; `false` (and `out` unspecified) for
/// any other letter, which [`fold`] handles.
fn fold_swedish(word: &str, out: &mut String) -> bool {
    out.clear();
    for c in word.chars() {
        out.push(match c {
            'å' | 'ä' | 'Å' | 'Ä' => 'a',
            'ö' | 'Ö' => 'o',
            'é' | 'É' => 'e',
            'ü' | 'Ü' => 'u',
            c if c.is_ascii() => c.to_ascii_lowercase(),
            _ => return false,
        });
    }
    true
}

/// The check as a token filter, after lower-casing in the highlighter's chain
/// ([`super::highlighter_for`]): what [`super::HighlightTokens`] must reproduce, and the
/// analyzer the test against tantivy's `SnippetGenerator` hands it.
#[cfg(test)]
mod filter {
    use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

    use super::MayMatch;

    impl TokenFilter for MayMatch {
        type Tokenizer<T: Tokenizer> = MayMatchFilter<T>;

        fn transform<T: Tokenizer>(self, tokenizer: T) -> MayMatchFilter<T> {
            MayMatchFilter {
                inner: tokenizer,
                filter: self,
            }
        }
    }

    /// [`MayMatch`] around a tokenizer.
    #[derive(Clone)]
    pub struct MayMatchFilter<T> {
        inner: T,
        filter: MayMatch,
    }

    impl<T: Tokenizer> Tokenizer for MayMatchFilter<T> {
        type TokenStream<'a> = MayMatchStream<'a, T::TokenStream<'a>>;

        fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
            MayMatchStream {
                tail: self.inner.token_stream(text),
                filter: &self.filter,
                buf: String::new(),
            }
        }
    }

    /// The token stream of [`MayMatchFilter`].
    pub struct MayMatchStream<'a, T> {
        tail: T,
        filter: &'a MayMatch,
        buf: String,
    }

    impl<T: TokenStream> TokenStream for MayMatchStream<'_, T> {
        fn advance(&mut self) -> bool {
            if !self.tail.advance() {
                return false;
            }
            if !self
                .filter
                .admits_any_case(&self.tail.token().text, &mut self.buf)
            {
                self.tail.token_mut().text.clear();
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
}

#[cfg(test)]
mod tests {
    use super::super::{highlighter, highlighter_for, tokens};

    /// The pre-filter changes nothing that is marked: the highlighter with and without it
    /// emits the same query terms at the same offsets.
    #[test]
    fn marks_the_same_words_as_the_full_highlighter() {
        let text = "Skolfrånvaron i Härnösand ökade; nattåget till Östersund, tidningsartiklar \
                    om läsning och skolans närvaro. Fullt löst.";
        let full = tokens(&mut highlighter(), text);
        // Every term the full chain emits, queried one at a time and all together.
        let mut all: Vec<&str> = full.iter().map(|t| t.term.as_str()).collect();
        all.sort();
        all.dedup();
        let sets: Vec<Vec<&str>> = all.iter().map(|t| vec![*t]).chain([all.clone()]).collect();
        for terms in sets {
            let want: Vec<_> = full
                .iter()
                .filter(|t| terms.contains(&t.term.as_str()))
                .collect();
            let got = tokens(&mut highlighter_for(terms.iter().copied()), text);
            let got: Vec<_> = got
                .iter()
                .filter(|t| terms.contains(&t.term.as_str()))
                .collect();
            assert_eq!(got, want, "terms {terms:?}");
        }
    }

    #[test]
    fn blanks_words_that_cannot_match() {
        let text = "Välkommen till Härnösand";
        let got = tokens(&mut highlighter_for(["harnosand"]), text);
        // Blank words keep their place; härnösand and its folded copy are the only words.
        assert_eq!(got.len(), 4, "{got:?}");
        let got: Vec<_> = got.into_iter().filter(|t| !t.term.is_empty()).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got
            .iter()
            .all(|t| t.start == text.find("Härnösand").unwrap()));
    }

    /// The fast path folds as the folded field does, and gives up on other letters.
    #[test]
    fn swedish_letters_fold_as_the_folded_field_does() {
        let mut buf = String::new();
        for w in ["härnösand", "skolfrånvaro", "café", "müller", "plain"] {
            assert!(super::fold_swedish(w, &mut buf), "{w}");
            assert_eq!(buf, super::fold(w), "{w}");
        }
        assert!(!super::fold_swedish("łódź", &mut buf));
    }
}
