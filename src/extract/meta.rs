//! Page metadata from markup: `<html lang>`, `<title>`, `og:*`, canonical link, dates
//! from `<meta>` and `<time>`. Split from [`super::html`] to keep files short.

use ego_tree::NodeRef;
use scraper::Node;

/// What the HTML says besides its lines.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    pub title: Option<String>,
    pub lang: Option<String>,
    pub url: Option<String>,
    pub published: Option<String>,
    pub updated: Option<String>,
}

/// Only the `YYYY-MM-DD` start of an ISO date or date-time.
pub(crate) fn iso_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let ok = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    ok.then(|| s[..10].to_string())
}

/// `<title>` without a trailing ` - Site` / ` | Site`.
pub(super) fn strip_site(title: &str) -> String {
    let t = collapse(title);
    for sep in [" | ", " - ", " – ", " — "] {
        if let Some(i) = t.rfind(sep) {
            if i > 0 {
                return t[..i].trim().to_string();
            }
        }
    }
    t
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Collect `<html lang>`, `<title>`, `<meta>`, `<link rel=canonical>` and `<time>` values.
#[allow(clippy::too_many_arguments)]
pub(super) fn gather_meta(
    el: &scraper::node::Element,
    node: NodeRef<'_, Node>,
    meta: &mut Meta,
    og_title: &mut Option<String>,
    title_tag: &mut Option<String>,
    og_url: &mut Option<String>,
    time_date: &mut Option<String>,
) {
    let nonempty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    match el.name() {
        "html" if meta.lang.is_none() => meta.lang = el.attr("lang").and_then(nonempty),
        "title" if title_tag.is_none() => {
            let t: String = node
                .children()
                .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                .collect();
            *title_tag = nonempty(&t);
        }
        "link"
            if meta.url.is_none()
                && el.attr("rel").is_some_and(|r| {
                    r.split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                }) =>
        {
            meta.url = el.attr("href").and_then(nonempty);
        }
        "time" if time_date.is_none() => *time_date = el.attr("datetime").and_then(iso_date),
        "meta" => {
            let key = el
                .attr("property")
                .or(el.attr("name"))
                .or(el.attr("itemprop"))
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let Some(content) = el.attr("content") else {
                return;
            };
            match key.as_str() {
                "og:title" if og_title.is_none() => *og_title = nonempty(content),
                "og:url" if og_url.is_none() => *og_url = nonempty(content),
                "article:published_time"
                | "og:published_time"
                | "date"
                | "dcterms.date"
                | "dc.date"
                | "dcterms.issued"
                | "dcterms.created"
                | "dc.date.issued"
                | "dc.date.created"
                | "datepublished"
                | "pubdate"
                | "publish_date"
                | "publication_date"
                    if meta.published.is_none() =>
                {
                    meta.published = iso_date(content);
                }
                "article:modified_time"
                | "og:updated_time"
                | "dcterms.modified"
                | "dc.date.modified"
                | "datemodified"
                | "last-modified"
                | "lastmod"
                    if meta.updated.is_none() =>
                {
                    meta.updated = iso_date(content);
                }
                _ => {}
            }
        }
        _ => {}
    }
}
