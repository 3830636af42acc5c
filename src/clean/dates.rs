//! Dates as pages show them: `2022-02-24`, `2022-02-24 11:12`, `17 december 2018`,
//! `05 februari 2024`, `3 feb. 2021`, `24.02.2022`, `24/2 2022`.

use std::sync::LazyLock;

use regex::Regex;

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?-u:\b)(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?-u:\b)
        | (?-u:\b)(?P<sd>\d{1,2})(:e|:a)?\s+(?P<sm>januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|dec)\.?\s+(?P<sy>\d{4})(?-u:\b)
        | (?-u:\b)(?P<nd>\d{1,2})[./](?P<nm>\d{1,2})[./\s]\s*(?P<ny>\d{4})(?-u:\b)",
    )
    .unwrap()
});

fn month_number(name: &str) -> Option<u8> {
    let n = name.to_lowercase();
    let m = match &n[..3.min(n.len())] {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "maj" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "okt" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    Some(m)
}

fn iso(y: i32, m: u8, d: u8) -> Option<String> {
    let month = time::Month::try_from(m).ok()?;
    let date = time::Date::from_calendar_date(y, month, d).ok()?;
    Some(format!("{:04}-{:02}-{:02}", date.year(), m, date.day()))
}

/// The first valid date in `s`: its ISO form and the byte range it covers.
pub fn find_date(s: &str) -> Option<(String, std::ops::Range<usize>)> {
    // Every form has digits (`\d` is any Unicode digit): most lines have none.
    if !has_digit(s) {
        return None;
    }
    for c in DATE.captures_iter(s) {
        let whole = c.get(0).unwrap();
        let num = |n: &str| c.name(n).and_then(|m| m.as_str().parse::<i32>().ok());
        let found = if let Some(y) = num("iy") {
            iso(y, num("im")? as u8, num("id")? as u8)
        } else if let Some(y) = num("sy") {
            iso(y, month_number(c.name("sm")?.as_str())?, num("sd")? as u8)
        } else if let Some(y) = num("ny") {
            iso(y, num("nm")? as u8, num("nd")? as u8)
        } else {
            None
        };
        if let Some(d) = found {
            return Some((d, whole.range()));
        }
    }
    None
}

/// Does `s` have a character `\d` could match (a superset: any numeric character)?
pub(crate) fn has_digit(s: &str) -> bool {
    // Latin-1 letters and Latin Extended-A/B (U+00C0–U+024F) hold no numeric char.
    s.bytes().any(|b| b.is_ascii_digit())
        || (!s.is_ascii()
            && s.chars()
                .any(|c| !c.is_ascii() && !('\u{C0}'..='\u{24F}').contains(&c) && c.is_numeric()))
}

/// `s` is a date and nothing else (a time of day `11:12` may follow).
pub fn whole_date(s: &str) -> Option<String> {
    let t = s.trim();
    let (d, r) = find_date(t)?;
    if r.start != 0 {
        return None;
    }
    let rest = t[r.end..].trim_start_matches([',', ' ', '\u{a0}']);
    let rest = rest
        .strip_prefix("kl.")
        .or_else(|| rest.strip_prefix("kl"))
        .unwrap_or(rest)
        .trim();
    let is_time = rest.is_empty()
        || (rest.len() <= 8
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || c == ':' || c == '.')
            && rest.contains([':', '.']));
    is_time.then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_swedish_and_iso_dates() {
        assert_eq!(
            whole_date("17 december 2018").as_deref(),
            Some("2018-12-17")
        );
        assert_eq!(
            whole_date("2022-02-24 11:12").as_deref(),
            Some("2022-02-24")
        );
        assert_eq!(
            whole_date("05 februari 2024").as_deref(),
            Some("2024-02-05")
        );
        assert_eq!(whole_date("3 feb. 2021").as_deref(), Some("2021-02-03"));
        assert_eq!(whole_date("24.02.2022").as_deref(), Some("2022-02-24"));
        assert_eq!(whole_date("1:a maj 2020").as_deref(), Some("2020-05-01"));
        assert_eq!(whole_date("2022-02-30"), None);
        assert_eq!(whole_date("17 december 2018 - Pressmeddelande"), None);
        assert_eq!(
            find_date("17 december 2018 - Pressmeddelande").unwrap().0,
            "2018-12-17"
        );
        assert_eq!(whole_date("SOU 2025:29"), None);
    }
}
