//! Cleaning one page: per-line signals, furniture blocks, the main-content span
//! (maximum-sum run of line scores), title, metadata and the decision per line.

use super::config::{CleanConfig, RuleAction};
use super::metadata::{find_items, DateRole, Item};
use super::normalize::is_blank;
use super::repetition::{line_hashes, seg_hash, SiteCounts};
use super::rules::Compiled;
use super::signals::{shape, split_glued_breadcrumb, split_separated_breadcrumb, Shape};
use super::title;
use crate::extract::{ExtractedPage, LineKind};

/// Everything known about one line before deciding.
#[derive(Debug, Clone, Default)]
pub struct LineInfo {
    pub blank: bool,
    pub shape: Shape,
    pub text_ends_with_question: bool,
    /// First matching rule that is not truncate-after: (action, reason, in_content).
    pub rule: Option<(RuleAction, String, bool)>,
    pub rule_hit: bool,
    pub truncate: Option<String>,
    pub widget: bool,
    pub crumb: bool,
    pub glued_crumb: Option<Vec<String>>,
    pub tail_repeated: bool,
    pub repeated: bool,
    pub count: u32,
    pub meta: bool,
    pub pruned: bool,
    pub kind: Option<LineKind>,
    /// Part of a hard-wrapped paragraph that reads as prose.
    pub para_prose: bool,
    /// A `metadata` rule matched: read the line (and its value line) as metadata.
    pub force_meta: bool,
}

impl LineInfo {
    /// No furniture signal at all.
    pub fn prose(&self) -> bool {
        self.shape.is_prose() || self.para_prose
    }

    pub fn plain(&self) -> bool {
        !self.rule_hit
            && !self.widget
            && !self.crumb
            && !self.meta
            && !self.pruned
            && self.truncate.is_none()
    }
}

/// The result of cleaning one page (before it becomes a `CleanPage`).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub keep: Vec<bool>,
    pub reasons: Vec<String>,
    pub title: String,
    pub metadata: Vec<(String, String)>,
    pub published: Option<String>,
    pub updated: Option<String>,
    pub kept_chars: usize,
}

/// The signals of a page that depend neither on statistics nor on the pass: computed
/// once, used by [`super::SiteStats::add_prepared`] and by each cleaning pass.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    pub site: String,
    pub infos: Vec<LineInfo>,
    /// [`line_hashes`] of the whole page.
    pub hashes: Vec<Option<u64>>,
    /// Hashes of glued-breadcrumb segments, with their line.
    pub segs: Vec<(usize, u64)>,
}

pub fn signals(page: &ExtractedPage, c: &Compiled, cfg: &CleanConfig, site: String) -> Signals {
    let mut glued = Vec::new();
    let infos = basic_infos_with(page, c, &site, &mut glued);
    let lines: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
    let contact: Vec<bool> = infos.iter().map(|f| f.shape.contact).collect();
    let (hashes, segs) = line_hashes(&lines, &contact, c, cfg.max_key_words, Some(&glued));
    Signals {
        site,
        infos,
        hashes,
        segs,
    }
}

