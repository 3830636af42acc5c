//! Swedish decompounding: *skolfrånvaro* → *skol* + *frånvaro*.
//!
//! Swedish writes compounds as one word, so a search for *frånvaro* must reach pages
//! that only say *skolfrånvaro*. The filter keeps the whole word and adds its parts at
//! the same position; it is used in a field of its own with a lower weight, so whole-word
//! matches still rank first. Parts come from a list of known compound-initial and
//! compound-final parts (NST lexicon) with word frequencies: a split must consist of known
//! parts only, with an optional linking *-s-* (*tidning-s-artikel*) and the third consonant
//! a joint drops restored (*nattåg* = *natt* + *tåg*); fewer parts win, then more frequent
//! ones, and a known word more frequent than its parts stays whole.

use std::cell::RefCell;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::InlineWord;

/// Shortest part, in chars.
const MIN_PART: usize = 3;
/// Most parts in one split.
const MAX_PARTS: usize = 4;
/// Words cached per thread before the cache is cleared: the server runs searches on up
/// to `max_concurrent_searches` threads, each with its cache, so it stays small (a few
/// MB at most); the commonest words come back first after a clear.
const CACHE_LIMIT: usize = 5_000;

const P: u8 = 1;
const S: u8 = 2;

/// The compound parts, loaded once from the table shipped in the binary.
pub struct Dictionary {
    parts: FxHashMap<InlineWord, (u8, u8)>,
}

/// The shared dictionary.
pub fn dictionary() -> &'static Dictionary {
    static DICT: OnceLock<Dictionary> = OnceLock::new();
    DICT.get_or_init(|| Dictionary::parse(include_str!("data/compound_parts.tsv")))
}

/// A split: parts and their mean frequency (zipf × 10).
#[derive(Debug, Clone)]
struct Split {
    parts: Vec<String>,
    mean: f32,
}

