//! HTML to lines: one line per block, furniture marked by markup (see [`super`]).
//!
//! Everything here is iterative (ego_tree's `traverse`, explicit stacks): 20,000 nested
//! `<div>` must not overflow the stack, and ego_tree's arena drops without recursion.

use std::collections::HashSet;

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

use super::meta::{gather_meta, strip_site, Meta};
use super::{Line, LineKind};

/// Elements whose content is never page text.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "head"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "canvas"
            | "select"
            | "datalist"
            | "textarea"
            | "title"
    )
}

/// Elements that start and end a line (a browser copy puts a newline around them).
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "body"
            | "center"
            | "dd"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "li"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "ul"
            | "caption"
            | "legend"
            | "video"
            | "audio"
            | "picture"
            | "search"
    )
}

/// How a class/id token rule applies.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Token equals the pattern (after dropping a plural `s`).
    Exact,
    /// Token contains the pattern (`cookiebanner`, `breadcrumblist`).
    Contains,
}

/// Furniture patterns for class and id tokens: (pattern, mode, strong, reason).
/// Strong rules apply everywhere, also inside `main`/`article`: a cookie or share box is
/// furniture wherever it sits. Weak rules (layout words like `header`, `menu`) apply only
/// outside the main content, where `content-header` or `article-header` would be wrong.
/// Generic web and Swedish CMS words, not names taken from one site's templates.
const CLASS_RULES: &[(&str, Mode, bool, &str)] = &[
    ("cookie", Mode::Contains, true, "html-class:cookie"),
    ("consent", Mode::Contains, true, "html-class:consent"),
    ("cybot", Mode::Exact, true, "html-class:cookie"),
    ("onetrust", Mode::Contains, true, "html-class:cookie"),
    ("gdpr", Mode::Contains, true, "html-class:gdpr"),
    ("kakor", Mode::Exact, true, "html-class:cookie"),
    ("kakbanner", Mode::Contains, true, "html-class:cookie"),
    ("breadcrumb", Mode::Contains, true, "html-class:breadcrumb"),
    ("brodsmul", Mode::Contains, true, "html-class:breadcrumb"),
    ("skip", Mode::Exact, true, "html-class:skip"),
    ("skiplink", Mode::Contains, true, "html-class:skip"),
    ("skipnav", Mode::Contains, true, "html-class:skip"),
    ("share", Mode::Exact, true, "html-class:share"),
    ("sharing", Mode::Exact, true, "html-class:share"),
    ("sharebar", Mode::Exact, true, "html-class:share"),
    ("addthis", Mode::Contains, true, "html-class:share"),
    ("addtoany", Mode::Contains, true, "html-class:share"),
    ("delning", Mode::Exact, true, "html-class:share"),
    ("social", Mode::Contains, true, "html-class:social"),
    ("related", Mode::Contains, true, "html-class:related"),
    ("relaterat", Mode::Contains, true, "html-class:related"),
    ("relaterad", Mode::Contains, true, "html-class:related"),
    ("feedback", Mode::Contains, true, "html-class:feedback"),
    ("aterkoppling", Mode::Exact, true, "html-class:feedback"),
    ("print", Mode::Exact, true, "html-class:print"),
    ("pagination", Mode::Exact, true, "html-class:pagination"),
    ("pager", Mode::Exact, true, "html-class:pagination"),
    ("newsletter", Mode::Contains, true, "html-class:newsletter"),
    ("toolbar", Mode::Exact, true, "html-class:toolbar"),
    ("advert", Mode::Contains, true, "html-class:ad"),
    ("ad", Mode::Exact, true, "html-class:ad"),
    ("ads", Mode::Exact, true, "html-class:ad"),
    ("nav", Mode::Exact, false, "html-class:nav"),
    ("navbar", Mode::Exact, false, "html-class:nav"),
    ("navigation", Mode::Exact, false, "html-class:nav"),
    ("navigering", Mode::Exact, false, "html-class:nav"),
    ("sidenav", Mode::Exact, false, "html-class:nav"),
    ("menu", Mode::Contains, false, "html-class:menu"),
    ("meny", Mode::Contains, false, "html-class:menu"),
    ("header", Mode::Exact, false, "html-class:header"),
    ("sidhuvud", Mode::Exact, false, "html-class:header"),
    ("masthead", Mode::Exact, false, "html-class:header"),
    ("topbar", Mode::Exact, false, "html-class:header"),
    ("footer", Mode::Exact, false, "html-class:footer"),
    ("sidfot", Mode::Exact, false, "html-class:footer"),
    ("sidebar", Mode::Exact, false, "html-class:sidebar"),
    ("aside", Mode::Exact, false, "html-class:aside"),
    ("tool", Mode::Exact, true, "html-class:tools"),
    ("contact", Mode::Contains, false, "html-class:contact"),
    ("kontakt", Mode::Contains, false, "html-class:contact"),
    ("search", Mode::Contains, false, "html-class:search"),
    ("sok", Mode::Exact, false, "html-class:search"),
    ("banner", Mode::Exact, false, "html-class:banner"),
    ("logo", Mode::Exact, false, "html-class:logo"),
    ("login", Mode::Exact, false, "html-class:login"),
];