pub fn analyze(
    page: &ExtractedPage,
    sig: &Signals,
    c: &Compiled,
    counts: Option<&SiteCounts>,
    cfg: &CleanConfig,
    relaxed: bool,
) -> Outcome {
    let site = sig.site.as_str();
    let lines: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
    let n = lines.len();
    let html = page.format == crate::decode::Format::Html;
    let th = cfg.thresholds(site);
    let threshold = counts.map_or(u32::MAX, |s| {
        let frac = (th.repeat_min_fraction * s.pages as f64).ceil() as u32;
        (th.repeat_min_pages as u32).max(frac).max(2)
    });
    let strong_threshold = threshold.saturating_mul(4);
    // Statistics worth the name: the site has at least as many pages as a repeat needs.
    let have_stats = !relaxed && counts.is_some_and(|s| s.pages >= threshold);

    // 1. Per-line signals.
    let mut infos = sig.infos.clone();
    let hashes = &sig.hashes;
    for (i, inf) in infos.iter_mut().enumerate() {
        if let Some(segs) = &inf.glued_crumb {
            let tail = segs.last().map(|s| seg_hash(s)).unwrap_or(0);
            inf.tail_repeated = counts.is_some_and(|s| s.count(tail) >= threshold) && !relaxed;
        }
        if let (Some(h), Some(s)) = (hashes[i], counts) {
            inf.count = s.count(h);
            inf.repeated = !relaxed && inf.count >= threshold;
        }
    }

    // 2. Metadata items (keys never come from furniture lines).
    let blocked: Vec<bool> = infos
        .iter()
        .map(|f| f.rule_hit || f.widget || f.pruned)
        .collect();
    let forced: Vec<bool> = infos.iter().map(|f| f.force_meta).collect();
    let items = find_items(&lines, &blocked, &forced, c, cfg.max_key_words);
    for it in &items {
        for info in &mut infos[it.first..=it.last] {
            info.meta = true;
        }
    }

    // 3. Furniture regions: related lists to the end, contact/feedback blocks.
    let mut region: Vec<Option<String>> = vec![None; n];
    if let Some(i) = truncation_point(&infos) {
        let r = infos[i].truncate.clone().unwrap();
        for slot in region.iter_mut().skip(i) {
            *slot = Some(r.clone());
        }
    }
    let para_end = |start: usize| -> usize {
        if html {
            return start + 1;
        }
        let mut e = start;
        while e < n && !infos[e].blank {
            e += 1;
        }
        e
    };
    let mut i = 0;
    while i < n {
        let heads_block = matches!(&infos[i].rule, Some((RuleAction::DropBlock, _, _)))
            && region[i].is_none()
            && (i == 0 || infos[i - 1].blank || html);
        if !heads_block {
            i += 1;
            continue;
        }
        let reason = infos[i].rule.as_ref().unwrap().1.clone();
        let first_end = para_end(i);
        let alone = first_end == i + 1;
        for slot in region.iter_mut().take(first_end).skip(i) {
            *slot = Some(reason.clone());
        }
        let mut j = first_end;
        let mut first = alone;
        loop {
            while j < n && infos[j].blank {
                j += 1;
            }
            if j >= n {
                break;
            }
            let e = para_end(j);
            let p = &infos[j..e];
            let strong = p.iter().any(|f| f.shape.is_strong_prose());
            let contactish = p.iter().any(|f| f.shape.contact || f.rule_hit || f.widget);
            let all_short = p
                .iter()
                .all(|f| f.shape.words <= 6 && !f.shape.sentence_end);
            if strong || !(contactish || (first && all_short)) {
                break;
            }
            for slot in region.iter_mut().take(e).skip(j) {
                if slot.is_none() {
                    *slot = Some(reason.clone());
                }
            }
            first = false;
            j = e;
        }
        i = j.max(i + 1);
    }

    // 4. Scores and the main-content span (maximum-sum run).
    let link_list = link_list_lines(&infos, &lines, html);
    let score: Vec<f32> = (0..n)
        .map(|i| {
            let f = &infos[i];
            let s = &f.shape;
            if f.blank {
                0.0
            } else if f.pruned || region[i].is_some() {
                -3.0
            } else if f.meta {
                0.0
            } else if prose_rule_hit(f) {
                // Running text that mentions furniture words (a page about cookie law):
                // content if it sits in the content, not a reason to end the run there.
                0.5
            } else if f.rule_hit || f.widget || f.crumb {
                -2.0
            } else if f.repeated && !f.prose() {
                // List items of an overlapping extract are neutral, menus negative.
                if (s.bullet || f.kind == Some(LineKind::ListItem)) && f.count < strong_threshold {
                    0.0
                } else if (i + 1..n)
                    .find(|&q| !infos[q].blank)
                    .is_some_and(|q| infos[q].prose() && infos[q].plain() && !infos[q].repeated)
                {
                    // Probably a topic heading above its paragraph.
                    -0.5
                } else {
                    -1.5
                }
            } else if s.contact {
                -1.5
            } else if f.repeated && f.count >= strong_threshold {
                // Prose on very many pages: a slogan or notice, weakly content.
                0.5
            } else if s.is_strong_prose() {
                3.0 + (s.words as f32 / 20.0).min(3.0)
            } else if f.prose() {
                1.5
            } else if link_list[i] {
                -0.5
            } else if s.words >= cfg.short_line_words
                || matches!(f.kind, Some(LineKind::Heading(_) | LineKind::ListItem))
            {
                0.8
            } else {
                0.3
            }
        })
        .collect();
    let (mut best, mut best_range) = (0.0f32, None);
    let (mut cur, mut cur_start) = (0.0f32, 0);
    for (i, &s) in score.iter().enumerate() {
        if cur <= 0.0 {
            cur = 0.0;
            cur_start = i;
        }
        cur += s;
        if cur > best {
            best = cur;
            best_range = Some((cur_start, i));
        }
    }
    // A span of a few short lines is not content (a bare menu, a site name).
    let span = best_range
        .filter(|&(a, b)| {
            best >= 1.5
                || (a..=b)
                    .any(|i| infos[i].plain() && infos[i].shape.words >= 6 && !infos[i].repeated)
        })
        .map(|(a, b)| {
            (
                a,
                extend_span(&infos, &region, &link_list, b, strong_threshold),
            )
        });

    // 5. Title.
    let span_start = span.map_or(n, |s| s.0);
    let t = title::choose(
        page,
        &infos,
        span_start,
        cfg.max_title_words,
        strong_threshold,
        have_stats,
    );
    let (lo, hi) = match span {
        Some((a, b)) => (t.line.map_or(a, |l| l.min(a)), b),
        None => (1, 0),
    };

    // 6. Metadata accepted: in a block of items unless every one is repeated furniture.
    let mut accepted = vec![false; items.len()];
    let mut k = 0;
    while k < items.len() {
        let mut e = k + 1;
        while e < items.len() && items[e].first <= items[e - 1].last + 1 {
            e += 1;
        }
        let block = &items[k..e];
        let usable = |it: &Item| region[it.first].is_none() && !infos[it.first].pruned;
        let rep = |it: &Item| infos[it.first].repeated;
        let contact_value =
            |it: &Item| it.date.is_none() && super::signals::shape(&it.value, c).contact;
        // Known keys are page-specific by definition; so is a block of three or more.
        let plain_unique = block
            .iter()
            .filter(|it| (it.known || !rep(it) || block.len() >= 3) && !contact_value(it))
            .count();
        for (o, it) in block.iter().enumerate() {
            let ok = usable(it)
                && if it.date.is_some() || it.forced {
                    true
                } else if block.len() >= 2 {
                    plain_unique >= 1 && (!contact_value(it) || plain_unique >= 3)
                } else {
                    it.known
                };
            accepted[k + o] = ok;
        }
        k = e;
    }
    let mut meta_reason: Vec<Option<String>> = vec![None; n];
    let mut out = Outcome {
        title: t.text.clone(),
        ..Default::default()
    };
    for (it, ok) in items.iter().zip(&accepted) {
        if !ok {
            continue;
        }
        let r = match (&it.key, &it.date) {
            (Some(k), _) => format!("key-value → {k}"),
            (None, Some((DateRole::Published, _))) => "date → published".to_string(),
            (None, _) => "date → updated".to_string(),
        };
        for slot in meta_reason.iter_mut().take(it.last + 1).skip(it.first) {
            *slot = Some(r.clone());
        }
        if let Some(k) = &it.key {
            if !out.metadata.iter().any(|(mk, _)| mk == k) {
                out.metadata.push((k.clone(), it.value.clone()));
            }
        }
        match &it.date {
            Some((DateRole::Published, d)) if out.published.is_none() => {
                out.published = Some(d.clone())
            }
            Some((DateRole::Updated, d)) if out.updated.is_none() => out.updated = Some(d.clone()),
            _ => {}
        }
    }

    // 7. Decisions.
    let prev_nonblank = |i: usize| (0..i).rev().find(|&j| !infos[j].blank);
    let next_nonblank = |i: usize| (i + 1..n).find(|&j| !infos[j].blank);
    out.keep = vec![false; n];
    out.reasons = vec![String::new(); n];
    for i in 0..n {
        let f = &infos[i];
        // Between the title and the content run only plain lines count as inside (a
        // title found above a cookie banner does not pull the banner in).
        let inside = i >= lo && i <= hi && (i >= span_start || !f.rule_hit);
        let (keep, reason): (bool, String) = if f.blank {
            (false, "empty".into())
        } else if Some(i) == t.line && !f.pruned {
            (true, "title".into())
        } else if let Some(r) = &meta_reason[i] {
            (false, r.clone())
        } else if f.pruned {
            (
                false,
                page.lines[i].pruned.unwrap_or("html-pruned").to_string(),
            )
        } else if let Some(r) = &region[i] {
            (false, r.clone())
        } else if Some(i) == t.glued {
            (false, "breadcrumb (title glued on)".into())
        } else if f.crumb {
            (false, "breadcrumb".into())
        } else if f.widget {
            (false, "share-widget".into())
        } else if let Some((_, r, in_content)) = f.rule.as_ref().filter(|r| r.2 || !inside) {
            let _ = in_content;
            (false, r.clone())
        } else if !inside {
            let side = if i < lo { "above" } else { "below" };
            let r = if f.repeated {
                repeated_reason(f, counts)
            } else if f.shape.contact {
                "contact-block (phone, e-mail or address)".to_string()
            } else if link_list[i] {
                "menu (list of short links)".to_string()
            } else if f.meta {
                format!("metadata-shaped, {side} the main text")
            } else if span.is_none() {
                "no main text found".to_string()
            } else {
                format!("outside-content ({side} the main text)")
            };
            (false, r)
        } else if f.meta {
            (true, "content".into())
        } else if f.repeated
            && !f.prose()
            && (f.shape.bullet || f.kind == Some(LineKind::ListItem))
            && f.count < strong_threshold
        {
            (true, "list-item".into())
        } else if f.repeated && !f.prose() {
            // A repeated short line inside the content: a topic heading between
            // paragraphs stays, a template section heading next to metadata goes.
            let prev_meta = prev_nonblank(i).is_some_and(|p| infos[p].meta && !infos[p].blank);
            let next_ok = next_nonblank(i).is_some_and(|q| {
                let g = &infos[q];
                g.plain() && (g.prose() || g.shape.bullet || !g.repeated) && q <= hi
            });
            if next_ok && !(prev_meta && f.count >= strong_threshold) {
                (true, "heading".into())
            } else {
                (false, repeated_reason(f, counts))
            }
        } else if f.shape.contact && !f.prose() {
            (false, "contact-block (phone, e-mail or address)".into())
        } else if !f.prose()
            && f.shape.words <= 4
            && (next_nonblank(i).is_some_and(|q| infos[q].meta && q == i + 1)
                || prev_nonblank(i).is_some_and(|p| infos[p].meta && p + 1 == i))
            && !matches!(f.kind, Some(LineKind::Heading(_)))
        {
            (false, "label next to metadata".into())
        } else if f.shape.bullet || f.kind == Some(LineKind::ListItem) {
            (true, "list-item".into())
        } else if !f.shape.sentence_end
            && f.shape.words < cfg.short_line_words
            && next_nonblank(i).is_some_and(|q| infos[q].prose())
        {
            (true, "heading".into())
        } else {
            (true, "content".into())
        };
        if keep {
            out.kept_chars += lines[i].trim().chars().count();
        }
        out.keep[i] = keep;
        out.reasons[i] = reason;
    }
    if out.published.is_none() {
        out.published = page.published.clone();
    }
    if out.updated.is_none() {
        out.updated = page.updated.clone();
    }
    if out.title.is_empty() {
        if let Some(i) = (0..n).find(|&i| out.keep[i]) {
            out.title = lines[i].trim().chars().take(200).collect();
        }
    }
    out
}

