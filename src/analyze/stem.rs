//! Snowball Swedish stemming plus the inflections it leaves on a stem of their own.
//!
//! Snowball strips `-en`, `-ar`, `-or`… but leaves some common forms apart from their base,
//! and the steps after it bring them together (each runs on Snowball's output, so every
//! form of a word that Snowball puts on one stem keeps taking the same path):
//!
//! - the genitive `-s` after a plural or definite ending (*kvinnojourers*, *företagets*);
//! - the `-n` of the definite singular of nouns that end in a vowel: *skolan* (skola),
//!   *frånvaron* (frånvaro). A stem of six letters or more that ends in `-an` or `-on` loses
//!   its `n` and is stemmed again: *organisation*, *organisationen* and *organisationer*
//!   all end as *organisatio*;
//! - what Snowball's `-et` step leaves: *klimatet* → *klimat*, while *klimat* itself loses
//!   `-at` (*klim*); the rest is stemmed again, as for the definite `-n`. (Taking `-et`
//!   after two consonants as well, *barnet* → *barn*, which Snowball does not, brought
//!   more Talbanken lemmas onto one stem but lowered SweFAQ on both halves of the dev
//!   questions: not done, see QUALITY.md);
//! - the `-el` words that drop their `e` when inflected (*artikel* / *artikeln* /
//!   *artiklar*, *enkel* / *enkla*, *regel* / *regler*): a final consonant + `el`, and the
//!   definite `eln`, end as consonant + `l`.

use std::borrow::Cow;

use frostem::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::InlineWord;

/// Shortest word (in chars, after Snowball) whose final `-an`/`-on` is taken as definite.
const MIN_CHARS: usize = 6;

/// Stem one lower-cased word.
pub fn stem_word<'a>(stemmer: &Stemmer, word: &'a str) -> Cow<'a, str> {
    let mut once = stemmer.stem(word);
    // Snowball takes one suffix: of a genitive (*kvinnojourers*, *företagets*) it takes
    // only the `s`, leaving the plural or definite ending that the base form loses.
    if word.ends_with('s') && once.len() + 1 == word.len() {
        let again = stemmer.stem(&once).into_owned();
        if again.len() < once.len() {
            once = Cow::Owned(again);
        }
    }
    let definite =
        (once.ends_with("an") || once.ends_with("on")) && once.chars().count() >= MIN_CHARS;
    if definite {
        let base = &once[..once.len() - 1];
        return syncope(Cow::Owned(stemmer.stem(base).into_owned()));
    }
    // Snowball took the `-et` (of the word, or of its genitive `-ets`): stem the rest as
    // the base form is stemmed.
    let bare = word
        .strip_suffix('s')
        .filter(|_| once.len() < word.len())
        .unwrap_or(word);
    if let Some(rest) = bare.strip_suffix("et") {
        if once.len() == rest.len() && once.len() < bare.len() {
            return syncope(Cow::Owned(stemmer.stem(rest).into_owned()));
        }
    }
    syncope(once)
}

/// Whether `c` is one of Snowball's Swedish vowels.
fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'ä' | 'å' | 'ö')
}

