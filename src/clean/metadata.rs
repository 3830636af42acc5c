//! Key/value metadata as pages display it: a `Key:` line followed by its value line,
//! `Key: value`, `Key<TAB>value`, `Publicerad 2022-02-24` (a date key without colon),
//! a bare date key line followed by a date line, and `17 december 2018 - Pressmeddelande`.

use super::dates::{find_date, whole_date};
use super::normalize::with_lower;
use super::rules::Compiled;

/// Which date a metadata item gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRole {
    Published,
    Updated,
}

/// One key/value item found on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The lines it covers (1 or 2), in order.
    pub first: usize,
    pub last: usize,
    /// `None` for a date shown without key (`17 december 2018 - Nyhet`).
    pub key: Option<String>,
    pub value: String,
    pub date: Option<(DateRole, String)>,
    /// The key is a known metadata key (config `metadata_keys` or a date key).
    pub known: bool,
    /// Read as metadata because a `metadata` rule said so.
    pub forced: bool,
}

/// The key of a bare `Key:` line (`Projektägare:` → `Projektägare`).
pub fn colon_key<'a>(line: &'a str, c: &Compiled, max_words: usize) -> Option<&'a str> {
    let t = line.trim();
    let k = t.strip_suffix(':')?.trim_end();
    valid_key(k, c, max_words).then_some(k)
}

/// A key: a short noun phrase starting with a capital, no sentence inside.
pub fn valid_key(k: &str, c: &Compiled, max_words: usize) -> bool {
    if k.is_empty() || k.len() > 60 || !k.chars().next().is_some_and(|ch| ch.is_uppercase()) {
        return false;
    }
    if k.contains(['?', '!', ':', ';', '"', '”', '(', '•'])
        || k.ends_with('.') && !k.ends_with("nr.")
    {
        return false;
    }
    let words: Vec<&str> = k.split_whitespace().collect();
    if words.len() > max_words {
        return false;
    }
    let stops = words.iter().filter(|w| c.is_stop_word(w)).count();
    stops <= 1 && !k.chars().all(|ch| ch.is_ascii_digit() || ch == ' ')
}

fn date_role(key: &str, c: &Compiled) -> Option<DateRole> {
    // Lower case shrinks a char to a third of its bytes at most: a longer key is none.
    if key.len() > 3 * c.date_key_max_len {
        return None;
    }
    with_lower(key, |k| {
        if c.published_keys.contains(k) {
            Some(DateRole::Published)
        } else if c.updated_keys.contains(k) {
            Some(DateRole::Updated)
        } else {
            None
        }
    })
}

fn item(first: usize, last: usize, key: &str, value: &str, c: &Compiled) -> Item {
    let role = date_role(key, c);
    let date = role.and_then(|r| find_date(value).map(|(d, _)| (r, d)));
    Item {
        first,
        last,
        known: role.is_some() || with_lower(key, |k| c.metadata_keys.contains(k)),
        key: Some(key.to_string()),
        value: value.trim().to_string(),
        date,
        forced: false,
    }
}

/// A line that a `metadata` rule matched: `Key: value`, `Key<TAB>value`, or a key line
/// (with or without colon) whose value is the next line. `None` if it has no value.
pub fn forced_item(i: usize, line: &str, next: Option<&str>, c: &Compiled) -> Option<Item> {
    let t = line.trim();
    let split = t
        .split_once('\t')
        .or_else(|| t.split_once(": "))
        .map(|(k, v)| (k.trim().trim_end_matches(':').trim(), v.trim()))
        .filter(|(k, v)| !k.is_empty() && !v.is_empty());
    let (last, key, value) = match split {
        Some((k, v)) => (i, k, v),
        None => {
            let v = next.map(str::trim).filter(|v| !v.is_empty())?;
            (i + 1, t.trim_end_matches(':').trim(), v)
        }
    };
    if key.is_empty() {
        return None;
    }
    let mut it = item(i, last, key, value, c);
    it.known = true;
    it.forced = true;
    Some(it)
}