impl Dictionary {
    fn parse(table: &str) -> Dictionary {
        let mut parts = FxHashMap::with_capacity_and_hasher(40_000, Default::default());
        for line in table.lines() {
            let mut cols = line.split('\t');
            let (Some(part), Some(flags), Some(zipf)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let f = (if flags.contains('P') { P } else { 0 })
                | (if flags.contains('S') { S } else { 0 });
            // Every part of the table fits (the longest is 20 bytes; a test checks that
            // every line is kept).
            if let Ok(key) = InlineWord::from(part) {
                parts.insert(key, (f, zipf.parse().unwrap_or(0)));
            }
        }
        Dictionary { parts }
    }

    fn lookup(&self, part: &str, flag: u8) -> Option<u8> {
        self.parts
            .get(part)
            .filter(|(f, _)| f & flag != 0)
            .map(|(_, z)| *z)
    }

    /// The parts of `word` (lower case), or `None` when it is not a compound of known parts.
    pub fn split(&self, word: &str) -> Option<Vec<String>> {
        if word.chars().count() < 2 * MIN_PART {
            return None;
        }
        let best = self.best(word, MAX_PARTS)?;
        if best.parts.len() < 2 {
            return None;
        }
        if let Some(z) = self.lookup(word, S | P) {
            if f32::from(z) >= best.mean {
                return None;
            }
        }
        Some(best.parts)
    }

    /// Best split of `w` into at most `budget` parts (a single final part counts).
    fn best(&self, w: &str, budget: usize) -> Option<Split> {
        let mut best: Option<Split> = self.lookup(w, S).map(|z| Split {
            parts: vec![w.to_string()],
            mean: f32::from(z),
        });
        if budget < 2 {
            return best;
        }
        for (i, _) in w.char_indices().skip(MIN_PART) {
            let (head, rest) = w.split_at(i);
            if rest.chars().count() < MIN_PART - 1 {
                break;
            }
            let Some(zh) = self.lookup(head, P) else {
                continue;
            };
            let mut rests: Vec<std::borrow::Cow<str>> = Vec::new();
            if rest.chars().count() >= MIN_PART {
                rests.push(rest.into());
            }
            if let Some(after_s) = rest.strip_prefix('s') {
                if after_s.chars().count() >= MIN_PART && !head.ends_with('s') {
                    rests.push(after_s.into());
                }
            }
            let mut tail = head.chars().rev();
            if let (Some(a), Some(b)) = (tail.next(), tail.next()) {
                if a == b && !"aeiouyåäö".contains(a) && !rest.starts_with(a) {
                    rests.push(format!("{a}{rest}").into());
                }
            }
            for r in rests {
                let Some(sub) = self.best(&r, budget - 1) else {
                    continue;
                };
                let n = sub.parts.len() + 1;
                let mean = (f32::from(zh) + sub.mean * sub.parts.len() as f32) / n as f32;
                let better = match &best {
                    None => true,
                    Some(b) => n < b.parts.len() || (n == b.parts.len() && mean > b.mean),
                };
                if better {
                    let mut parts = Vec::with_capacity(n);
                    parts.push(head.to_string());
                    parts.extend(sub.parts);
                    best = Some(Split { parts, mean });
                }
            }
        }
        best
    }
}

/// Token filter adding the parts of compounds after the whole word, at its position.
#[derive(Clone, Default)]
pub struct Decompounder;

impl TokenFilter for Decompounder {
    type Tokenizer<T: Tokenizer> = DecompounderFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DecompounderFilter<T> {
        DecompounderFilter {
            inner: tokenizer,
            whole: true,
            cache: None,
        }
    }
}

/// Token filter keeping only the parts of compounds, at the compound's position: the
/// parts field of the index, whose whole words would repeat the body field's.
#[derive(Clone, Default)]
pub struct CompoundParts;

impl TokenFilter for CompoundParts {
    type Tokenizer<T: Tokenizer> = DecompounderFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DecompounderFilter<T> {
        DecompounderFilter {
            inner: tokenizer,
            whole: false,
            cache: None,
        }
    }
}

/// [`CompoundParts`] with a cache of its own ([`SplitCache`]), four times the size of the
/// per-thread one: for the indexer, whose one analyzer per field sees every word of a
/// segment. 20,000 words instead of 5,000: a 3,000-page import 0.98x the instructions, a
/// 45k import 0.96-0.97x the wall time (BENCHMARKS.md, session 14). Searches keep the
/// small per-thread cache: 20,000 there too added 8 MB to the server's peak under load.
#[derive(Clone, Default)]
pub struct CachedCompoundParts;

impl TokenFilter for CachedCompoundParts {
    type Tokenizer<T: Tokenizer> = DecompounderFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> DecompounderFilter<T> {
        DecompounderFilter {
            inner: tokenizer,
            whole: false,
            cache: Some(SplitCache::default()),
        }
    }
}

/// Most words a [`SplitCache`] holds before it starts again (about 100 bytes a word).
const OWN_CACHE_LIMIT: usize = 20_000;

/// The splits an analyzer has found. Emptied when full, so it stays small; a clone starts
/// empty (tantivy clones an analyzer for each segment writer).
#[derive(Default)]
pub struct SplitCache(FxHashMap<InlineWord, Option<Vec<String>>>);

impl Clone for SplitCache {
    fn clone(&self) -> Self {
        SplitCache::default()
    }
}

#[derive(Clone)]
pub struct DecompounderFilter<T> {
    inner: T,
    whole: bool,
    cache: Option<SplitCache>,
}

thread_local! {
    /// The splits found so far on this thread. Words repeat across pages, and a new
    /// analyzer is built for every search's snippets: a per-analyzer cache would start
    /// empty each time.
    static SPLITS: RefCell<FxHashMap<InlineWord, Option<Vec<String>>>> = RefCell::default();
}

impl<T: Tokenizer> Tokenizer for DecompounderFilter<T> {
    type TokenStream<'a> = DecompounderStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        DecompounderStream {
            tail: self.inner.token_stream(text),
            pending: Vec::new(),
            current: None,
            whole: self.whole,
            cache: self.cache.as_mut(),
        }
    }
}

pub struct DecompounderStream<'a, T> {
    cache: Option<&'a mut SplitCache>,
    tail: T,
    pending: Vec<Token>,
    current: Option<Token>,
    whole: bool,
}

impl<T: TokenStream> TokenStream for DecompounderStream<'_, T> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some(part) = self.pending.pop() {
                self.current = Some(part);
                return true;
            }
            self.current = None;
            if !self.tail.advance() {
                return false;
            }
            self.split_current();
            if self.whole {
                return true;
            }
        }
    }

    fn token(&self) -> &Token {
        self.current.as_ref().unwrap_or_else(|| self.tail.token())
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.current.as_mut() {
            Some(t) => t,
            None => self.tail.token_mut(),
        }
    }
}

