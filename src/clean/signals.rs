//! Generic per-line signals: shape of the line (words, sentence end, function-word
//! density), contact details (phone, e-mail, postcode, street, box), glued breadcrumbs.

use std::sync::LazyLock;

use regex::Regex;

use super::rules::Compiled;

static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^\d])(\+46|0)\d{1,3}[- ]?\d{2,3}[ ]?\d{2}[ ]?\d{2,3}(?-u:\b)|(?-u:\b)0\d{1,3}-\d{2,3} ?\d{2} ?\d{0,2}(?-u:\b)").unwrap()
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\w.+-]+@[\w-]+\.[\w.-]+").unwrap());
static POSTCODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|, |\s)\d{3} ?\d{2}\s+\p{Lu}[\p{L}]+").unwrap());
static STREET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(box \d+|\p{L}+(gatan|vägen|torget|gränd|plan|backen|allén|leden|stigen|platsen|esplanaden|gata|väg) \d+\w?)(?-u:\b)").unwrap()
});

/// Shape of one line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape {
    pub words: usize,
    pub chars: usize,
    /// Ends with `.`, `!`, `?`, `:` or `;` (possibly followed by a quote or bracket).
    pub sentence_end: bool,
    /// Fraction of words that are function words.
    pub stop_density: f32,
    /// Has a phone number, e-mail, postcode + town or street address.
    pub contact: bool,
    /// Starts with a list bullet.
    pub bullet: bool,
}

impl Shape {
    /// A paragraph of running text: several words, function words, a sentence end.
    pub fn is_prose(&self) -> bool {
        !self.contact
            && self.words >= 8
            && (self.sentence_end || self.words >= 16)
            && self.stop_density >= 0.12
    }

    /// Strong evidence of main content.
    pub fn is_strong_prose(&self) -> bool {
        self.is_prose() && self.words >= 12
    }
}

pub fn shape(text: &str, c: &Compiled) -> Shape {
    let t = text.trim_matches(|ch: char| ch.is_whitespace());
    let bullet = t.starts_with(['•', '◦', '·', '*', '-', '–'])
        && t.chars().nth(1).is_some_and(|c| c.is_whitespace());
    let mut words = 0;
    let mut stops = 0;
    // Very long lines: the first 4000 bytes tell the shape.
    let head = if t.len() > 4000 {
        &t[..t.floor_char_boundary(4000)]
    } else {
        t
    };
    for w in head.split(|ch: char| ch.is_whitespace()) {
        let w = w.trim_matches(|ch: char| !ch.is_alphanumeric());
        if w.is_empty() {
            continue;
        }
        words += 1;
        if w.len() <= 12 && c.is_stop_word(w) {
            stops += 1;
        }
    }
    if t.len() > head.len() {
        words += (t.len() - head.len()) / 6;
    }
    let last = t
        .trim_end_matches(['"', '”', '’', ')', '»', '\''])
        .chars()
        .last();
    let sentence_end = matches!(last, Some('.' | '!' | '?' | ':' | ';'));
    // Every contact pattern needs an `@` or a digit (`\d` is any Unicode digit).
    let contact = head.len() < 300
        && (head.contains('@') || super::dates::has_digit(head))
        && (EMAIL.is_match(head)
            || PHONE.is_match(head)
            || POSTCODE.is_match(head)
            || STREET.is_match(head));
    Shape {
        words,
        chars: t.chars().count(),
        sentence_end,
        stop_density: if words == 0 {
            0.0
        } else {
            stops as f32 / words.min(700) as f32
        },
        contact,
        bullet,
    }
}

