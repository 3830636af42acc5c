//! Stage 3, **clean**: lines of a page to the text worth indexing, its title,
//! metadata and dates, and the dropped lines with the reason for each.
//!
//! Cleaning sees many pages at once: lines that recur on many pages of one site are
//! boilerplate even when they read like prose, so an import first feeds every page to
//! [`SiteStats::add`] and then cleans each page against those statistics.

mod config;
mod dates;
mod language;
mod metadata;
pub mod normalize;
mod pipeline;
mod repetition;
mod rules;
pub(crate) mod signals;
mod title;

pub use config::{
    default_rules, site_key, CleanConfig, Mode, Rule, RuleAction, SiteConfig, Thresholds,
};
pub use dates::{find_date, whole_date};
pub use rules::Compiled;
pub use signals::split_glued_breadcrumb;

use std::sync::{Arc, Mutex};

use crate::decode::{Format, SkipReason};
use crate::extract::ExtractedPage;

/// What cleaning did with one input line (the rows of `hitta clean --explain`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    /// The input line as extracted.
    pub line: String,
    /// `true` when the line is part of the indexed text.
    pub keep: bool,
    /// Why: the rule or signal (`cookie-banner`, `repeated-on-site`,
    /// `key-value → Diarienummer`, `content`, `heading`…).
    pub reason: String,
}

/// A cleaned page: the input of the index stage.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CleanPage {
    /// Relative path, the document's identity.
    pub path: String,
    /// Text or HTML.
    pub format: Format,
    /// The page heading.
    pub title: String,
    /// The kept content lines joined by `\n`, in page order, the heading line included.
    pub text: String,
    /// Page-specific key/value pairs in page order (key without the trailing colon).
    pub metadata: Vec<(String, String)>,
    /// Publication date shown on the page, ISO `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Last-update date shown on the page, ISO `YYYY-MM-DD`.
    pub updated: Option<String>,
    /// ISO 639-1 code of the body's language (whatlang), e.g. `sv`, `en`.
    pub language: Option<String>,
    /// One decision per input line, in order.
    pub decisions: Vec<Decision>,
}

impl CleanPage {
    /// The dropped lines with their reasons.
    pub fn dropped(&self) -> impl Iterator<Item = &Decision> {
        self.decisions.iter().filter(|d| !d.keep)
    }
}

/// Line statistics over a set of pages, grouped by site.
///
/// A site counts at most `sample` pages (0 = all): a line on most pages of a site is on
/// most of the first ten thousand too, and the counts of a million-page crawl would
/// not fit in memory.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SiteStats {
    inner: repetition::Stats,
    sample: u32,
}

impl SiteStats {
    /// Statistics that count at most `sample` pages of each site (0 = no limit).
    pub fn with_sample(sample: usize) -> SiteStats {
        SiteStats {
            inner: repetition::Stats::default(),
            sample: sample.min(u32::MAX as usize) as u32,
        }
    }

    /// Count the lines of one more page (of the site its URL names, else `""`).
    pub fn add(&mut self, page: &ExtractedPage, cfg: &CleanConfig) {
        let p = prepare(page.clone(), cfg);
        self.add_prepared(&p);
    }

    /// Count a prepared page: the same as [`SiteStats::add`], without computing its
    /// line signals again when it is cleaned with [`clean_prepared`]. Returns `false`
    /// when its site has its sample already and the page was not counted.
    pub fn add_prepared(&mut self, page: &Prepared) -> bool {
        if self.is_full(&page.signals.site) {
            return false;
        }
        self.inner.add_signals(&page.signals);
        true
    }

    /// Does `site` have its whole sample already?
    pub fn is_full(&self, site: &str) -> bool {
        self.sample > 0 && self.pages(site) >= self.sample
    }

    /// Number of pages counted for `site`.
    pub fn pages(&self, site: &str) -> u32 {
        self.inner.sites.get(site).map_or(0, |s| s.pages)
    }
}

