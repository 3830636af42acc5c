//! Typo corrections: index terms within a small edit distance of a query term.
//!
//! Runs a Levenshtein automaton over each segment's term dictionary, so the cost is
//! proportional to the dictionary paths it visits, not to the number of terms.

use std::collections::HashMap;
use std::sync::OnceLock;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};
use tantivy::schema::Field;
use tantivy::Searcher;

struct Dfa(DFA);

impl tantivy_fst::Automaton for Dfa {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
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

/// Up to `max` terms of `field` within `distance` of `term` (itself excluded), most
/// frequent first, with their document frequencies.
pub fn corrections(
    searcher: &Searcher,
    field: Field,
    term: &str,
    distance: u8,
    max: usize,
) -> Vec<(String, u64)> {
    let dfa = builder(distance).build_dfa(term);
    let automaton = Dfa(dfa);
    let mut found: HashMap<String, u64> = HashMap::new();
    for seg in searcher.segment_readers() {
        let Ok(inverted) = seg.inverted_index(field) else {
            continue;
        };
        let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else {
            continue;
        };
        while stream.advance() {
            let Ok(t) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if t != term {
                *found.entry(t.to_string()).or_default() += u64::from(stream.value().doc_freq);
            }
        }
    }
    let mut all: Vec<(String, u64)> = found.into_iter().collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all.truncate(max);
    all
}
