//! Inflectional relatives of a stem: index terms that the stem extends, or that extend it,
//! by a few letters (*omhändertagn* ↔ *omhändertag* ↔ *omhändert*).
//!
//! The Snowball stemmer leaves a Swedish word's forms on several stems when their endings
//! differ in more than a suffix it knows (*omhändertagna*, *omhändertagande*, *omhänderta*),
//! so a question worded with one form misses an answer worded with another. A long stem
//! that is a prefix of another, a few letters apart, is nearly always the same word.

use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// Index terms starting with `prefix` and running on for 1 to `extra` more characters.
struct Extension<'a> {
    prefix: &'a [u8],
    extra: usize,
}

impl tantivy_fst::Automaton for Extension<'_> {
    /// (bytes of the prefix matched, characters after it; `usize::MAX`: dead).
    type State = (usize, usize);

    fn start(&self) -> (usize, usize) {
        (0, 0)
    }

    fn is_match(&self, &(matched, chars): &(usize, usize)) -> bool {
        matched == self.prefix.len() && chars > 0 && chars <= self.extra
    }

    fn can_match(&self, &(_, chars): &(usize, usize)) -> bool {
        chars <= self.extra
    }

    fn accept(&self, &(matched, chars): &(usize, usize), byte: u8) -> (usize, usize) {
        if chars == usize::MAX {
            return (matched, chars);
        }
        match self.prefix.get(matched) {
            Some(&b) if b == byte => (matched + 1, 0),
            Some(_) => (matched, usize::MAX),
            // A UTF-8 continuation byte is no new character.
            None if byte & 0xC0 == 0x80 => (matched, chars),
            None => (matched, chars + 1),
        }
    }
}

/// Whether two stems are relatives: one a prefix of the other, the shorter at least
/// `min_chars` characters and the longer at most `extra` characters more.
pub fn related(a: &str, b: &str, min_chars: usize, extra: usize) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let (ns, nl) = (short.chars().count(), long.chars().count());
    short != long && long.starts_with(short) && ns >= min_chars && nl - ns <= extra
}

/// The terms of `field` related to `stem` (see [`related`]) that some page holds, with
/// their document frequencies, most frequent first, at most `max`.
pub fn relatives(
    searcher: &Searcher,
    field: Field,
    stem: &str,
    min_chars: usize,
    extra: usize,
    max: usize,
) -> Vec<(String, u64)> {
    let mut found: Vec<(String, u64)> = Vec::new();
    let chars: Vec<(usize, char)> = stem.char_indices().collect();
    if chars.len() < min_chars || extra == 0 {
        return found;
    }
    // Shorter: the stem cut by 1..=extra characters, no shorter than `min_chars`.
    for cut in 1..=extra.min(chars.len() - min_chars) {
        let shorter = &stem[..chars[chars.len() - cut].0];
        let df = searcher
            .doc_freq(&Term::from_field_text(field, shorter))
            .unwrap_or(0);
        if df > 0 {
            found.push((shorter.to_string(), df));
        }
    }
    // Longer: the stem and up to `extra` more characters.
    let automaton = Extension {
        prefix: stem.as_bytes(),
        extra,
    };
    let start = found.len();
    super::typo::each_term(
        searcher,
        field,
        stem.as_bytes(),
        &automaton,
        |t, df| match found[start..].iter_mut().find(|(f, _)| f == t) {
            Some(e) => e.1 += df,
            None => found.push((t.to_string(), df)),
        },
    );
    found.retain(|(t, _)| related(stem, t, min_chars, extra));
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found.truncate(max);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy_fst::{IntoStreamer, Map, Streamer};

    #[test]
    fn relatives_are_prefixes_a_few_letters_apart() {
        assert!(related("omhändertagn", "omhändertag", 6, 3));
        assert!(related("invester", "investering", 6, 3));
        assert!(!related("invester", "investeringsstöd", 6, 3));
        assert!(!related("skol", "skola", 6, 3), "too short to be safe");
        assert!(!related("vaccinering", "vaccinatio", 6, 3), "not a prefix");
        assert!(!related("avrop", "avrop", 1, 3));
    }

    #[test]
    fn the_automaton_accepts_one_to_extra_characters_more() {
        let mut words = [
            "omhändert",
            "omhändertag",
            "omhändertagn",
            "omhändertagandets",
            "omhändertäg",
            "omx",
        ];
        words.sort();
        let set = Map::from_iter(words.iter().map(|w| (*w, 0u64))).unwrap();
        let a = Extension {
            prefix: "omhändert".as_bytes(),
            extra: 3,
        };
        let mut stream = set.search(a).into_stream();
        let mut out = Vec::new();
        while let Some((k, _)) = stream.next() {
            out.push(String::from_utf8(k.to_vec()).unwrap());
        }
        assert_eq!(out, ["omhändertag", "omhändertagn", "omhändertäg"]);
    }
}