/// Segments of a breadcrumb copied without separators (`StartKommun och politikPress
/// och nyheter…`): the line is cut where a lower-case letter runs into an upper-case
/// one. `None` unless the line has at least two such joints (or one after `Start`).
pub fn split_glued_breadcrumb(text: &str) -> Option<Vec<String>> {
    let t = text.trim();
    let joint = |p: char, ch: char| p.is_lowercase() && ch.is_uppercase();
    // Most lines have no joint: find out without allocating.
    let mut n = 0;
    if t.is_ascii() {
        let b = t.as_bytes();
        for w in b.windows(2) {
            n += (w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase()) as usize;
        }
    } else {
        let mut prev: Option<char> = None;
        for ch in t.chars() {
            if let Some(p) = prev {
                n += joint(p, ch) as usize;
            }
            prev = Some(ch);
        }
    }
    if n == 0 {
        return None;
    }
    let mut cuts = Vec::with_capacity(n);
    let mut prev: Option<char> = None;
    for (i, ch) in t.char_indices() {
        if let Some(p) = prev {
            if joint(p, ch) {
                cuts.push(i);
            }
        }
        prev = Some(ch);
    }
    let starts_home = ["Start", "Startsida", "Hem", "Home"].iter().any(|h| {
        t.strip_prefix(h)
            .is_some_and(|r| r.chars().next().is_some_and(|c| c.is_uppercase()))
    });
    if cuts.len() < 2 && (!starts_home || cuts.is_empty()) {
        return None;
    }
    let mut segs = Vec::new();
    let mut start = 0;
    for c in cuts.into_iter().chain(std::iter::once(t.len())) {
        segs.push(t[start..c].trim().to_string());
        start = c;
    }
    Some(segs)
}

/// Segments of a breadcrumb with separators (`Start > Kommun > Nyheter`), if it is one.
pub fn split_separated_breadcrumb(text: &str) -> Option<Vec<String>> {
    let t = text.trim();
    // Every separator has one of these bytes (`›` and `»` end in 0xBA and 0xBB).
    if !t
        .bytes()
        .any(|b| matches!(b, b'>' | b'/' | b'|' | 0xBA | 0xBB))
    {
        return None;
    }
    for sep in [" > ", " › ", " » ", " / ", " | "] {
        if t.contains(sep) {
            let segs: Vec<String> = t.split(sep).map(|s| s.trim().to_string()).collect();
            let first = segs[0].to_lowercase();
            if ["start", "startsida", "hem", "home", "du är här:"].contains(&first.as_str())
                || (segs.len() >= 3 && segs.iter().all(|s| s.split_whitespace().count() <= 6))
            {
                return Some(segs);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_glued_breadcrumbs() {
        let s = split_glued_breadcrumb(
            "StartKommun och politikPress och nyheterNyheter - listningProjekt Vägar framåt – för ökad utbildningsnivå",
        )
        .unwrap();
        assert_eq!(
            s,
            vec![
                "Start",
                "Kommun och politik",
                "Press och nyheter",
                "Nyheter - listning",
                "Projekt Vägar framåt – för ökad utbildningsnivå"
            ]
        );
        assert_eq!(
            split_glued_breadcrumb("StartPrivatperson").unwrap(),
            vec!["Start", "Privatperson"]
        );
        assert!(split_glued_breadcrumb("Regeringen föreslår skärpning av straffen").is_none());
        assert!(split_glued_breadcrumb("Hon använder iPhone").is_none());
    }

    #[test]
    fn splits_separated_breadcrumbs() {
        assert_eq!(
            split_separated_breadcrumb("Start > Dokument > SOU")
                .unwrap()
                .len(),
            3
        );
        assert!(split_separated_breadcrumb("Ja / Nej").is_none());
    }

    #[test]
    fn contact_patterns() {
        let c = Compiled::new(&super::super::CleanConfig::default());
        assert!(shape("Telefon: 08-465 004 11", &c).contact);
        assert!(shape("info@karlskoga.se", &c).contact);
        assert!(shape("113 99 Stockholm", &c).contact);
        assert!(shape("Katrinedalsgatan 4", &c).contact);
        assert!(!shape("Ändringarna föreslås träda i kraft den 1 juli 2019.", &c).contact);
        assert!(shape(
            "Ändringarna föreslås träda i kraft den 1 juli 2019 och gäller sedan alla.",
            &c
        )
        .is_prose());
    }
}