/// `Publicerad 2022-02-24`, `Uppdaterad 2022-02-24 11:12`: a known date key, a space and a date.
fn date_key_value<'a>(part: &'a str, c: &Compiled) -> Option<(&'a str, &'a str)> {
    // Only the head of `part.to_lowercase()` is compared with the keys: lower-case as
    // many chars as the longest key has bytes (each char gives a byte at least). The
    // final-sigma rule looks at what follows, so then the whole part.
    let head = match part.char_indices().nth(c.date_key_max_len) {
        Some((i, _)) if !part.contains('Σ') => &part[..i],
        _ => part,
    };
    if !head
        .chars()
        .next()
        .is_some_and(|ch| ch.to_lowercase().any(|l| c.date_key_first.contains(&l)))
    {
        return None;
    }
    let lower = head.to_lowercase();
    for k in &c.date_keys {
        if lower.starts_with(k.as_str()) {
            let (key, rest) = part.split_at(k.len());
            if !rest.starts_with([' ', '\u{a0}']) {
                continue;
            }
            let rest = rest.trim().trim_start_matches(':').trim();
            if whole_date(rest).is_some() {
                return Some((key, rest));
            }
        }
    }
    None
}

/// Items of one line on its own (inline forms): `Key: value`, `Key<TAB>value`,
/// `Publicerad 05 februari 2024 · Uppdaterad …`, a date with a short label.
pub fn inline_items(i: usize, line: &str, c: &Compiled, max_words: usize) -> Vec<Item> {
    let t = line.trim();
    if t.is_empty() || t.len() > 600 {
        return Vec::new();
    }
    let mut out = Vec::new();
    // Most lines have neither separator: no splitting then (a substring searcher is set up
    // for each `split`).
    let parts: Vec<&str> = if t.contains(['·', '|']) {
        t.split(" · ").flat_map(|p| p.split(" | ")).collect()
    } else {
        vec![t]
    };
    for part in parts {
        if let Some((k, v)) = date_key_value(part.trim(), c) {
            out.push(item(i, i, k, v, c));
        }
    }
    if !out.is_empty() {
        return out;
    }
    if let Some((k, v)) = t.split_once('\t') {
        let k = k.trim().trim_end_matches(':');
        if !v.contains('\t') && !v.trim().is_empty() && valid_key(k, c, max_words) {
            return vec![item(i, i, k, v, c)];
        }
    }
    if let Some((k, v)) = t.split_once(": ") {
        let k = k.trim();
        if !v.trim().is_empty() && valid_key(k, c, max_words) {
            return vec![item(i, i, k, v, c)];
        }
    }
    // `17 december 2018 - Pressmeddelande`: a date first, then a short label.
    if let Some((d, r)) = find_date(t) {
        if r.start == 0 {
            let rest = t[r.end..].trim_start_matches([' ', '\u{a0}']);
            if let Some(label) = ["- ", "– ", "| ", "· "]
                .iter()
                .find_map(|s| rest.strip_prefix(s))
            {
                let words = label.split_whitespace().count();
                if (1..=4).contains(&words) && !label.chars().any(|ch| ch.is_ascii_digit()) {
                    return vec![Item {
                        first: i,
                        last: i,
                        key: None,
                        value: t.to_string(),
                        date: Some((DateRole::Published, d)),
                        known: true,
                        forced: false,
                    }];
                }
            }
        }
    }
    Vec::new()
}