/// A final consonant + `el` (or the definite `eln`) becomes consonant + `l`, the form
/// the word takes when inflected (*artiklar*, *enkla*), for stems of five letters or more.
fn syncope(stem: Cow<'_, str>) -> Cow<'_, str> {
    let body = stem
        .strip_suffix('n')
        .filter(|b| b.ends_with("el"))
        .unwrap_or(&stem);
    let Some(head) = body.strip_suffix("el") else {
        return stem;
    };
    let consonant = head.chars().next_back().is_some_and(|c| !is_vowel(c));
    if !consonant || body.chars().count() < 5 {
        return stem;
    }
    Cow::Owned(format!("{head}l"))
}

/// The token filter: replaces each token's text by its stem.
#[derive(Clone, Copy, Debug, Default)]
pub struct SwedishStemmer;

impl TokenFilter for SwedishStemmer {
    type Tokenizer<T: Tokenizer> = SwedishStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> SwedishStemmerFilter<T> {
        SwedishStemmerFilter {
            inner: tokenizer,
            cache: None,
        }
    }
}

/// [`SwedishStemmer`] that remembers the stems of the words it met ([`StemCache`]): for
/// the analyzers the indexer keeps for a whole segment. A query's analyzer, built for a few
/// words, would only pay for filling the cache.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedSwedishStemmer;

impl TokenFilter for CachedSwedishStemmer {
    type Tokenizer<T: Tokenizer> = SwedishStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> SwedishStemmerFilter<T> {
        SwedishStemmerFilter {
            inner: tokenizer,
            cache: Some(StemCache::default()),
        }
    }
}

/// Most words a [`StemCache`] holds before it starts again (about 1 MB).
const CACHE_WORDS: usize = 16_384;

/// The stems of the words an analyzer has met. A word costs the stemmer about 1,000
/// instructions (Snowball plus the steps above, some of them stemming again), a lookup a
/// tenth of that, and words repeat: the indexer keeps one analyzer per field for a whole
/// segment, so most of a page's words were stemmed on an earlier page (a 3,000-page
/// import: the indexing thread 0.86x the instructions). Emptied when full, so it stays
/// small; a clone starts empty.
#[derive(Default)]
struct StemCache(rustc_hash::FxHashMap<InlineWord, InlineWord>);

impl Clone for StemCache {
    fn clone(&self) -> Self {
        StemCache::default()
    }
}

impl StemCache {
    /// Replace `word` by its stem.
    fn stem(&mut self, stemmer: &Stemmer, word: &mut String) {
        let Ok(key) = InlineWord::from(word) else {
            return stem_in_place(stemmer, word);
        };
        if let Some(stem) = self.0.get(&key) {
            word.clear();
            word.push_str(stem);
            return;
        }
        stem_in_place(stemmer, word);
        if let Ok(value) = InlineWord::from(word) {
            if self.0.len() >= CACHE_WORDS {
                self.0.clear();
            }
            self.0.insert(key, value);
        }
    }
}

/// Replace `word` by its stem; a stem that is a prefix of the word (most are) cuts the
/// word, no copy.
fn stem_in_place(stemmer: &Stemmer, word: &mut String) {
    let cut = match stem_word(stemmer, word) {
        Cow::Owned(s) => {
            *word = s;
            return;
        }
        Cow::Borrowed(b) => b.len(),
    };
    word.truncate(cut);
}

/// [`SwedishStemmer`] wrapped around a tokenizer.
#[derive(Clone)]
pub struct SwedishStemmerFilter<T> {
    inner: T,
    cache: Option<StemCache>,
}

impl<T: Tokenizer> Tokenizer for SwedishStemmerFilter<T> {
    type TokenStream<'a> = SwedishStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        SwedishStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: Stemmer::new(Algorithm::Swedish),
            cache: self.cache.as_mut(),
        }
    }
}

/// The token stream of [`SwedishStemmerFilter`].
pub struct SwedishStemmerStream<'a, T> {
    tail: T,
    stemmer: Stemmer,
    cache: Option<&'a mut StemCache>,
}

impl<T: TokenStream> TokenStream for SwedishStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        match self.cache.as_deref_mut() {
            Some(cache) => cache.stem(&self.stemmer, &mut token.text),
            None => stem_in_place(&self.stemmer, &mut token.text),
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

    fn stem(w: &str) -> String {
        stem_word(&Stemmer::new(Algorithm::Swedish), w).into_owned()
    }

    /// The cache gives what the stemmer gives, for words met before and after it was
    /// emptied: the seed pages' words, lower-cased, twice over, through an analyzer whose
    /// cache fills and empties several times.
    #[test]
    fn cached_stems_are_the_stemmers_stems() {
        use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/seeds");
        let mut text = String::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|e| e == "txt") {
                text.push_str(&std::fs::read_to_string(p).unwrap().to_lowercase());
            }
        }
        // Numbered copies make more distinct words than the cache holds.
        let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        let seed_words = words.len();
        words.extend((0..2 * CACHE_WORDS).map(|i| format!("ord{i}en")));
        words.extend(text.split_whitespace().take(seed_words).map(str::to_string));
        // Longer than an inline cache key (28 bytes): stemmed every time, uncached.
        for long in [
            "arbetsmarknadsutbildningarnas",
            "försäkringskassehandläggarnas",
        ] {
            assert!(long.len() > 28);
            words.extend([long.to_string(), long.to_string()]);
        }
        let all = words.join(" ");
        let mut analyzer = TextAnalyzer::builder(WhitespaceTokenizer::default())
            .filter(CachedSwedishStemmer)
            .build();
        let mut stream = analyzer.token_stream(&all);
        let stemmer = Stemmer::new(Algorithm::Swedish);
        let mut n = 0;
        while let Some(t) = stream.next() {
            assert_eq!(
                t.text,
                stem_word(&stemmer, &words[n]),
                "word {n}: {}",
                words[n]
            );
            n += 1;
        }
        assert_eq!(n, words.len());
        assert!(n > 2 * CACHE_WORDS + 1000);
    }

    #[test]
    fn definite_forms_of_vowel_final_nouns_meet_their_base() {
        assert_eq!(stem("skolfrånvaron"), stem("skolfrånvaro"));
        assert_eq!(stem("närvaron"), stem("närvaro"));
        assert_eq!(stem("skolan"), stem("skola"));
        assert_eq!(stem("skolans"), stem("skolor"));
    }

    #[test]
    fn genitives_meet_their_base() {
        assert_eq!(stem("kvinnojourers"), stem("kvinnojour"));
        assert_eq!(stem("företagets"), stem("företag"));
    }

    #[test]
    fn every_form_of_an_on_word_takes_the_same_path() {
        let forms = [
            "organisation",
            "organisationen",
            "organisationer",
            "organisationens",
        ];
        let stems: Vec<String> = forms.iter().map(|w| stem(w)).collect();
        assert!(stems.iter().all(|s| *s == stems[0]), "{stems:?}");
    }

    #[test]
    fn what_snowball_leaves_of_et_is_stemmed_as_its_base() {
        assert_eq!(stem("klimatet"), stem("klimat"));
        assert_eq!(stem("villkoret"), stem("villkor"));
        assert_eq!(stem("ansvarets"), stem("ansvar"));
        assert_eq!(stem("huset"), stem("hus"));
    }

    #[test]
    fn words_snowball_already_joins_stay_joined() {
        assert_eq!(stem("arbetet"), stem("arbete"));
        assert_eq!(stem("arbeta"), stem("arbete"));
        assert_eq!(stem("enheten"), stem("enhet"));
        assert_eq!(stem("beslutet"), stem("beslut"));
    }

    #[test]
    fn el_words_meet_their_inflected_forms() {
        let groups: [&[&str]; 4] = [
            &["cykel", "cykeln", "cyklar", "cykelns"],
            &["artikel", "artikeln", "artiklar", "artiklarna", "artikelns"],
            &["regel", "regeln", "regler", "reglerna"],
            &["enkel", "enkla", "enklare"],
        ];
        for forms in groups {
            let stems: Vec<String> = forms.iter().map(|w| stem(w)).collect();
            assert!(stems.iter().all(|s| *s == stems[0]), "{forms:?}: {stems:?}");
        }
        // Stems under five letters keep their `e` (*spel*), and so does a vowel + `el`.
        assert_eq!(stem("spel"), "spel");
        assert_eq!(syncope(Cow::Borrowed("israel")), "israel");
    }

    #[test]
    fn short_words_keep_their_n() {
        assert_eq!(stem("man"), "man");
        assert_ne!(stem("plan"), stem("pla"));
    }
}

