//! Typo corrections: index terms within a small edit distance of a query term.
//!
//! Runs a Levenshtein automaton over each segment's term dictionary, so the cost is
//! proportional to the dictionary paths it visits, not to the number of terms.

use std::collections::HashMap;
use std::sync::OnceLock;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};
use tantivy::schema::Field;
use tantivy::Searcher;

/// The edit-distance automaton of a word after its first `prefix` bytes, which must
/// match exactly (state: bytes of the prefix matched, automaton state).
struct Dfa {
    prefix: Vec<u8>,
    dfa: DFA,
}

impl tantivy_fst::Automaton for Dfa {
    type State = (usize, u32);

    fn start(&self) -> (usize, u32) {
        (0, self.dfa.initial_state())
    }

    fn is_match(&self, state: &(usize, u32)) -> bool {
        state.0 == self.prefix.len() && matches!(self.dfa.distance(state.1), Distance::Exact(_))
    }

    fn can_match(&self, state: &(usize, u32)) -> bool {
        state.1 != SINK_STATE
    }

    fn accept(&self, &(matched, s): &(usize, u32), byte: u8) -> (usize, u32) {
        match self.prefix.get(matched) {
            Some(&b) if b == byte => (matched + 1, s),
            Some(_) => (matched, SINK_STATE),
            None => (matched, self.dfa.transition(s, byte)),
        }
    }
}

fn builder(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static B: [OnceLock<LevenshteinAutomatonBuilder>; 2] = [OnceLock::new(), OnceLock::new()];
    let i = usize::from(distance.clamp(1, 2) - 1);
    B[i].get_or_init(|| LevenshteinAutomatonBuilder::new(distance.clamp(1, 2), true))
}

/// Edit distance allowed for a word of `chars` letters: none under 5, 1 up to 8, 2 from 9.
pub fn distance_for(chars: usize) -> Option<u8> {
    match chars {
        0..=4 => None,
        5..=8 => Some(1),
        _ => Some(2),
    }
}

/// Up to `max` terms of `field` that begin with the first `prefix_chars` letters of
/// `term` and are within `distance` of it after them (`term` itself excluded), most
/// frequent first, with their document frequencies.
pub fn corrections(
    searcher: &Searcher,
    field: Field,
    term: &str,
    distance: u8,
    prefix_chars: usize,
    max: usize,
) -> Vec<(String, u64)> {
    let split = term
        .char_indices()
        .nth(prefix_chars)
        .map_or(term.len(), |(i, _)| i);
    let (prefix, rest) = term.split_at(split);
    let automaton = Dfa {
        prefix: prefix.as_bytes().to_vec(),
        dfa: builder(distance).build_dfa(rest),
    };
    let mut found: HashMap<String, u64> = HashMap::new();
    each_term(searcher, field, prefix.as_bytes(), &automaton, |t, df| {
        if t != term {
            *found.entry(t.to_string()).or_default() += df;
        }
    });
    let mut all: Vec<(String, u64)> = found.into_iter().collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all.truncate(max);
    all
}

/// Call `f` with every term of `field` that starts with `prefix` and that `automaton`
/// accepts, in every segment, and its document frequency in that segment (a term in
/// several segments comes once per segment).
///
/// The stream is bounded to the prefix's range of the dictionary: unbounded, the automaton
/// is fed every transition of every node on the way down to the prefix, which was the larger
/// part of looking up a word's relatives (5% of a keyword query's profile).
pub fn each_term<A>(
    searcher: &Searcher,
    field: Field,
    prefix: &[u8],
    automaton: &A,
    mut f: impl FnMut(&str, u64),
) where
    A: tantivy_fst::Automaton,
    A::State: Clone,
{
    let end = successor(prefix);
    for seg in searcher.segment_readers() {
        let Ok(inverted) = seg.inverted_index(field) else {
            continue;
        };
        let mut builder = inverted.terms().search(automaton).ge(prefix);
        if let Some(end) = &end {
            builder = builder.lt(end);
        }
        let Ok(mut stream) = builder.into_stream() else {
            continue;
        };
        while stream.advance() {
            if let Ok(t) = std::str::from_utf8(stream.key()) {
                f(t, u64::from(stream.value().doc_freq));
            }
        }
    }
}

/// The first byte string after every string that starts with `prefix`, if there is one.
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy_fst::{IntoStreamer, Map, Streamer};

    #[test]
    fn the_successor_of_a_prefix_bounds_every_word_that_starts_with_it() {
        assert_eq!(successor(b"skol").as_deref(), Some(&b"skom"[..]));
        assert_eq!(successor(b"a\xff").as_deref(), Some(&b"b"[..]));
        assert_eq!(successor(b"\xff\xff"), None);
        assert_eq!(successor(b""), None);
        let end = successor("skolå".as_bytes()).unwrap();
        assert!("skolåtta".as_bytes() < end.as_slice() && "skolö".as_bytes() > end.as_slice());
    }

    fn matches(words: &[&str], term: &str, distance: u8, prefix_chars: usize) -> Vec<String> {
        let mut sorted = words.to_vec();
        sorted.sort();
        let set = Map::from_iter(sorted.iter().map(|w| (*w, 0u64))).unwrap();
        let split = term
            .char_indices()
            .nth(prefix_chars)
            .map_or(term.len(), |(i, _)| i);
        let (prefix, rest) = term.split_at(split);
        let a = Dfa {
            prefix: prefix.as_bytes().to_vec(),
            dfa: builder(distance).build_dfa(rest),
        };
        let mut stream = set.search(a).into_stream();
        let mut out = Vec::new();
        while let Some((k, _)) = stream.next() {
            out.push(String::from_utf8(k.to_vec()).unwrap());
        }
        out
    }

    #[test]
    fn corrections_keep_the_first_letter_and_allow_the_distance_after_it() {
        let words = [
            "karlskoga",
            "karlstad",
            "marlskoga",
            "åkarlskoga",
            "ärende",
            "ärenden",
        ];
        assert_eq!(matches(&words, "karlskgoa", 1, 1), ["karlskoga"]);
        assert_eq!(matches(&words, "karlskgoa", 1, 0), ["karlskoga"]);
        assert_eq!(
            matches(&words, "marlskoga", 1, 0),
            ["karlskoga", "marlskoga"]
        );
        assert_eq!(matches(&words, "marlskoga", 1, 1), ["marlskoga"]);
        // A two-byte first letter.
        assert_eq!(matches(&words, "ärendn", 1, 1), ["ärende", "ärenden"]);
    }
}