/// Class/id tokens that mark the main content (divsoup pages have no `<main>`).
fn is_main_token(t: &str) -> bool {
    matches!(
        t,
        "main" | "content" | "maincontent" | "article" | "innehall" | "huvudinnehall"
    )
}

/// Split class and id values into lowercase tokens: on anything not alphanumeric and at
/// camelCase boundaries (`CybotCookiebotDialog` -> cybot, cookiebot, dialog).
fn tokens(values: &[&str], out: &mut Vec<String>) {
    out.clear();
    for v in values {
        let mut cur = String::new();
        let mut prev_lower = false;
        for c in v.chars() {
            if !c.is_alphanumeric() {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                prev_lower = false;
                continue;
            }
            if c.is_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_lowercase() || c.is_numeric();
            cur.extend(c.to_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
}

/// The first rule matched by a token: (reason, strong).
fn class_rule(toks: &[String]) -> Option<(&'static str, bool)> {
    let mut weak = None;
    for t in toks {
        let singular = if t.len() > 3 {
            t.strip_suffix('s').unwrap_or(t)
        } else {
            t
        };
        for &(pat, mode, strong, reason) in CLASS_RULES {
            let hit = match mode {
                Mode::Exact => t == pat || singular == pat,
                Mode::Contains => t.contains(pat),
            };
            if hit {
                if strong {
                    return Some((reason, true));
                }
                weak.get_or_insert((reason, false));
            }
        }
    }
    weak
}

/// Elements that contain the page heading or the main content: never furniture as a
/// whole (a cookie `div` left open by broken markup, an ASP.NET `<form>` around the page,
/// an `article-header` holding the `h1`). Marked by walking up from each such element,
/// stopping at an ancestor already marked, so the whole pass is linear.
fn holders_of_main(doc: &Html) -> HashSet<NodeId> {
    let mut set = HashSet::new();
    for node in doc.tree.nodes() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        let key = el.name() == "h1"
            || el.name() == "main"
            || el
                .attr("role")
                .is_some_and(|r| r.eq_ignore_ascii_case("main"));
        if !key {
            continue;
        }
        let mut cur = Some(node);
        while let Some(n) = cur {
            if !set.insert(n.id()) {
                break;
            }
            cur = n.parent();
        }
    }
    set
}

/// Table rows whose cells hold blocks (paragraphs, lists, nested tables): layout tables,
/// or a table left open by broken markup that swallows the rest of the page. Those rows
/// are not joined into one TAB line; their cells are blocks. One linear pass with a
/// stack of open rows.
fn layout_rows(doc: &Html) -> HashSet<NodeId> {
    let mut set = HashSet::new();
    let mut rows: Vec<NodeId> = Vec::new();
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(n) => {
                let Node::Element(el) = n.value() else {
                    continue;
                };
                match el.name() {
                    "tr" => rows.push(n.id()),
                    "td" | "th" | "tbody" | "thead" | "tfoot" => {}
                    name if is_block(name) => {
                        if let Some(&r) = rows.last() {
                            set.insert(r);
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if matches!(n.value(), Node::Element(el) if el.name() == "tr") {
                    rows.pop();
                }
            }
        }
    }
    set
}

/// Per open element: what it passes on to its content.
#[derive(Clone, Copy)]
struct Frame {
    skip: bool,
    block: bool,
    prune: Option<&'static str>,
    in_main: bool,
    kind: LineKind,
    in_row: bool,
    in_pre: bool,
    h1_start: Option<usize>,
}

/// The line being built: collapsed white space, and whether all its text was furniture.
struct LineBuf {
    text: String,
    space: bool,
    kind: LineKind,
    started: bool,
    unpruned: bool,
    reason: Option<&'static str>,
}

impl LineBuf {
    fn push_text(&mut self, s: &str, f: &Frame) {
        for c in s.chars() {
            if c.is_whitespace() {
                self.space = !self.text.is_empty();
                continue;
            }
            if !self.started {
                self.started = true;
                self.kind = f.kind;
            }
            match f.prune {
                None => self.unpruned = true,
                Some(r) => {
                    self.reason.get_or_insert(r);
                }
            }
            if self.space && !self.text.ends_with('\t') {
                self.text.push(' ');
            }
            self.space = false;
            self.text.push(c);
        }
    }

    fn cell_break(&mut self) {
        self.space = false;
        if !self.text.is_empty() {
            self.text.push('\t');
        }
    }

    fn flush(&mut self, out: &mut Vec<Line>) {
        self.space = false;
        while self.text.ends_with('\t') {
            self.text.pop();
        }
        if !self.text.is_empty() {
            let pruned = if self.unpruned || self.kind == LineKind::Heading(1) {
                None
            } else {
                self.reason
            };
            out.push(Line {
                text: std::mem::take(&mut self.text),
                kind: self.kind,
                pruned,
            });
        }
        self.started = false;
        self.unpruned = false;
        self.reason = None;
        self.kind = LineKind::Text;
    }
}

/// Own furniture reason of an element, before inheritance.
fn own_reason(
    node: NodeRef<'_, Node>,
    el: &scraper::node::Element,
    in_main: bool,
    holders: &HashSet<NodeId>,
    toks: &mut Vec<String>,
) -> Option<&'static str> {
    let name = el.name();
    if el.attr("hidden").is_some()
        || el
            .attr("aria-hidden")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return Some("html-hidden");
    }
    if let Some(style) = el.attr("style") {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return Some("html-hidden");
        }
    }
    if name == "input" || holders.contains(&node.id()) || name == "html" || name == "body" {
        return None;
    }
    let by_name = match name {
        "nav" => Some("html-nav"),
        "footer" => Some("html-footer"),
        "aside" => Some("html-aside"),
        "form" => Some("html-form"),
        "dialog" => Some("html-dialog"),
        "header" if !in_main => Some("html-header"),
        _ => None,
    };
    if by_name.is_some() {
        return by_name;
    }
    if let Some(role) = el.attr("role") {
        let r = match role.trim().to_ascii_lowercase().as_str() {
            "navigation" => Some("html-role:navigation"),
            "banner" => Some("html-role:banner"),
            "contentinfo" => Some("html-role:contentinfo"),
            "dialog" | "alertdialog" => Some("html-role:dialog"),
            "search" => Some("html-role:search"),
            "complementary" => Some("html-role:complementary"),
            _ => None,
        };
        if r.is_some() {
            return r;
        }
    }
    let vals: Vec<&str> = [el.attr("class"), el.attr("id")]
        .into_iter()
        .flatten()
        .collect();
    if vals.is_empty() {
        return None;
    }
    tokens(&vals, toks);
    match class_rule(toks) {
        Some((r, strong)) if strong || !in_main => Some(r),
        _ => None,
    }
}