#[cfg(test)]
mod snowball_vectors {
    use super::*;

    /// frostem (the stemmer tantivy 0.27 uses) is generated from the current Snowball
    /// Swedish algorithm, with its 2025 `-et` change (arbetet → arbet): it must
    /// reproduce Snowball's own test vectors exactly. Our definite-`n` step comes after it.
    #[test]
    fn snowball_swedish_reproduces_its_test_vectors() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/lang/snowball");
        let voc = std::fs::read_to_string(dir.join("voc.txt")).unwrap();
        let out = std::fs::read_to_string(dir.join("output.txt")).unwrap();
        let stemmer = Stemmer::new(Algorithm::Swedish);
        let mut n = 0;
        for (word, want) in voc.lines().zip(out.lines()) {
            assert_eq!(stemmer.stem(word), want, "{word}");
            n += 1;
        }
        assert_eq!(n, 30_738);
        assert_eq!(stemmer.stem("arbetet"), "arbet");
    }
}

#[cfg(test)]
mod inflection_groups {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// Share of Talbanken lemmas (with two or more distinct forms) whose forms all end on
    /// one stem: Snowball alone, then with the steps after it. Prints both.
    #[test]
    fn more_inflection_groups_meet_on_one_stem() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/lang/talbanken/form_lemma_upos_counts.tsv");
        let text = std::fs::read_to_string(path).unwrap();
        let mut groups: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 3 || !matches!(cols[2], "NOUN" | "VERB" | "ADJ" | "PROPN" | "ADV") {
                continue;
            }
            let form = cols[0].to_lowercase();
            if form.chars().all(char::is_alphabetic) {
                groups
                    .entry((cols[1].to_lowercase(), cols[2].to_string()))
                    .or_default()
                    .insert(form);
            }
        }
        groups.retain(|_, forms| forms.len() >= 2);
        let stemmer = Stemmer::new(Algorithm::Swedish);
        let one_stem = |f: &dyn Fn(&str) -> String| {
            groups
                .values()
                .filter(|forms| forms.iter().map(|w| f(w)).collect::<BTreeSet<_>>().len() == 1)
                .count()
        };
        let before = one_stem(&|w| stemmer.stem(w).into_owned());
        let after = one_stem(&|w| stem_word(&stemmer, w).into_owned());
        let n = groups.len() as f64;
        println!(
            "talbanken: {} lemma groups; one stem: Snowball {before} ({:.1}%), hitta {after} ({:.1}%)",
            groups.len(),
            100.0 * before as f64 / n,
            100.0 * after as f64 / n
        );
        assert!(groups.len() > 500);
        assert!(
            after > before,
            "the steps after Snowball must merge some groups: {after} vs {before}"
        );
    }
}