/// The compiled rules of `cfg`, built once and reused while the config stays the same.
pub fn compiled(cfg: &CleanConfig) -> Arc<Compiled> {
    static CACHE: Mutex<Option<(CleanConfig, Arc<Compiled>)>> = Mutex::new(None);
    let mut g = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((k, c)) = g.as_ref() {
        if k == cfg {
            return c.clone();
        }
    }
    let c = Arc::new(Compiled::new(cfg));
    *g = Some((cfg.clone(), c.clone()));
    c
}

/// A page with the line signals that do not depend on statistics (rules, shape,
/// line hashes), computed once for both [`SiteStats::add_prepared`] and
/// [`clean_prepared`]. An import that keeps these instead of the bare pages does the
/// per-line work once.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub page: ExtractedPage,
    signals: pipeline::Signals,
}

/// Compute the line signals of `page` under `cfg`, counted under the site its URL names
/// (`""` without one).
pub fn prepare(page: ExtractedPage, cfg: &CleanConfig) -> Prepared {
    let site = url_site(&page).unwrap_or_default();
    prepare_for(page, site, cfg)
}

/// [`prepare`] for a page of `site` (the import knows it from the folder when the page
/// names no URL): statistics, per-site rules and thresholds all go by this name.
pub fn prepare_for(page: ExtractedPage, site: String, cfg: &CleanConfig) -> Prepared {
    let c = compiled(cfg);
    let signals = pipeline::signals(&page, &c, cfg, site);
    Prepared { page, signals }
}

/// The host of the page's URL, lower-case and without `www.`, if the page names one.
pub fn url_site(page: &ExtractedPage) -> Option<String> {
    repetition::url_host(page.url.as_deref()?)
}

/// Clean one page against the statistics of its import. Fails with
/// [`SkipReason::NoContent`] when nothing but boilerplate is left.
pub fn clean(
    page: &ExtractedPage,
    stats: &SiteStats,
    cfg: &CleanConfig,
) -> Result<CleanPage, SkipReason> {
    let c = compiled(cfg);
    let site = url_site(page).unwrap_or_default();
    let sig = pipeline::signals(page, &c, cfg, site);
    clean_with(page, &sig, stats, cfg)
}

/// [`clean`] for a page from [`prepare`] (with the same `cfg`).
pub fn clean_prepared(
    page: &Prepared,
    stats: &SiteStats,
    cfg: &CleanConfig,
) -> Result<CleanPage, SkipReason> {
    clean_with(&page.page, &page.signals, stats, cfg)
}

fn clean_with(
    page: &ExtractedPage,
    sig: &pipeline::Signals,
    stats: &SiteStats,
    cfg: &CleanConfig,
) -> Result<CleanPage, SkipReason> {
    if cfg.mode == Mode::Off {
        return Ok(uncleaned(page));
    }
    let c = compiled(cfg);
    let site = sig.site.as_str();
    let counts = stats.inner.sites.get(site);
    let th = cfg.thresholds(site);
    let mut out = pipeline::analyze(page, sig, &c, counts, cfg, false);
    if out.kept_chars < th.min_content_chars {
        // Keep more rather than index an (almost) empty page.
        let relaxed = pipeline::analyze(page, sig, &c, counts, cfg, true);
        if relaxed.kept_chars > out.kept_chars {
            out = relaxed;
        }
    }
    if out.kept_chars == 0 {
        let n = page
            .lines
            .iter()
            .filter(|l| !normalize::is_blank(&l.text))
            .count();
        return Err(SkipReason::NoContent(format!(
            "no content left after cleaning: all {n} lines are boilerplate"
        )));
    }
    let mut text = String::with_capacity(out.kept_chars + 64);
    let mut decisions = Vec::with_capacity(page.lines.len());
    for (i, l) in page.lines.iter().enumerate() {
        if out.keep[i] {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(l.text.trim_end());
        }
        decisions.push(Decision {
            line: l.text.clone(),
            keep: out.keep[i],
            reason: std::mem::take(&mut out.reasons[i]),
        });
    }
    let language = language::detect(&text, cfg.language_min_confidence);
    Ok(CleanPage {
        path: page.path.clone(),
        format: page.format,
        title: out.title,
        text,
        metadata: out.metadata,
        published: out.published,
        updated: out.updated,
        language,
        decisions,
    })
}

