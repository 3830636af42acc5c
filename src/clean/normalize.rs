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
    write_count_key(s, fold_digits, &mut out);
    out
}

/// `hash_key(&count_key_with(s, fold_digits))`, hashed as the key is made instead of
/// building it first: every line of every page is counted (the key's `String` and its
/// separate hashing pass were 5% of an import).
pub fn count_hash_with(s: &str, fold_digits: bool) -> u64 {
    let mut h = Fnv::new();
    write_count_key(s, fold_digits, &mut h);
    h.0
}

/// Where a count key's bytes go: a `String`, or straight into its hash.
trait KeySink {
    fn push_ascii(&mut self, b: u8);
    fn push_char(&mut self, c: char);
}

impl KeySink for String {
    #[inline]
    fn push_ascii(&mut self, b: u8) {
        self.push(b as char);
    }
    #[inline]
    fn push_char(&mut self, c: char) {
        self.push(c);
    }
}

/// FNV-1a, as [`hash_key`] computes it.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf29ce484222325)
    }
}

impl KeySink for Fnv {
    #[inline]
    fn push_ascii(&mut self, b: u8) {
        self.0 ^= b as u64;
        self.0 = self.0.wrapping_mul(0x100000001b3);
    }
    #[inline]
    fn push_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            self.push_ascii(b);
        }
    }
}

fn write_count_key(s: &str, fold_digits: bool, out: &mut impl KeySink) {
    // Long lines: the first 400 characters are enough to recognise a repeat. Decoded
    // text is NFC already; composing again only where the quick check is unsure.
    if crate::decode::is_nfc_fast(s) {
        push_count_key(out, s.chars(), fold_digits);
    } else {
        push_count_key(out, s.nfc(), fold_digits);
    }
}

fn push_count_key(out: &mut impl KeySink, chars: impl Iterator<Item = char>, fold_digits: bool) {
    // `space`: a separator is due before the next word; `any`: the key is not empty.
    let (mut space, mut any) = (false, false);
    for c in chars.take(400) {
        if c.is_ascii() {
            let b = c as u8;
            if !b.is_ascii_alphanumeric() {
                space = true;
                continue;
            }
            if space && any {
                out.push_ascii(b' ');
            }
            space = false;
            any = true;
            if b.is_ascii_digit() && fold_digits {
                out.push_ascii(b'0');
            } else {
                out.push_ascii(b.to_ascii_lowercase());
            }
        } else if c.is_alphanumeric() {
            if space && any {
                out.push_ascii(b' ');
            }
            space = false;
            any = true;
            if c.is_numeric() && fold_digits {
                out.push_ascii(b'0');
            } else {
                for l in c.to_lowercase() {
                    out.push_char(l);
                }
            }
        } else {
            space = true;
        }
    }
}

/// Call `f` with `s.to_lowercase()`, built on the stack when `s` is short (the common
/// case: a word, a key) instead of allocating.
#[inline]
pub fn with_lower<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    const CAP: usize = 96;
    if s.len() <= CAP / 3 {
        // Latin-1 (ASCII and the chars of lead byte C2/C3: all of Swedish) lower-cases a
        // byte at a time and keeps its length: A-Z and U+00C0..U+00DE but × move by 0x20.
        // Most words are in lower case already and are passed on as they are: a stop-word
        // lookup per word of every line made copying them 4% of an import.
        let b = s.as_bytes();
        let mut short = [0u8; CAP / 3];
        let (mut i, mut changed) = (0, false);
        while i < b.len() {
            match b[i] {
                x @ 0..=0x7F => {
                    short[i] = x.to_ascii_lowercase();
                    changed |= x.is_ascii_uppercase();
                    i += 1;
                }
                x @ (0xC2 | 0xC3) => {
                    let y = b[i + 1]; // valid UTF-8: a continuation byte follows
                    let upper = x == 0xC3 && (0x80..=0x9E).contains(&y) && y != 0x97;
                    short[i] = x;
                    short[i + 1] = if upper { y + 0x20 } else { y };
                    changed |= upper;
                    i += 2;
                }
                _ => break,
            }
        }
        if i == b.len() {
            if !changed {
                return f(s);
            }
            // SAFETY: ASCII bytes stay ASCII; C3 80..9E become C3 A0..BE, still a char.
            return f(unsafe { std::str::from_utf8_unchecked(&short[..b.len()]) });
        }
        let mut buf = [0u8; CAP];
        // `str::to_lowercase` maps each char on its own except by the final-sigma rule.
        // A char may grow when lower-cased (`İ`: 2 → 3 bytes): the buffer is checked.
        if !s.contains('Σ') {
            let mut n = 0;
            let mut ok = true;
            'chars: for c in s.chars() {
                for l in c.to_lowercase() {
                    let w = l.len_utf8();
                    if n + w > CAP {
                        ok = false;
                        break 'chars;
                    }
                    l.encode_utf8(&mut buf[n..n + w]);
                    n += w;
                }
            }
            if ok {
                return f(std::str::from_utf8(&buf[..n]).expect("chars encoded"));
            }
        }
    }
    f(&s.to_lowercase())
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
    fn with_lower_is_to_lowercase_on_latin1() {
        let latin1: Vec<char> = (0u32..0x100).filter_map(char::from_u32).collect();
        for &a in &latin1 {
            for b in ['a', 'Å', 'ö', 'Z', '×', 'ß'] {
                let s: String = [a, b, a].iter().collect();
                assert_eq!(with_lower(&s, str::to_string), s.to_lowercase(), "{s:?}");
            }
        }
        for s in ["och", "Och", "ÅTERVÄXT", "återväxt", "Är", "ÿß×µ", "ÀÞÖØ"] {
            assert_eq!(with_lower(s, str::to_string), s.to_lowercase(), "{s}");
        }
    }

    #[test]
    fn with_lower_is_to_lowercase() {
        for s in [
            "",
            "Och",
            "ÄR",
            "Över",
            "İstanbul",
            "ΟΔΟΣ",
            "Σ",
            "ǅ",
            "Kelvin\u{212a}",
            "ẞ",
            "en mycket lång rad som inte ryms i bufferten på stacken alls, nej",
            "ÅÄÖ ÅÄÖ ÅÄÖ ÅÄÖ ÅÄÖ ÅÄÖ ÅÄÖ ÅÄ",
            "İİİİİİİİİİİİİİİİ",
        ] {
            assert_eq!(with_lower(s, str::to_string), s.to_lowercase(), "{s}");
        }
    }

    #[test]
    fn count_hash_is_the_keys_hash() {
        let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("import");
        let mut lines = 0;
        for e in std::fs::read_dir(seeds).unwrap() {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap_or_default();
            for l in text.lines() {
                for fold in [false, true] {
                    assert_eq!(count_hash_with(l, fold), hash_key(&count_key_with(l, fold)));
                }
                lines += 1;
            }
        }
        assert!(lines > 100, "{lines} lines");
        for l in [
            "Sjo\u{308}fart 12",
            "ǅ İ ẞ ½ ٣",
            "",
            "x".repeat(900).as_str(),
        ] {
            assert_eq!(count_hash_with(l, true), hash_key(&count_key_with(l, true)));
        }
    }

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