impl<T: TokenStream> DecompounderStream<'_, T> {
    /// Queue the parts of the tail's current word (none if it is no compound).
    fn split_current(&mut self) {
        let token = self.tail.token();
        // Too short for two parts (bytes >= chars): half of all words, no cache lookup.
        if token.text.len() < 2 * MIN_PART {
            return;
        }
        let pending = &mut self.pending;
        let push = |pending: &mut Vec<Token>, parts: &Option<Vec<String>>| {
            for part in parts.iter().flatten().rev() {
                pending.push(part_token(token, part));
            }
        };
        let Ok(key) = InlineWord::from(&token.text) else {
            // Too long to cache (rare): split every time.
            return push(pending, &dictionary().split(&token.text));
        };
        let mut split =
            |cache: &mut FxHashMap<InlineWord, Option<Vec<String>>>, limit: usize| match cache
                .get(&key)
            {
                Some(parts) => push(pending, parts),
                None => {
                    let parts = dictionary().split(&token.text);
                    push(pending, &parts);
                    if cache.len() >= limit {
                        cache.clear();
                    }
                    cache.insert(key, parts);
                }
            };
        match self.cache.as_deref_mut() {
            Some(own) => split(&mut own.0, OWN_CACHE_LIMIT),
            None => SPLITS.with_borrow_mut(|cache| split(cache, CACHE_LIMIT)),
        }
    }
}

/// The token of `part` of the compound `word`: at the word's position and offsets. Not
/// `..word.clone()`: that would copy the word's text only to drop it.
fn part_token(word: &Token, part: &str) -> Token {
    Token {
        text: part.to_string(),
        offset_from: word.offset_from,
        offset_to: word.offset_to,
        position: word.position,
        position_length: word.position_length,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(w: &str) -> Option<Vec<String>> {
        dictionary().split(w)
    }

    #[test]
    fn splits_into_known_parts_with_linking_s_and_restored_consonant() {
        assert_eq!(split("skolfrånvaro").unwrap(), ["skol", "frånvaro"]);
        assert_eq!(split("tidningsartikel").unwrap(), ["tidning", "artikel"]);
        assert_eq!(split("arbetsmarknad").unwrap(), ["arbet", "marknad"]);
        assert_eq!(split("nattåg").unwrap(), ["natt", "tåg"]);
    }

    #[test]
    fn own_cache_gives_the_per_thread_caches_parts() {
        use tantivy::tokenizer::{SimpleTokenizer, TextAnalyzer};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("import");
        let mut text = String::new();
        for e in std::fs::read_dir(root).unwrap() {
            text += &std::fs::read_to_string(e.unwrap().path()).unwrap_or_default();
        }
        // More distinct words than the cache holds, so that it is emptied on the way.
        for i in 0..OWN_CACHE_LIMIT + 5_000 {
            text += &format!(" ord{i} skolfrånvaro nattåg tidningsartikel");
        }
        // Longer than an inline cache key (28 bytes): split every time, uncached.
        let long = "skolfrånvarohandläggningsrutiner";
        assert!(long.len() > 28 && dictionary().split(long).is_some());
        text += &format!(" {long} {long}");
        let all = |a: &mut TextAnalyzer| {
            let mut out = Vec::new();
            let mut s = a.token_stream(&text);
            while let Some(t) = s.next() {
                out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
            }
            out
        };
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(CompoundParts)
            .build();
        let mut cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(CachedCompoundParts)
            .build();
        let want = all(&mut plain);
        assert!(want.iter().any(|t| t.0 == "frånvaro"));
        let long_parts = dictionary().split(long).unwrap();
        assert!(long_parts.iter().all(|p| want.iter().any(|t| &t.0 == p)));
        assert_eq!(all(&mut cached), want);
        assert_eq!(all(&mut cached), want, "a second pass, from the cache");
    }

    #[test]
    fn every_part_of_the_table_is_in_the_dictionary() {
        let table = include_str!("data/compound_parts.tsv");
        let parts: std::collections::HashSet<&str> = table
            .lines()
            .filter(|l| l.split('\t').count() >= 3)
            .map(|l| l.split('\t').next().unwrap())
            .collect();
        assert!(parts.len() > 30_000, "{}", parts.len());
        assert_eq!(dictionary().parts.len(), parts.len());
        assert!(parts.iter().all(|p| dictionary().parts.contains_key(*p)));
    }

    #[test]
    fn plain_words_stay_whole() {
        assert_eq!(split("frånvaro"), None);
        assert_eq!(split("skola"), None);
        assert_eq!(split("karlskoga"), None, "a name, not skog+a");
        assert_eq!(split("xyzqwerty"), None);
    }
}
