//! Emit a diacritic-folded copy of each token next to it: *härnösand* and *harnosand*.
//!
//! Used only by the highlighter, so that a query typed without å/ä/ö highlights the
//! words it matched through the folded field. The folded field itself uses tantivy's
//! `AsciiFoldingFilter`, which replaces instead of adding.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_swedish_letters() {
        assert_eq!(fold("härnösand"), "harnosand");
        assert_eq!(fold("skolfrånvaro"), "skolfranvaro");
        assert_eq!(fold("karlskoga"), "karlskoga");
    }
}
