//! Cleaning settings: the `[clean]` section of config.toml.
//!
//! Only common Swedish web-furniture phrases live here as rules; everything else
//! (menus, related lists, footers, contact blocks) is found by generic signals:
//! repetition on the site, line shape, prose shape and position.

use serde::{Deserialize, Serialize};

/// What a rule does with a line it matches.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RuleAction {
    /// Drop the line. Outside the main content only, unless `in_content` is set.
    Drop,
    /// Drop the line and the block it heads (contact, feedback…): the rest of its
    /// paragraph and the following paragraphs that look like contact details.
    DropBlock,
    /// Drop the line and every line after it (a "Relaterat" list), once real content
    /// has been seen above it.
    TruncateAfter,
    /// Read the line (and, for a bare `Key:`/key line, the next line) as metadata.
    Metadata,
}

/// One pattern rule: a regex matched case-insensitively against the trimmed line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Regex (Rust `regex` syntax); `(?i)` is implied.
    pub pattern: String,
    /// What to do with a matching line.
    pub action: RuleAction,
    /// The reason shown in `--explain` (e.g. `cookie-banner`).
    pub reason: String,
    /// Only lines of at most this many words match (0 = any length).
    #[serde(default)]
    pub max_words: usize,
    /// Also applies inside the main content block (default: only around it).
    #[serde(default)]
    pub in_content: bool,
    /// Only for pages of this site (host, e.g. `www.esf.se`; empty = every site).
    #[serde(default)]
    pub site: String,
}

impl Rule {
    fn new(
        reason: &str,
        action: RuleAction,
        pattern: &str,
        max_words: usize,
        in_content: bool,
    ) -> Rule {
        Rule {
            pattern: pattern.to_string(),
            action,
            reason: reason.to_string(),
            max_words,
            in_content,
            site: String::new(),
        }
    }
}

/// Settings for the pages of one site (`[[clean.sites]]`): rules of its own, checked
/// before every other rule, and thresholds that replace the global ones.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// The host (`www.esf.se` or `esf.se`: a leading `www.` is ignored); `""` = text
    /// dumps without URL.
    pub site: String,
    /// Rules for this site only (their own `site` field is ignored).
    pub rules: Vec<Rule>,
    pub repeat_min_pages: Option<usize>,
    pub repeat_min_fraction: Option<f64>,
    pub min_content_chars: Option<usize>,
}

/// The thresholds in force for one site.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub repeat_min_pages: usize,
    pub repeat_min_fraction: f64,
    pub min_content_chars: usize,
}

/// A site name as pages are grouped: lower case, without `www.`.
pub fn site_key(s: &str) -> String {
    let s = s.trim().to_lowercase();
    s.strip_prefix("www.").unwrap_or(&s).to_string()
}

/// Every setting of the clean stage, with defaults that mirror config.toml.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CleanConfig {
    /// How pages are read and cleaned: `auto` (by file extension, cleaned), `html` or
    /// `text` (every file read as that, cleaned), `off` (by extension, every line kept).
    pub mode: Mode,
    /// A line (or `Key: value` pair) on at least this many pages of one site is
    /// boilerplate (unless it sits inside the main content).
    pub repeat_min_pages: usize,
    /// ... and on at least this fraction of the site's pages (0.0 = count only).
    pub repeat_min_fraction: f64,
    /// Pages of one site whose lines are counted (0 = all): bounds the statistics'
    /// memory on large crawls.
    pub repeat_sample_pages: usize,
    /// If fewer characters than this survive, clean again with the repetition and
    /// rule signals relaxed, rather than index an (almost) empty page.
    pub min_content_chars: usize,
    /// Lines with at most this many words and no sentence end are "short"
    /// (headings, menu items, list items).
    pub short_line_words: usize,
    /// A title has at most this many words.
    pub max_title_words: usize,
    /// A `Key:` has at most this many words.
    pub max_key_words: usize,
    /// Keys that are metadata even as a single `Key: value` line inside the text.
    pub metadata_keys: Vec<String>,
    /// Keys whose date value is the publication date.
    pub published_keys: Vec<String>,
    /// Keys whose date value is the last-update date.
    pub updated_keys: Vec<String>,
    /// Words that make up share/listen/print/language bars: a line made only of
    /// these is dropped (`share-widget`).
    pub widget_words: Vec<String>,
    /// Swedish function words, for the prose signal.
    pub stop_words: Vec<String>,
    /// Minimum confidence of whatlang for `language`.
    pub language_min_confidence: f64,
    /// The default phrase rules (Swedish web furniture).
    pub rules: Vec<Rule>,
    /// Your own rules, checked before `rules`.
    pub extra_rules: Vec<Rule>,
    /// Per-site rules and thresholds.
    pub sites: Vec<SiteConfig>,
}