/// `mode = "off"`: every non-blank line kept; the title is the markup's, else the first line.
fn uncleaned(page: &ExtractedPage) -> CleanPage {
    let kept: Vec<&str> = page
        .lines
        .iter()
        .map(|l| l.text.trim_end())
        .filter(|l| !normalize::is_blank(l))
        .collect();
    let text = kept.join("\n");
    CleanPage {
        path: page.path.clone(),
        format: page.format,
        title: page.title.clone().unwrap_or_else(|| {
            kept.first()
                .map(|l| l.trim().to_string())
                .unwrap_or_default()
        }),
        language: language::detect(&text, 0.0),
        text,
        metadata: Vec::new(),
        published: page.published.clone(),
        updated: page.updated.clone(),
        decisions: page
            .lines
            .iter()
            .map(|l| {
                let keep = !normalize::is_blank(&l.text);
                Decision {
                    line: l.text.clone(),
                    keep,
                    reason: if keep { "cleaning off" } else { "empty" }.into(),
                }
            })
            .collect(),
    }
}

/// Learn the statistics over all `pages`, then clean each (what an import does).
pub fn clean_all(pages: &[ExtractedPage], cfg: &CleanConfig) -> Vec<Result<CleanPage, SkipReason>> {
    let prepared: Vec<Prepared> = pages.iter().map(|p| prepare(p.clone(), cfg)).collect();
    let mut stats = SiteStats::default();
    for p in &prepared {
        stats.add_prepared(p);
    }
    prepared
        .iter()
        .map(|p| clean_prepared(p, &stats, cfg))
        .collect()
}