/// The signals of each line that do not depend on site statistics.
#[cfg(test)]
pub fn basic_infos(page: &ExtractedPage, c: &Compiled, site: &str) -> Vec<LineInfo> {
    basic_infos_with(page, c, site, &mut Vec::new())
}

/// [`basic_infos`], leaving in `glued` each line's [`split_glued_breadcrumb`] (`None`
/// for blank lines and lines of 400 bytes or more, where it is not asked).
fn basic_infos_with(
    page: &ExtractedPage,
    c: &Compiled,
    site: &str,
    glued: &mut Vec<Option<Vec<String>>>,
) -> Vec<LineInfo> {
    glued.clear();
    glued.resize(page.lines.len(), None);
    let html = page.format == crate::decode::Format::Html;
    let mut infos: Vec<LineInfo> = Vec::with_capacity(page.lines.len());
    for (i, l) in page.lines.iter().enumerate() {
        let text = l.text.as_str();
        let mut inf = LineInfo {
            kind: Some(l.kind),
            pruned: l.pruned.is_some(),
            ..Default::default()
        };
        if is_blank(text) {
            inf.blank = true;
            infos.push(inf);
            continue;
        }
        inf.shape = shape(text, c);
        inf.text_ends_with_question = text.trim_end().ends_with('?');
        for h in c.hits(text, inf.shape.words, site) {
            if h.action == RuleAction::Metadata && inf.rule.is_none() && !inf.rule_hit {
                // Your `metadata` rule wins over the furniture rules after it.
                inf.force_meta = true;
                break;
            }
            inf.rule_hit = true;
            if h.action == RuleAction::TruncateAfter {
                if inf.truncate.is_none() {
                    inf.truncate = Some(h.reason.to_string());
                }
            } else if inf.rule.is_none() {
                inf.rule = Some((h.action, h.reason.to_string(), h.in_content));
            }
        }
        inf.widget = c.is_widget_line(text);
        if text.len() < 400 {
            glued[i] = split_glued_breadcrumb(text);
            if let Some(segs) = &glued[i] {
                if segs[..segs.len() - 1]
                    .iter()
                    .all(|s| s.split_whitespace().count() <= 6)
                {
                    inf.crumb = true;
                    inf.glued_crumb = Some(segs.clone());
                }
            } else if split_separated_breadcrumb(text).is_some() {
                inf.crumb = true;
            }
        }
        infos.push(inf);
    }
    // Hard-wrapped paragraphs: lines that read as prose together are prose.
    if !html {
        let mut i = 0;
        while i < infos.len() {
            if infos[i].blank {
                i += 1;
                continue;
            }
            let mut e = i;
            while e < infos.len() && !infos[e].blank {
                e += 1;
            }
            let p = &infos[i..e];
            if e - i >= 2
                && p.iter()
                    .all(|f| f.plain() && !f.shape.bullet && f.shape.words >= 4 && !f.shape.contact)
            {
                let words: usize = p.iter().map(|f| f.shape.words).sum();
                let stops: f32 = p
                    .iter()
                    .map(|f| f.shape.stop_density * f.shape.words as f32)
                    .sum();
                let last_end = p.last().is_some_and(|f| f.shape.sentence_end);
                if words >= 16 && last_end && stops / words as f32 >= 0.12 {
                    for f in &mut infos[i..e] {
                        f.para_prose = true;
                    }
                }
            }
            i = e;
        }
    }
    infos
}

