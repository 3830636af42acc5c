//! The rules of [`CleanConfig`] compiled once: phrase regexes, word sets.

use rustc_hash::FxHashSet as HashSet;

use regex::{Regex, RegexSet};

use super::config::{site_key, CleanConfig, Rule, RuleAction};

/// What the rules say about one line.
#[derive(Debug, Clone, Copy)]
pub struct RuleHit<'a> {
    pub action: RuleAction,
    pub reason: &'a str,
    pub in_content: bool,
}

/// The compiled form of a [`CleanConfig`]; build it once per import.
#[derive(Debug)]
pub struct Compiled {
    rules: Vec<Rule>,
    /// The rules run together, as one set: `set.0` are their indices in `rules`.
    set: (Vec<usize>, RegexSet),
    /// The same for lines longer than every `max_words` limit: only the rules without one.
    set_long: (Vec<usize>, RegexSet),
    /// The longest `max_words` limit of the rules in the sets.
    max_limit: usize,
    /// Rules whose lazy DFA would blow up in a set (a bounded repetition such as
    /// `.{0,120}` multiplies the states of every other pattern): run on their own.
    solo: Vec<(usize, Regex)>,
    /// Lower-cased widget words, longest first, by their first byte (a line is matched
    /// word by word from its start; most lines fail on their first byte).
    widget_words: Vec<Vec<String>>,
    pub stop_words: HashSet<String>,
    pub metadata_keys: HashSet<String>,
    pub published_keys: HashSet<String>,
    pub updated_keys: HashSet<String>,
    /// Known date keys, longest first, for `Key value` lines without colon.
    pub date_keys: Vec<String>,
    /// The longest date key, in bytes.
    pub date_key_max_len: usize,
    /// The first char of each date key.
    pub date_key_first: Vec<char>,
    pub invalid: Vec<String>,
}

impl Compiled {
    pub fn new(cfg: &CleanConfig) -> Compiled {
        let mut rules: Vec<Rule> = Vec::new();
        let mut invalid = Vec::new();
        let mut pats = Vec::new();
        // Site rules first (bound to their site), then yours, then the defaults.
        let site_rules = cfg.sites.iter().flat_map(|s| {
            s.rules.iter().map(move |r| Rule {
                site: site_key(&s.site),
                ..r.clone()
            })
        });
        let all: Vec<Rule> = site_rules
            .chain(cfg.extra_rules.iter().cloned())
            .chain(cfg.rules.iter().cloned())
            .map(|mut r| {
                r.site = site_key(&r.site);
                r
            })
            .collect();
        for r in &all {
            // `\b` as an ASCII word boundary keeps matching on the fast DFA engines
            // (a Unicode `\b` on non-ASCII text falls back to the slow NFA).
            let p = format!("(?i){}", r.pattern.replace(r"\b", r"(?-u:\b)"));
            match Regex::new(&p) {
                Ok(_) => {
                    pats.push(p);
                    rules.push(r.clone());
                }
                Err(e) => invalid.push(format!("{}: {e}", r.pattern)),
            }
        }
        let heavy = heavy_repetition();
        let solo: Vec<(usize, Regex)> = pats
            .iter()
            .enumerate()
            .filter(|(_, p)| heavy.is_match(p))
            .map(|(i, p)| (i, Regex::new(p).expect("checked")))
            .collect();
        let in_set = |i: &usize| !solo.iter().any(|s| s.0 == *i);
        let build = |idx: Vec<usize>| {
            let set =
                RegexSet::new(idx.iter().map(|&i| &pats[i])).expect("patterns checked one by one");
            (idx, set)
        };
        let set = build((0..pats.len()).filter(in_set).collect());
        let set_long = build(
            (0..pats.len())
                .filter(in_set)
                .filter(|&i| rules[i].max_words == 0)
                .collect(),
        );
        let max_limit = set.0.iter().map(|&i| rules[i].max_words).max().unwrap_or(0);
        let lower = |v: &[String]| v.iter().map(|s| s.to_lowercase()).collect::<HashSet<_>>();
        let mut widget_words: Vec<String> =
            cfg.widget_words.iter().map(|s| s.to_lowercase()).collect();
        widget_words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let mut by_first: Vec<Vec<String>> = vec![Vec::new(); 256];
        for w in widget_words {
            if let Some(&b) = w.as_bytes().first() {
                by_first[b as usize].push(w);
            }
        }
        let widget_words = by_first;
        let mut date_keys: Vec<String> = cfg
            .published_keys
            .iter()
            .chain(cfg.updated_keys.iter())
            .map(|s| s.to_lowercase())
            .collect();
        date_keys.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let date_key_max_len = date_keys
            .iter()
            .chain(lower_list(&cfg.published_keys).iter())
            .chain(lower_list(&cfg.updated_keys).iter())
            .map(|k| k.len())
            .max()
            .unwrap_or(0);
        let mut date_key_first: Vec<char> =
            date_keys.iter().filter_map(|k| k.chars().next()).collect();
        date_key_first.sort_unstable();
        date_key_first.dedup();
        Compiled {
            date_key_max_len,
            date_key_first,
            rules,
            set,
            set_long,
            max_limit,
            solo,
            widget_words,
            stop_words: lower(&cfg.stop_words),
            metadata_keys: lower(&cfg.metadata_keys),
            published_keys: lower(&cfg.published_keys),
            updated_keys: lower(&cfg.updated_keys),
            date_keys,
            invalid,
        }
    }

