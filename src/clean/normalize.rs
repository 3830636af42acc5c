//! Normalisation of lines: for counting repetition (aggressive) and for comparing
//! with gold lines (mild).

use unicode_normalization::UnicodeNormalization;

/// The key a line is counted under on its site: NFC, lower case, digits folded to `0`,
/// punctuation dropped, white space collapsed. `Telefon: 08-465 004 11` and
/// `Telefon: 08-465 004 90` count as the same line.
pub fn count_key(s: &str) -> String {
    count_key_with(s, true)
}

/// [`count_key`], with digits kept when `fold_digits` is false: a heading that differs
/// from the ones of other pages only in a number (`Familjehem – svar 3`, `SOU 2018:19`)
/// is the page's own, while a phone number that varies by desk is still furniture.
pub fn count_key_with(s: &str, fold_digits: bool) -> String {
    let mut out = String::with_capacity(s.len().min(256));
    let mut space = false;
    // Long lines: the first 400 characters are enough to recognise a repeat. Decoded
    // text is NFC already; composing again only where the quick check is unsure.
    let composed: Box<dyn Iterator<Item = char>> = if unicode_normalization::is_nfc_quick(s.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        Box::new(s.chars())
    } else {
        Box::new(s.nfc())
    };
    for c in composed.take(400) {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            if c.is_numeric() && fold_digits {
                out.push('0');
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            space = true;
        }
    }
    out
}

/// A stable 64-bit hash (FNV-1a) of a count key, so that statistics can be saved.
pub fn hash_key(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// How gold and cleaned lines are compared: NFC, runs of white space (NBSP, TAB
/// included) collapsed to one space, trimmed, leading bullets (`•◦·*-–`) or a list
/// number (`1.`) removed; invisible characters that decode drops (soft hyphen,
/// zero-width space/joiners, word joiner, BOM) ignored.
pub fn compare_key(s: &str) -> String {
    let nfc: String = s.nfc().filter(|&c| !is_invisible(c)).collect();
    let mut out = String::with_capacity(nfc.len());
    for w in nfc.split(|c: char| c.is_whitespace()) {
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    // Leading bullets, possibly several ("• – text"), and list numbers.
    loop {
        let t = out.trim_start();
        let stripped = if let Some(r) = t.strip_prefix(['•', '◦', '·', '*', '-', '–']) {
            Some(r)
        } else {
            let digits = t.bytes().take_while(|b| b.is_ascii_digit()).count();
            if digits > 0 && digits <= 3 && t[digits..].starts_with(". ") {
                Some(&t[digits + 1..])
            } else {
                None
            }
        };
        match stripped {
            Some(r) => out = r.trim_start().to_string(),
            None => break,
        }
    }
    out.trim().to_string()
}

/// Characters that split no word and show nothing: decode removes them from the text.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{200B}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{2060}'
            | '\u{FEFF}'
    )
}

/// Is the line blank (white space, NBSP and zero-width characters only)?
pub fn is_blank(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_key_folds_digits_case_punctuation() {
        assert_eq!(count_key("Telefon: 08-465 004 11"), "telefon 00 000 000 00");
        assert_eq!(count_key("  Hoppa till INNEHÅLL!! "), "hoppa till innehåll");
        assert_eq!(count_key("Denna\u{a0}artikel"), "denna artikel");
        assert_eq!(
            count_key_with("Familjehem – svar 3", false),
            "familjehem svar 3"
        );
    }

    #[test]
    fn compare_key_strips_bullets_and_space() {
        assert_eq!(
            compare_key("  • 20 har återupptagit\u{a0}studier\u{a0}"),
            "20 har återupptagit studier"
        );
        assert_eq!(compare_key("1. Första\tpunkten"), "Första punkten");
        assert_eq!(compare_key("- Projektet har"), "Projektet har");
        assert_eq!(compare_key("2024 var ett år"), "2024 var ett år");
        assert_eq!(
            compare_key("gymnasie\u{AD}skolan ska\u{200B}"),
            "gymnasieskolan ska"
        );
    }
}