/// `repeated-on-site (12/340 pages)`.
fn repeated_reason(f: &LineInfo, counts: Option<&SiteCounts>) -> String {
    match counts {
        Some(s) => format!("repeated-on-site ({}/{} pages)", f.count, s.pages),
        None => "repeated-on-site".to_string(),
    }
}

/// A line that only rules for the page edges matched (no `in_content` rule), that is
/// not repeated on the site and reads as running text: a sentence about cookies in the
/// page's own text, not a banner (banners recur on the site and sit at the edge).
pub fn prose_rule_hit(f: &LineInfo) -> bool {
    f.rule_hit
        && f.truncate.is_none()
        && !f.widget
        && !f.crumb
        && !f.repeated
        && f.rule
            .as_ref()
            .is_some_and(|r| r.0 == RuleAction::Drop && !r.2)
        && f.shape.is_strong_prose()
}

/// Can line `i` continue the main content past its end (a short last paragraph or a
/// sub-heading with its paragraph, which the run's scores do not pay for)? `sentence`:
/// it must be a sentence; else a heading.
fn continues(
    infos: &[LineInfo],
    region: &[Option<String>],
    link_list: &[bool],
    i: usize,
    strong: u32,
    sentence: bool,
) -> bool {
    let f = &infos[i];
    if f.blank || !f.plain() || region[i].is_some() || link_list[i] || f.shape.contact {
        return false;
    }
    // A sub-heading may be on every page of a structured site (`Arbetstider`); a
    // sentence on very many pages is a notice.
    if sentence && f.repeated && f.count >= strong {
        return false;
    }
    let s = &f.shape;
    if sentence {
        s.sentence_end && s.words >= 3 && s.stop_density > 0.0
    } else {
        !s.sentence_end && !s.bullet && (1..=6).contains(&s.words)
    }
}