/// A text dump as extract produces it: one `Text` line per `\n`-separated line.
pub fn text_page(path: &str, text: &str) -> ExtractedPage {
    ExtractedPage {
        path: path.to_string(),
        format: Format::Text,
        lines: text
            .split('\n')
            .map(|t| crate::extract::Line {
                text: t.to_string(),
                kind: crate::extract::LineKind::Text,
                pruned: None,
            })
            .collect(),
        title: None,
        lang: None,
        published: None,
        updated: None,
        url: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of a made-up site whose own text is about the cookie law, under a banner.
    const COOKIE_LAW: &str = "Vi använder kakor (cookies) för att webbplatsen ska fungera på ett bra sätt för dig. Genom att klicka på Godkänn samtycker du till detta.
Godkänn alla kakor
Endast nödvändiga kakor

Hoppa till huvudinnehållet

Startsida
Om oss
Nyheter
Kontakt

Nya regler för kakor på webbplatser

Lagen om elektronisk kommunikation säger att den som besöker en webbplats ska få information om att webbplatsen använder kakor och vad de används till.
Besökaren ska också samtycka till att kakor används, utom när kakorna är nödvändiga för att leverera en tjänst som besökaren uttryckligen har begärt.
Post- och telestyrelsen är tillsynsmyndighet och kan förelägga den som inte följer reglerna om cookies att rätta sig.
Många företag har därför ändrat sina banners så att det är lika lätt att neka som att godkänna kakor.

Dela
Skriv ut
";

    fn kept(p: &CleanPage) -> Vec<&str> {
        p.decisions
            .iter()
            .filter(|d| d.keep)
            .map(|d| d.line.trim())
            .collect()
    }

    #[test]
    fn text_about_cookies_is_kept_and_the_banner_dropped() {
        let cfg = CleanConfig::default();
        let page = text_page("kakor.txt", COOKIE_LAW);
        let p = clean(&page, &SiteStats::default(), &cfg).unwrap();
        let k = kept(&p);
        assert_eq!(p.title, "Nya regler för kakor på webbplatser");
        for want in [
            "Lagen om elektronisk kommunikation",
            "Besökaren ska också samtycka",
            "Post- och telestyrelsen är tillsynsmyndighet",
            "Många företag har därför ändrat",
        ] {
            assert!(
                k.iter().any(|l| l.starts_with(want)),
                "lost {want:?}: {:#?}",
                p.decisions
            );
        }
        assert!(
            !k.iter().any(|l| l.starts_with("Vi använder kakor")),
            "{k:#?}"
        );
        assert!(!k.iter().any(|l| l.contains("Godkänn alla")), "{k:#?}");
        let d = p
            .decisions
            .iter()
            .find(|d| d.line.starts_with("Vi använder"))
            .unwrap();
        assert_eq!(d.reason, "cookie-banner");
    }

    #[test]
    fn metadata_rule_and_site_rules() {
        let mut cfg = CleanConfig::default();
        cfg.extra_rules.push(Rule {
            pattern: "^målgrupp$".into(),
            action: RuleAction::Metadata,
            reason: "målgrupp".into(),
            max_words: 0,
            in_content: true,
            site: String::new(),
        });
        cfg.sites.push(SiteConfig {
            site: String::new(),
            rules: vec![Rule {
                pattern: "^annons: ".into(),
                action: RuleAction::Drop,
                reason: "advert".into(),
                max_words: 0,
                in_content: true,
                site: "ignored.example".into(),
            }],
            ..Default::default()
        });
        let text = "Sommarjobb för unga

Kommunen erbjuder sommarjobb till ungdomar som går i gymnasiet och bor i kommunen.
Annons: köp en ny bil i dag hos vår partner i centrum av staden nu.
Ansökan görs digitalt och öppnar i mars varje år för alla som vill söka.
Målgrupp
Ungdomar 16–19 år

Dela
";
        let p = clean(&text_page("a.txt", text), &SiteStats::default(), &cfg).unwrap();
        assert_eq!(
            p.metadata,
            vec![("Målgrupp".to_string(), "Ungdomar 16–19 år".to_string())]
        );
        let why = |s: &str| {
            p.decisions
                .iter()
                .find(|d| d.line.starts_with(s))
                .map(|d| (d.keep, d.reason.clone()))
                .unwrap()
        };
        assert_eq!(why("Annons:"), (false, "advert".to_string()));
        assert_eq!(why("Målgrupp"), (false, "key-value → Målgrupp".to_string()));
        assert!(why("Ansökan görs").0);
    }

    #[test]
    fn statistics_count_a_sample_of_each_site() {
        let cfg = CleanConfig::default();
        let page = |n: usize| {
            text_page(
                &format!("{n}.txt"),
                "Rubrik\n\nEn rad som finns på varje sida av webbplatsen.\n",
            )
        };
        let mut stats = SiteStats::with_sample(3);
        let counted: Vec<bool> = (0..5)
            .map(|n| stats.add_prepared(&prepare_for(page(n), "a.se".into(), &cfg)))
            .collect();
        assert_eq!(counted, [true, true, true, false, false]);
        assert_eq!(stats.pages("a.se"), 3);
        assert!(stats.is_full("a.se") && !stats.is_full("b.se"));
        assert!(stats.add_prepared(&prepare_for(page(9), "b.se".into(), &cfg)));
        let mut all = SiteStats::with_sample(0);
        for n in 0..5 {
            all.add_prepared(&prepare_for(page(n), "a.se".into(), &cfg));
        }
        assert_eq!(all.pages("a.se"), 5);
    }

    #[test]
    fn min_content_threshold_keeps_more() {
        // Every line is on every page of the site: repetition alone would empty it.
        let cfg = CleanConfig::default();
        let text = "Om oss\n\nVi är en liten förening som arbetar för att fler ska kunna cykla till jobbet året runt i hela länet.\n";
        let pages: Vec<_> = (0..5)
            .map(|i| text_page(&format!("{i}.txt"), text))
            .collect();
        let out = clean_all(&pages, &cfg);
        let p = out[0].as_ref().unwrap();
        assert!(p.text.contains("liten förening"), "{:#?}", p.decisions);
    }
}
