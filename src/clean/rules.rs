//! The rules of [`CleanConfig`] compiled once: phrase regexes, word sets.

use std::collections::HashSet;

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
    set: RegexSet,
    pub widget_words: Vec<String>,
    pub stop_words: HashSet<String>,
    pub metadata_keys: HashSet<String>,
    pub published_keys: HashSet<String>,
    pub updated_keys: HashSet<String>,
    /// Known date keys, longest first, for `Key value` lines without colon.
    pub date_keys: Vec<String>,
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
        let set = RegexSet::new(&pats).expect("patterns checked one by one");
        let lower = |v: &[String]| v.iter().map(|s| s.to_lowercase()).collect::<HashSet<_>>();
        let mut widget_words: Vec<String> =
            cfg.widget_words.iter().map(|s| s.to_lowercase()).collect();
        widget_words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let mut date_keys: Vec<String> = cfg
            .published_keys
            .iter()
            .chain(cfg.updated_keys.iter())
            .map(|s| s.to_lowercase())
            .collect();
        date_keys.sort_by_key(|w| std::cmp::Reverse(w.len()));
        Compiled {
            rules,
            set,
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
        self.set
            .matches(t)
            .into_iter()
            .map(|i| &self.rules[i])
            .filter(|r| {
                (r.max_words == 0 || words <= r.max_words) && (r.site.is_empty() || r.site == site)
            })
            .map(|r| RuleHit {
                action: r.action,
                reason: &r.reason,
                in_content: r.in_content,
            })
            .collect()
    }

    /// The line consists only of share/print/listen/language words (`Lyssna Skriv ut`,
    /// `Dela Facebook X LinkedIn E-post Skriv ut`).
    pub fn is_widget_line(&self, line: &str) -> bool {
        let mut rest = line.trim().replace('\u{a0}', " ").to_lowercase();
        if rest.is_empty() || rest.len() > 120 {
            return false;
        }
        'outer: while !rest.is_empty() {
            for w in &self.widget_words {
                if let Some(r) = rest.strip_prefix(w.as_str()) {
                    if r.is_empty() || r.starts_with([' ', '|', '·', ',', '\t']) {
                        rest = r.trim_start_matches([' ', '|', '·', ',', '\t']).to_string();
                        continue 'outer;
                    }
                }
            }
            return false;
        }
        true
    }
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

#[cfg(test)]
mod bench {
    /// `cargo test --release --lib clean::rules::bench -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn time_signals() {
        let dir = std::path::Path::new("/work/shared/corpus/dev");
        let mut lines = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten().take(1500) {
            if let Ok(t) = std::fs::read_to_string(e.path()) {
                lines.extend(t.lines().map(str::to_string));
            }
        }
        let cfg = crate::clean::CleanConfig::default();
        let c = super::Compiled::new(&cfg);
        let t = std::time::Instant::now();
        let mut n = 0;
        for l in &lines {
            n += c.hits(l, l.split_whitespace().count(), "").len();
        }
        println!("{} lines, hits {:?} ({n})", lines.len(), t.elapsed());
        let t = std::time::Instant::now();
        for l in &lines {
            n += crate::clean::signals::shape(l, &c).words;
        }
        println!("shape {:?}", t.elapsed());
        let t = std::time::Instant::now();
        for l in &lines {
            n += c.is_widget_line(l) as usize;
        }
        println!("widget {:?}", t.elapsed());
        let t = std::time::Instant::now();
        for l in &lines {
            n += crate::clean::normalize::count_key(l).len();
        }
        println!("count_key {:?} {n}", t.elapsed());
    }
}