/// The end of the main content after extending it over the short sentences and
/// sub-headings that follow it (`Arbetstider` / `Arbetet sker dagtid.` at the end of a
/// page): each step takes a sentence, or a heading together with the sentence below it.
pub fn extend_span(
    infos: &[LineInfo],
    region: &[Option<String>],
    link_list: &[bool],
    end: usize,
    strong: u32,
) -> usize {
    let n = infos.len();
    let next = |i: usize| (i + 1..n).find(|&j| !infos[j].blank);
    let mut end = end;
    while let Some(j) = next(end) {
        if continues(infos, region, link_list, j, strong, true) {
            end = j;
        } else if continues(infos, region, link_list, j, strong, false)
            && next(j).is_some_and(|k| continues(infos, region, link_list, k, strong, true))
        {
            end = next(j).unwrap();
        } else {
            break;
        }
    }
    end
}

/// Where a "Relaterat" list starts: the first related-links heading after some real
/// text (a line of running text above it).
pub fn truncation_point(infos: &[LineInfo]) -> Option<usize> {
    let mut seen = false;
    for (i, f) in infos.iter().enumerate() {
        if f.blank || f.pruned {
            continue;
        }
        if seen && f.truncate.is_some() {
            return Some(i);
        }
        if f.plain() && (f.prose() || f.shape.words >= 8) {
            seen = true;
        }
    }
    None
}

