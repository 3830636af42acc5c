//! Diacritic folding beyond tantivy's `AsciiFoldingFilter`: [`FoldedCopy`] emits a folded
//! copy of each token next to it (*härnösand* and *harnosand*), for the highlighter, so that
//! a query typed without å/ä/ö highlights the words it matched through the folded field;
//! [`NonAscii`] keeps only the words that folding can change, so the folded field holds
//! those alone instead of repeating every plain word of the body.

use std::cell::RefCell;

use tantivy::tokenizer::{
    AsciiFoldingFilter, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

thread_local! {
    /// Built once per thread: [`fold`] runs for every non-ASCII word a snippet looks at.
    static FOLDER: RefCell<TextAnalyzer> = RefCell::new(
        TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
            .filter(AsciiFoldingFilter)
            .build(),
    );
}

/// Fold one term the way the folded field does (å, ä → a; ö → o; é → e …).
pub fn fold(term: &str) -> String {
    if term.is_ascii() {
        return term.to_string();
    }
    FOLDER.with_borrow_mut(|a| {
        let mut s = a.token_stream(term);
        let mut out = String::new();
        while let Some(t) = s.next() {
            out.push_str(&t.text);
        }
        out
    })
}

/// Token filter: every non-ASCII token is followed by its folded copy at the same position.
#[derive(Clone, Copy, Debug, Default)]
pub struct FoldedCopy;

impl TokenFilter for FoldedCopy {
    type Tokenizer<T: Tokenizer> = FoldedCopyFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FoldedCopyFilter<T> {
        FoldedCopyFilter { inner: tokenizer }
    }
}

/// [`FoldedCopy`] around a tokenizer.
#[derive(Clone)]
pub struct FoldedCopyFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for FoldedCopyFilter<T> {
    type TokenStream<'a> = FoldedCopyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldedCopyStream {
            tail: self.inner.token_stream(text),
            copy: None,
            emitting_copy: false,
        }
    }
}

/// The token stream of [`FoldedCopyFilter`].
pub struct FoldedCopyStream<T> {
    tail: T,
    copy: Option<Token>,
    emitting_copy: bool,
}

impl<T: TokenStream> TokenStream for FoldedCopyStream<T> {
    fn advance(&mut self) -> bool {
        if !self.emitting_copy && self.copy.is_some() {
            self.emitting_copy = true;
            return true;
        }
        self.emitting_copy = false;
        self.copy = None;
        if !self.tail.advance() {
            return false;
        }
        let t = self.tail.token();
        if !t.text.is_ascii() {
            let folded = fold(&t.text);
            if folded != t.text {
                self.copy = Some(Token {
                    text: folded,
                    ..t.clone()
                });
            }
        }
        true
    }

    fn token(&self) -> &Token {
        match (&self.copy, self.emitting_copy) {
            (Some(c), true) => c,
            _ => self.tail.token(),
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match (&mut self.copy, self.emitting_copy) {
            (Some(c), true) => c,
            _ => self.tail.token_mut(),
        }
    }
}

/// Token filter: drops the tokens that are pure ASCII, which folding leaves as they are
/// (the body field has them already). Placed before the stemmer, it spares the folded
/// field's analysis the stemming of most words, and its postings, dictionary and merges
/// the repetition of every plain word of the body.
#[derive(Clone, Copy, Debug, Default)]
pub struct NonAscii;

impl TokenFilter for NonAscii {
    type Tokenizer<T: Tokenizer> = NonAsciiFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> NonAsciiFilter<T> {
        NonAsciiFilter { inner: tokenizer }
    }
}

/// [`NonAscii`] around a tokenizer.
#[derive(Clone)]
pub struct NonAsciiFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for NonAsciiFilter<T> {
    type TokenStream<'a> = NonAsciiStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        NonAsciiStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// The token stream of [`NonAsciiFilter`].
pub struct NonAsciiStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for NonAsciiStream<T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if !self.tail.token().text.is_ascii() {
                return true;
            }
        }
        false
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

    #[test]
    fn folds_swedish_letters() {
        assert_eq!(fold("härnösand"), "harnosand");
        assert_eq!(fold("skolfrånvaro"), "skolfranvaro");
        assert_eq!(fold("karlskoga"), "karlskoga");
    }

    #[test]
    fn non_ascii_keeps_only_the_words_folding_can_change() {
        let mut a = TextAnalyzer::builder(tantivy::tokenizer::SimpleTokenizer::default())
            .filter(NonAscii)
            .build();
        let mut s = a.token_stream("skola i Härnösand och café 2024");
        let mut got = Vec::new();
        while let Some(t) = s.next() {
            got.push((t.text.clone(), t.position));
        }
        assert_eq!(got, [("Härnösand".to_string(), 2), ("café".to_string(), 4)]);
    }
}
