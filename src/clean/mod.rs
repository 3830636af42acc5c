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

pub use config::{default_rules, CleanConfig, Rule, RuleAction};
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
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SiteStats {
    inner: repetition::Stats,
}

impl SiteStats {
    /// Count the lines of one more page.
    pub fn add(&mut self, page: &ExtractedPage, cfg: &CleanConfig) {
        let c = compiled(cfg);
        self.inner.add(page, &c, cfg.max_key_words);
    }

    /// Number of pages counted for `site` (`""` = pages without URL).
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

/// Clean one page against the statistics of its import. Fails with
/// [`SkipReason::NoContent`] when nothing but boilerplate is left.
pub fn clean(
    page: &ExtractedPage,
    stats: &SiteStats,
    cfg: &CleanConfig,
) -> Result<CleanPage, SkipReason> {
    let c = compiled(cfg);
    let site = repetition::site_of(page);
    let counts = stats.inner.sites.get(&site);
    let mut out = pipeline::analyze(page, &c, counts, cfg, &site, false);
    if out.kept_chars < cfg.min_content_chars {
        // Keep more rather than index an (almost) empty page.
        let relaxed = pipeline::analyze(page, &c, counts, cfg, &site, true);
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

/// Learn the statistics over all `pages`, then clean each (what an import does).
pub fn clean_all(pages: &[ExtractedPage], cfg: &CleanConfig) -> Vec<Result<CleanPage, SkipReason>> {
    let mut stats = SiteStats::default();
    for p in pages {
        stats.add(p, cfg);
    }
    pages.iter().map(|p| clean(p, &stats, cfg)).collect()
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
