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

/// Stem endings of the Latin-derived *-era* verb family, longest first, as the stemmer
/// leaves them: *-ering* (the action noun: *vaccinering*, *-ar*, *-en* stripped), *-atio*
/// (the Latin noun *vaccination*: its `-n` goes with the definite `-n` of vowel-final nouns,
/// so *vaccination*, *vaccinationen*, *vaccinationer* all end as *vaccinatio*) and *-er*
/// (the verb: *vaccinera*, *-rar*, *-rade*, *-rad* all stem to *vacciner*; Snowball takes
/// any other *-er* of a word long enough, so a stem ending in *-er* is nearly always such a
/// verb). Left out: *-is-* (*organisera* → *organ*, *realisera* → *real*, *legalisera* →
/// *legal*: other words; *organisering* and *organisation* still meet on *organis*), *-ition*
/// (its verbs are in *-iera* or irregular: *definition*/*definiera*, *position*,
/// *tradition*), *-ifikation*/*-ifiera*, agent nouns (*-atör*) and the Germanic *-ning*
/// (*bok* → *bokning*: short bases that are words of their own).
const DERIVATIONAL: [&str; 3] = ["ering", "atio", "er"];

/// Shortest base (in characters) left once an ending is taken off: the forms built on it are
/// long enough to be one word (*park*: *parker*, *parkering*), a shorter one is often a word
/// of its own or a stem cut by chance (*notera* → *not*, *kamera* → *kam*).
pub const MIN_BASE_CHARS: usize = 4;

/// The derivational family of `stem` in the *-era* verb family ([`DERIVATIONAL`]): the stems
/// of the base as a noun, the verb, its action noun and its Latin noun (*vaccin*, *vacciner*,
/// *vaccinering*, *vaccinatio*), the stem itself left out, each at least `min_chars`
/// characters. The base is `stem` without one of the endings (at least [`MIN_BASE_CHARS`]),
/// or `stem` itself when it has none of them and is at least `min_chars` long (*vaccin*,
/// *kontroll*): with the same threshold for every form the relation is symmetric, a stem
/// has relatives only if it is one (*park*, too short a word to tell apart from *parkering*,
/// has none; *parkering* has *parker*). A single final *c* or *k* of the base is tried both
/// ways before *-er(ing)*: Latin *c* is written *c* before *e* and *k* before *a* and at the
/// end of a word (*kommunicera*, *kommunikation*; *publicera*, *publikation*, *publik*), but
/// a Swedish *k* before *-era* stays (*markera*, *parkera*). Most of the forms are no words;
/// the caller keeps those the index holds.
pub fn derived_forms(stem: &str, min_chars: usize) -> Vec<String> {
    let base = match DERIVATIONAL.iter().find_map(|e| stem.strip_suffix(e)) {
        Some(b) if b.chars().count() >= MIN_BASE_CHARS => b,
        None if stem.chars().count() >= min_chars => stem,
        _ => return Vec::new(),
    };
    // (hard, soft): the base with a single final c/k as k and as c.
    let (mut hard, mut soft) = (base.to_string(), base.to_string());
    let mut rev = base.chars().rev();
    if let (Some('c' | 'k'), Some(before)) = (rev.next(), rev.next()) {
        if before != 'c' && before != 'k' {
            let root = &base[..base.len() - 1];
            (hard, soft) = (format!("{root}k"), format!("{root}c"));
        }
    }
    let forms = [
        hard.clone(),
        format!("{hard}er"),
        format!("{soft}er"),
        format!("{hard}ering"),
        format!("{soft}ering"),
        format!("{hard}atio"),
    ];
    let mut out: Vec<String> = Vec::new();
    for form in forms {
        if form != stem && form.chars().count() >= min_chars && !out.contains(&form) {
            out.push(form);
        }
    }
    out
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
    fn derived_forms_are_the_family_of_the_base() {
        let family = ["vaccin", "vacciner", "vaccinering", "vaccinatio"];
        for stem in family {
            let mut want: Vec<&str> = family.iter().copied().filter(|f| *f != stem).collect();
            let mut got = derived_forms(stem, 6);
            want.sort();
            got.sort();
            assert_eq!(got, want, "{stem}");
        }
        let organis = derived_forms("organisatio", 6);
        assert!(organis.contains(&"organisering".to_string()));
        assert!(organis.contains(&"organiser".to_string()));
        assert!(
            !organis.iter().any(|f| f.starts_with("organer")),
            "-is- stays"
        );
        // c before e, k before a.
        let k = derived_forms("kommunicer", 6);
        assert!(k.contains(&"kommunikatio".to_string()));
        assert!(k.contains(&"kommunicering".to_string()));
        assert!(derived_forms("kommunikatio", 6).contains(&"kommunicer".to_string()));
        assert!(derived_forms("marker", 6).contains(&"markering".to_string()));
        // A short base: its verb forms, not the base itself; a short stem: nothing.
        let mut park = derived_forms("parkering", 6);
        park.sort();
        assert_eq!(park, ["parcer", "parcering", "parkatio", "parker"]);
        assert!(derived_forms("park", 6).is_empty());
        assert!(derived_forms("kamer", 6).is_empty(), "kamera: base kam");
        assert!(derived_forms("atio", 6).is_empty());
        // "ck" is no single c.
        assert!(!derived_forms("attacker", 6)
            .iter()
            .any(|f| f.contains("attacc")));
    }

    #[test]
    fn derived_forms_meet_the_stems_of_the_words() {
        let mut sv = crate::analyze::swedish();
        let stem = |sv: &mut tantivy::tokenizer::TextAnalyzer, w: &str| {
            crate::analyze::tokens(sv, w).remove(0).term
        };
        for group in [
            &[
                "vaccin",
                "vaccinera",
                "vaccinerade",
                "vaccineringen",
                "vaccinationer",
            ][..],
            &["registrera", "registrering", "registrationen"],
            &["informera", "informerar", "information"],
            &["organisera", "organiseringen", "organisationen"],
        ] {
            let stems: Vec<String> = group.iter().map(|w| stem(&mut sv, w)).collect();
            for a in &stems {
                for b in stems.iter().filter(|b| *b != a) {
                    assert!(derived_forms(a, 6).contains(b), "{a} -> {b} ({group:?})");
                }
            }
        }
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