    /// Every rule matching `line` (trimmed, `words` long) on `site`, in rule order.
    pub fn hits<'a>(&'a self, line: &str, words: usize, site: &str) -> Vec<RuleHit<'a>> {
        let t = line.trim();
        // Rules describe furniture, which is short; long lines are checked on their head.
        let t = if t.len() > 2000 {
            &t[..t.floor_char_boundary(2000)]
        } else {
            t
        };
        let owned;
        let t = if t.contains('\u{a0}') {
            owned = t.replace('\u{a0}', " ");
            owned.as_str()
        } else {
            t
        };
        let applies = |r: &Rule| {
            (r.max_words == 0 || words <= r.max_words) && (r.site.is_empty() || r.site == site)
        };
        let (idx, set) = if words > self.max_limit {
            &self.set_long
        } else {
            &self.set
        };
        let mut found: Vec<usize> = set.matches(t).into_iter().map(|k| idx[k]).collect();
        let mut solo = false;
        for (i, re) in &self.solo {
            if applies(&self.rules[*i]) && re.is_match(t) {
                found.push(*i);
                solo = true;
            }
        }
        if solo {
            found.sort_unstable();
        }
        found
            .into_iter()
            .map(|i| &self.rules[i])
            .filter(|r| applies(r))
            .map(|r| RuleHit {
                action: r.action,
                reason: &r.reason,
                in_content: r.in_content,
            })
            .collect()
    }

    /// Is `w` (as written) a function word?
    #[inline]
    pub fn is_stop_word(&self, w: &str) -> bool {
        super::normalize::with_lower(w, |l| self.stop_words.contains(l))
    }

    /// The line consists only of share/print/listen/language words (`Lyssna Skriv ut`,
    /// `Dela Facebook X LinkedIn E-post Skriv ut`).
    pub fn is_widget_line(&self, line: &str) -> bool {
        let t = line.trim();
        // Lower case shrinks a char to a third of its bytes at most (`K` → `k`), NBSP
        // → space to a half: a line this long is over 120 bytes still.
        if t.is_empty() || t.len() > 360 {
            return false;
        }
        let lower;
        let mut rest: &str = if t.is_ascii() {
            if t.len() > 120 {
                return false;
            }
            lower = t.to_ascii_lowercase();
            &lower
        } else {
            lower = t.replace('\u{a0}', " ").to_lowercase();
            if lower.len() > 120 {
                return false;
            }
            &lower
        };
        'outer: while let Some(&first) = rest.as_bytes().first() {
            for w in &self.widget_words[first as usize] {
                if let Some(r) = rest.strip_prefix(w.as_str()) {
                    if r.is_empty() || r.starts_with([' ', '|', '·', ',', '\t']) {
                        rest = r.trim_start_matches([' ', '|', '·', ',', '\t']);
                        continue 'outer;
                    }
                }
            }
            return false;
        }
        true
    }
}

fn lower_list(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.to_lowercase()).collect()
}

/// A counted repetition with a bound of 10 or more (`.{0,60}`, `\w{2,20}`).
fn heavy_repetition() -> Regex {
    Regex::new(r"\{\d*,?\s*(\d{3,}|[1-9]\d)\s*\}").unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widget_lines() {
        let c = Compiled::new(&CleanConfig::default());
        assert!(c.is_widget_line("Lyssna Skriv ut"));
        assert!(c.is_widget_line("Dela Facebook X LinkedIn E-post Skriv ut"));
        assert!(c.is_widget_line("Logga in Languages Lättläst Teckenspråk"));
        assert!(!c.is_widget_line("Dela med dig av dina erfarenheter"));
        assert!(c.invalid.is_empty());
    }

    #[test]
    fn rule_hits() {
        let c = Compiled::new(&CleanConfig::default());
        let r = |s: &str| {
            c.hits(s, s.split_whitespace().count(), "")
                .first()
                .map(|h| h.reason.to_string())
        };
        assert_eq!(
            r("Hoppa till innehåll Hoppa till meny Hoppa till meny").as_deref(),
            Some("skip-link")
        );
        assert_eq!(
            r("Hjälpte informationen dig?").as_deref(),
            Some("feedback-widget")
        );
        assert_eq!(
            r("Denna\u{a0}artikel är äldre än 6 månader och är kanske inte längre aktuell.")
                .as_deref(),
            Some("stale-notice")
        );
        assert_eq!(r("Relaterade tjänster").as_deref(), Some("related-links"));
        assert_eq!(r("Vi använder kakor (cookies) för att webbplatsen ska fungera på ett bra sätt för dig.").as_deref(), Some("cookie-banner"));
        assert_eq!(r("Regeringen föreslår skärpning av straffen"), None);
    }
}