/// Link-list shape: paragraphs of three or more short lines without sentence end,
/// bullets or digits, each starting with a capital (menus, footers).
fn link_list_lines(infos: &[LineInfo], lines: &[&str], html: bool) -> Vec<bool> {
    let n = infos.len();
    let mut out = vec![false; n];
    let linkish = |i: usize| {
        let f = &infos[i];
        let t = lines[i].trim();
        !f.blank
            && f.shape.words <= 5
            && !f.shape.sentence_end
            && !f.shape.bullet
            && !f.meta
            && !t.chars().any(|c| c.is_ascii_digit())
            && t.chars().next().is_some_and(|c| c.is_uppercase())
            && (!html || f.kind == Some(LineKind::ListItem) || f.kind == Some(LineKind::Text))
    };
    let mut i = 0;
    while i < n {
        if !linkish(i) {
            i += 1;
            continue;
        }
        let mut e = i;
        while e < n && linkish(e) {
            e += 1;
        }
        // The run must be a paragraph of its own in text dumps.
        let own = html || ((i == 0 || infos[i - 1].blank) && (e == n || infos[e].blank));
        if e - i >= 3 && own {
            for slot in out.iter_mut().take(e).skip(i) {
                *slot = true;
            }
        }
        i = e;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::{compiled, text_page, CleanConfig};

    fn infos_of(text: &str) -> Vec<LineInfo> {
        let cfg = CleanConfig::default();
        let c = compiled(&cfg);
        basic_infos(&text_page("t.txt", text), &c, "")
    }

    #[test]
    fn span_extends_over_a_heading_and_its_short_sentence() {
        let mut infos = infos_of(
            "Arbetet är omväxlande och sker ofta i team med andra yrkesgrupper på plats.\n\nArbetstider\nArbetet sker på dagtid.\n\nSenast uppdaterad: 2020-05-02",
        );
        infos[2].repeated = true;
        infos[2].count = 100;
        infos[5].meta = true;
        let n = infos.len();
        let (region, links) = (vec![None; n], vec![false; n]);
        assert_eq!(extend_span(&infos, &region, &links, 0, 12), 3);
        // A heading without a sentence under it is not taken.
        let infos =
            infos_of("Text som är lång nog för att vara ett stycke av sidan.\n\nDela\nKontakt");
        assert_eq!(extend_span(&infos, &region, &links, 0, 12), 0);
    }

    #[test]
    fn running_text_about_cookies_is_soft() {
        let infos = infos_of("Vi använder kakor\nLagen säger att den som besöker en webbplats ska få veta att webbplatsen använder kakor och vad de används till.");
        assert!(!prose_rule_hit(&infos[0]));
        assert!(prose_rule_hit(&infos[1]));
    }
}