/// All items of a page. `lines` are the page's lines, `blocked[i]` marks lines that may
/// not be a key (they matched a furniture rule, e.g. `Kontakt:`), `forced[i]` lines that
/// a `metadata` rule matched.
pub fn find_items(
    lines: &[&str],
    blocked: &[bool],
    forced: &[bool],
    c: &Compiled,
    max_words: usize,
) -> Vec<Item> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        if forced[i] {
            if let Some(it) = forced_item(i, t, lines.get(i + 1).copied(), c) {
                i = it.last + 1;
                out.push(it);
                continue;
            }
        }
        if !blocked[i] && i + 1 < lines.len() {
            let next = lines[i + 1].trim();
            let next_ok = !next.is_empty()
                && next.len() <= 600
                && colon_key(next, c, max_words).is_none()
                && !next.starts_with(['•', '◦', '*', '–', '-']);
            if next_ok {
                // `Key:` + value.
                if let Some(k) = colon_key(t, c, max_words) {
                    out.push(item(i, i + 1, k, next, c));
                    i += 2;
                    continue;
                }
                // A bare date key + a date line (`Senast uppdaterad` / `2020-08-29`).
                if date_role(t, c).is_some() && whole_date(next).is_some() {
                    out.push(item(i, i + 1, t, next, c));
                    i += 2;
                    continue;
                }
            }
        }
        if !blocked[i] {
            out.extend(inline_items(i, t, c, max_words));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::CleanConfig;

    fn items(text: &str) -> Vec<Item> {
        let c = Compiled::new(&CleanConfig::default());
        let lines: Vec<&str> = text.split('\n').collect();
        find_items(
            &lines,
            &vec![false; lines.len()],
            &vec![false; lines.len()],
            &c,
            5,
        )
    }

    #[test]
    fn forced_items() {
        let c = Compiled::new(&CleanConfig::default());
        let it = forced_item(0, "Målgrupp: unga vuxna", None, &c).unwrap();
        assert_eq!(
            (it.key.as_deref(), it.value.as_str(), it.last),
            (Some("Målgrupp"), "unga vuxna", 0)
        );
        let it = forced_item(3, "målgrupp", Some("unga vuxna"), &c).unwrap();
        assert_eq!(
            (it.key.as_deref(), it.value.as_str(), it.last),
            (Some("målgrupp"), "unga vuxna", 4)
        );
        assert!(it.forced && it.known);
        assert!(forced_item(0, "Målgrupp", Some("  "), &c).is_none());
    }

    #[test]
    fn pairs_key_lines_with_values() {
        let it = items("Diarienummer:\n22-010-S04\nProjektägare:\nKARLSTADS KOMMUN\n\nText här.");
        assert_eq!(it.len(), 2);
        assert_eq!(it[0].key.as_deref(), Some("Diarienummer"));
        assert_eq!(it[0].value, "22-010-S04");
        assert_eq!((it[1].first, it[1].last), (2, 3));
        assert_eq!(it[1].value, "KARLSTADS KOMMUN");
    }

    #[test]
    fn inline_and_dated_forms() {
        let it = items("Publicerad 2022-02-24\nUppdaterad 2022-02-24 11:12\nSidansvarig: Per Hansson\nProjektägare\tTorsby kommun");
        assert_eq!(it.len(), 4);
        assert_eq!(it[0].date, Some((DateRole::Published, "2022-02-24".into())));
        assert_eq!(it[1].value, "2022-02-24 11:12");
        assert_eq!(it[1].date, Some((DateRole::Updated, "2022-02-24".into())));
        assert_eq!(it[2].key.as_deref(), Some("Sidansvarig"));
        assert!(it[2].known);
        assert_eq!(it[3].value, "Torsby kommun");
        let it = items("Publicerad 01 januari 2000 · Uppdaterad 02 april 2015");
        assert_eq!(it.len(), 2);
        assert_eq!(it[1].date, Some((DateRole::Updated, "2015-04-02".into())));
        let it = items("17 december 2018 - Pressmeddelande");
        assert_eq!(it[0].date, Some((DateRole::Published, "2018-12-17".into())));
        assert_eq!(it[0].key, None);
        let it = items("Senast uppdaterad\n2020-08-29");
        assert_eq!(it[0].date, Some((DateRole::Updated, "2020-08-29".into())));
    }

    #[test]
    fn sentences_are_not_keys() {
        assert!(items("I rättsdokumentet föreslår regeringen att:\n• offentlighets- och sekretesslagen ändras").is_empty());
        assert!(items("Utredaren ska bland annat:\n• kartlägga").is_empty());
        assert!(items("Det här är en mening: med kolon i.").is_empty());
    }
}