/// Does this element start the main content (for the weak class rules)?
fn starts_main(el: &scraper::node::Element, toks: &mut Vec<String>) -> bool {
    if matches!(el.name(), "html" | "body") {
        return false; // page-type classes (`article-page`) say nothing about regions
    }
    if matches!(el.name(), "main" | "article")
        || el
            .attr("role")
            .is_some_and(|r| r.eq_ignore_ascii_case("main"))
    {
        return true;
    }
    let vals: Vec<&str> = [el.attr("class"), el.attr("id")]
        .into_iter()
        .flatten()
        .collect();
    if vals.is_empty() {
        return false;
    }
    tokens(&vals, toks);
    toks.iter().any(|t| is_main_token(t)) && class_rule(toks).is_none()
}

/// Parse `html` and return its lines and metadata.
pub(super) fn extract_html(html: &str) -> (Vec<Line>, Meta) {
    let doc = Html::parse_document(html);
    let holders = holders_of_main(&doc);
    let layout = layout_rows(&doc);
    let mut meta = Meta::default();
    let (mut og_title, mut title_tag, mut og_url, mut time_date) = (None, None, None, None);
    let mut first_h1: Option<String> = None;
    let mut lines: Vec<Line> = Vec::new();
    let root = Frame {
        skip: false,
        block: false,
        prune: None,
        in_main: false,
        kind: LineKind::Text,
        in_row: false,
        in_pre: false,
        h1_start: None,
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut buf = LineBuf {
        text: String::new(),
        space: false,
        kind: LineKind::Text,
        started: false,
        unpruned: false,
        reason: None,
    };
    let mut toks = Vec::new();

    for edge in doc.tree.root().traverse() {
        let parent = *stack.last().unwrap_or(&root);
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(t) if !parent.skip => {
                    if parent.in_pre {
                        let mut first = true;
                        for part in t.split('\n') {
                            if !first {
                                buf.flush(&mut lines);
                            }
                            first = false;
                            buf.push_text(part, &parent);
                        }
                    } else {
                        buf.push_text(&t[..], &parent);
                    }
                }
                Node::Element(el) => {
                    let name = el.name();
                    gather_meta(
                        el,
                        node,
                        &mut meta,
                        &mut og_title,
                        &mut title_tag,
                        &mut og_url,
                        &mut time_date,
                    );
                    if parent.skip || is_skipped(name) {
                        stack.push(Frame {
                            skip: true,
                            ..parent
                        });
                        continue;
                    }
                    if name == "br" {
                        if parent.in_row {
                            buf.push_text(" ", &parent);
                        } else {
                            buf.flush(&mut lines);
                        }
                    }
                    let block = is_block(name);
                    let in_main = parent.in_main || starts_main(el, &mut toks);
                    let prune = parent
                        .prune
                        .or_else(|| own_reason(node, el, parent.in_main, &holders, &mut toks));
                    let kind = match name.as_bytes() {
                        [b'h', d @ b'1'..=b'6'] => LineKind::Heading(d - b'0'),
                        b"li" => LineKind::ListItem,
                        b"tr" => LineKind::TableRow,
                        _ => parent.kind,
                    };
                    let mut f = Frame {
                        skip: false,
                        block,
                        prune,
                        in_main,
                        kind,
                        in_row: parent.in_row,
                        in_pre: parent.in_pre || name == "pre",
                        h1_start: None,
                    };
                    if parent.in_row {
                        if matches!(name, "td" | "th") {
                            buf.cell_break();
                        } else if block {
                            buf.push_text(" ", &parent);
                        }
                    } else if block {
                        buf.flush(&mut lines);
                    }
                    if name == "tr" {
                        if layout.contains(&node.id()) {
                            f.kind = parent.kind;
                        } else {
                            f.in_row = true;
                        }
                    }
                    if name == "h1" {
                        f.h1_start = Some(lines.len());
                    }
                    stack.push(f);
                }
                _ => {}
            },
            Edge::Close(node) => {
                if !matches!(node.value(), Node::Element(_)) {
                    continue;
                }
                let Some(f) = stack.pop() else { continue };
                if f.skip {
                    continue;
                }
                let outer_row = stack.last().is_some_and(|p| p.in_row);
                if f.block && !outer_row {
                    buf.flush(&mut lines);
                } else if f.block {
                    buf.push_text(" ", &f);
                }
                if let (Some(start), None) = (f.h1_start, &first_h1) {
                    let t: Vec<&str> = lines[start.min(lines.len())..]
                        .iter()
                        .map(|l| l.text.as_str())
                        .collect();
                    if !t.is_empty() {
                        first_h1 = Some(t.join(" "));
                    }
                }
            }
        }
    }
    buf.flush(&mut lines);
    meta.title = first_h1
        .or(og_title)
        .or(title_tag.map(|t: String| strip_site(&t)))
        .filter(|t| !t.is_empty());
    meta.url = meta.url.or(og_url);
    meta.published = meta.published.or(time_date);
    (lines, meta)
}