impl CleanConfig {
    /// The thresholds for the pages of `site` (as [`site_key`] gives it).
    pub fn thresholds(&self, site: &str) -> Thresholds {
        let o = self.sites.iter().find(|s| site_key(&s.site) == site);
        Thresholds {
            repeat_min_pages: o
                .and_then(|o| o.repeat_min_pages)
                .unwrap_or(self.repeat_min_pages),
            repeat_min_fraction: o
                .and_then(|o| o.repeat_min_fraction)
                .unwrap_or(self.repeat_min_fraction),
            min_content_chars: o
                .and_then(|o| o.min_content_chars)
                .unwrap_or(self.min_content_chars),
        }
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The default phrase rules.
pub fn default_rules() -> Vec<Rule> {
    use RuleAction::*;
    vec![
        Rule::new(
            "skip-link",
            Drop,
            r"^((hoppa|gå( direkt)?|skippa) till|till|direkt till|skip to) (sidans )?(huvud)?(innehåll(et)?|sök\w*|meny\w*|navigering\w*|toppen|huvudmeny|content|main content)\b.*$",
            12,
            true,
        ),
        Rule::new(
            "feedback-widget",
            DropBlock,
            r"^(hjälpte|var|är) (informationen|sidan|texten|den här sidan|innehållet)( på sidan)?( dig| till hjälp| användbar| bra)*\??$",
            0,
            true,
        ),
        Rule::new(
            "feedback-widget",
            DropBlock,
            r"^(hittade du (det|vad) du (letade efter|sökte)|fick du svar på din fråga|vad saknades|vad kan vi göra bättre|tack för (din|ditt) (feedback|återkoppling|svar|hjälp))\b.*$",
            12,
            true,
        ),
        Rule::new(
            "feedback-widget",
            Drop,
            r"^(ja|nej|skicka|svara|ja, delvis)$",
            0,
            false,
        ),
        Rule::new(
            "stale-notice",
            Drop,
            r"^(denna|den här) (artikel|sida|nyhet|text|information|nyhetsartikel)\b.*\s(äldre än|inte (längre )?(är )?aktuell|kan vara inaktuell|har arkiverats)",
            0,
            true,
        ),
        Rule::new(
            "cookie-banner",
            Drop,
            r"\b(kakor|kakorna|cookies?|cookie-inställningar)\b",
            10,
            false,
        ),
        Rule::new(
            "cookie-banner",
            Drop,
            r"\b(använder|används|sparar|lagrar)\b.{0,60}\b(kakor|cookies)\b|\b(kakor|cookies)\b.{0,120}\b(godkänn|samtyck|acceptera|inställningar)",
            0,
            false,
        ),
        Rule::new(
            "cookie-banner",
            Drop,
            r"^(ok|jag förstår|jag godkänner( inte)?|godkänn( alla)?|acceptera( alla)?|neka|avböj|endast nödvändiga|spara inställningar|hantera inställningar|läs mer|lär dig mer|mer information)$",
            0,
            false,
        ),
        Rule::new(
            "related-links",
            TruncateAfter,
            r"^(relaterat|relaterade? \w+|läs (också|även|mer)|se även|mer (om|inom) (ämnet|detta)|fler (nyheter|artiklar|projekt|pressmeddelanden|sidor|tjänster)\b.*|senaste (nyheterna|nytt|nyheter)|mest (lästa|besökta)|andra (projekt|nyheter|artiklar|har också läst)|du kanske (också|även) vill\b.*|liknande \w+|populära (sidor|tjänster)|genvägar|snabblänkar)\s*:?$",
            8,
            true,
        ),
        Rule::new(
            "contact-block",
            DropBlock,
            r"^(kontakt(a oss)?|kontaktuppgifter|fler kontaktuppgifter|kontaktinformation|besök oss|besöksadress|postadress|hitta hit|kundtjänst|kundservice|växel|servicecenter)\b.*:?$",
            6,
            false,
        ),
        Rule::new(
            "opening-hours",
            DropBlock,
            r"^((våra|ordinarie) )?(öppettider|telefontider|öppet)\b.*$",
            6,
            true,
        ),
        Rule::new(
            "opening-hours",
            Drop,
            r"^((mån|tis|ons|tors|fre|lör|sön)(dag(ar)?)?|vardagar|helgdagar|helger)\b.*\d{1,2}([.:]\d{2})?\s*[-–]\s*\d{1,2}([.:]\d{2})?",
            10,
            true,
        ),
        Rule::new(
            "search-box",
            Drop,
            r"^sök( på| i| inom)? (webbplatsen|sajten|hela|på|\S+\.(se|nu|com|org))\b.*$",
            6,
            false,
        ),
        Rule::new("breadcrumb", Drop, r"^du är här:?$", 0, true),
        Rule::new(
            "breadcrumb",
            Drop,
            r"^(start|startsida|hem|home)\s*[>›»/|]",
            0,
            true,
        ),
        Rule::new(
            "footer",
            Drop,
            r"^(org\.? ?nr|organisationsnummer)\b",
            4,
            false,
        ),
        Rule::new(
            "download-link",
            Drop,
            r"\((pdf|docx?|xlsx?|pptx?|odt|zip|rtf)[ ,]+\d+([.,]\d+)?\s?(kb|mb|gb|byte)\)\s*$",
            0,
            true,
        ),
        Rule::new(
            "footer",
            Drop,
            r"^(om webbplatsen|tillgänglighetsredogörelse|behandling av personuppgifter|personuppgifter( \(gdpr\))?|prenumerera( på nyhetsbrev)?|jobba hos oss|press|copyright|©.*)$",
            0,
            false,
        ),
    ]
}

/// See [`CleanConfig::mode`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// `.txt` as text, `.html`/`.htm` as HTML; boilerplate removed.
    #[default]
    Auto,
    /// Every imported file parsed as HTML.
    Html,
    /// Every imported file read as plain text.
    Text,
    /// No cleaning: every non-blank line is indexed (title: the first heading or line).
    Off,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig {
            mode: Mode::Auto,
            repeat_min_pages: 3,
            repeat_min_fraction: 0.0,
            repeat_sample_pages: 10_000,
            min_content_chars: 120,
            short_line_words: 8,
            max_title_words: 30,
            max_key_words: 5,
            metadata_keys: strings(&[
                "Publicerad",
                "Uppdaterad",
                "Senast uppdaterad",
                "Senast ändrad",
                "Sidansvarig",
                "Ansvarig",
                "Diarienummer",
                "Dokumentbeteckning",
                "Ämnen",
                "Ämne",
                "Kategori",
                "Taggar",
                "Författare",
                "Skribent",
                "Fotograf",
                "Datum",
                "Sidan granskades senast",
                "Sidan uppdaterades",
                "Granskad",
                "Ärende-id",
                "Ärendenummer",
                "Beteckning",
            ]),
            published_keys: strings(&[
                "Publicerad",
                "Publicerat",
                "Publiceringsdatum",
                "Publicerades",
                "Datum",
            ]),
            updated_keys: strings(&[
                "Uppdaterad",
                "Senast uppdaterad",
                "Senast ändrad",
                "Ändrad",
                "Sidan granskades senast",
                "Granskad",
                "Sidan uppdaterades",
                "Uppdaterades",
                "Senast granskad",
                "Sidan uppdaterad",
            ]),
            widget_words: strings(&[
                "dela",
                "dela sidan",
                "dela artikeln",
                "skriv ut",
                "skriv ut sidan",
                "lyssna",
                "läs upp",
                "facebook",
                "x",
                "twitter",
                "linkedin",
                "e-post",
                "mejla",
                "instagram",
                "youtube",
                "följ oss",
                "lättläst",
                "teckenspråk",
                "languages",
                "other languages",
                "in english",
                "translate",
                "meny",
                "sök",
                "till toppen",
                "logga in",
                "ladda ner",
                "ladda ner:",
                "tipsa",
                "tipsa en vän",
                "print",
                "share",
                "kopiera länk",
                "english",
                "stäng",
                "visa meny",
                "öppna meny",
                "skriv ut/spara pdf",
            ]),
            stop_words: strings(&[
                "och", "i", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till",
                "den", "har", "de", "inte", "om", "ett", "han", "men", "var", "jag", "sig", "från",
                "vi", "så", "kan", "man", "när", "år", "säger", "hon", "under", "också", "efter",
                "eller", "nu", "sin", "där", "vid", "mot", "ska", "skulle", "kommer", "ut", "får",
                "finns", "vara", "hade", "alla", "andra", "mycket", "än", "här", "då", "sedan",
                "över", "bara", "vara", "blir", "även", "samt", "genom", "detta", "dessa", "du",
                "dig", "ni", "oss", "bör", "kunna", "hur", "vad", "vilka", "vilken", "inom",
                "mellan", "enligt", "the", "of", "and", "to", "in", "is", "for", "that", "are",
                "be", "with", "on", "as", "by",
            ]),
            language_min_confidence: 0.3,
            rules: default_rules(),
            extra_rules: Vec::new(),
            sites: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `[clean]` section of config.toml shows exactly the defaults.
    #[test]
    fn config_toml_mirrors_default() {
        let Ok(text) = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml"))
        else {
            return;
        };
        let v: toml::Table = toml::from_str(&text).unwrap();
        let Some(section) = v.get("clean") else {
            return;
        };
        let parsed: CleanConfig = section.clone().try_into().unwrap();
        assert_eq!(parsed, CleanConfig::default());
    }

    #[test]
    fn site_overrides() {
        let cfg: CleanConfig = toml::from_str(
            r#"
            min_content_chars = 100
            [[sites]]
            site = "www.Example.se"
            min_content_chars = 10
            [[sites.rules]]
            pattern = '^annons$'
            action = "drop"
            reason = "advert"
            "#,
        )
        .unwrap();
        assert_eq!(cfg.thresholds("example.se").min_content_chars, 10);
        assert_eq!(cfg.thresholds("annan.se").min_content_chars, 100);
        assert_eq!(cfg.thresholds("example.se").repeat_min_pages, 3);
        assert_eq!(site_key(" WWW.Esf.se"), "esf.se");
    }

    #[test]
    #[ignore]
    fn print_default_toml() {
        let mut t = toml::Table::new();
        t.insert(
            "clean".into(),
            toml::Value::try_from(CleanConfig::default()).unwrap(),
        );
        println!("{}", toml::to_string(&t).unwrap());
    }
}
