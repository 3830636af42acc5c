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

pub fn analyze(
    page: &ExtractedPage,
    c: &Compiled,
    counts: Option<&SiteCounts>,
    cfg: &CleanConfig,
    site: &str,
    relaxed: bool,
) -> Outcome {
    let lines: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
    let n = lines.len();
    let html = page.format == crate::decode::Format::Html;
    let (hashes, _) = line_hashes(&lines, c, cfg.max_key_words);
    let threshold = counts.map_or(u32::MAX, |s| {
        let frac = (cfg.repeat_min_fraction * s.pages as f64).ceil() as u32;
        (cfg.repeat_min_pages as u32).max(frac).max(2)
    });
    let strong_threshold = threshold.saturating_mul(4);

    // 1. Per-line signals.
    let mut infos = basic_infos(page, c, site);
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
    let items = find_items(&lines, &blocked, c, cfg.max_key_words);
    for it in &items {
        for j in it.first..=it.last {
            infos[j].meta = true;
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
    for i in 0..n {
        if cur <= 0.0 {
            cur = 0.0;
            cur_start = i;
        }
        cur += score[i];
        if cur > best {
            best = cur;
            best_range = Some((cur_start, i));
        }
    }
    // A span of a few short lines is not content (a bare menu, a site name).
    let span = best_range.filter(|&(a, b)| {
        best >= 1.5
            || (a..=b).any(|i| infos[i].plain() && infos[i].shape.words >= 6 && !infos[i].repeated)
    });

    // 5. Title.
    let span_start = span.map_or(n, |s| s.0);
    let t = title::choose(
        page,
        &infos,
        span_start,
        cfg.max_title_words,
        strong_threshold,
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
                && if it.date.is_some() {
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
        let inside = i >= lo && i <= hi;
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
            let r = if f.repeated {
                "repeated-on-site"
            } else if f.shape.contact {
                "contact-block"
            } else if link_list[i] {
                "menu"
            } else if f.meta {
                "metadata-shaped"
            } else {
                "outside-content"
            };
            (false, r.into())
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
                (false, "repeated-on-site".into())
            }
        } else if f.shape.contact && !f.prose() {
            (false, "contact-block".into())
        } else if !f.prose()
            && f.shape.words <= 4
            && (next_nonblank(i).is_some_and(|q| infos[q].meta && q == i + 1)
                || prev_nonblank(i).is_some_and(|p| infos[p].meta && p + 1 == i))
            && !matches!(f.kind, Some(LineKind::Heading(_)))
        {
            (false, "label".into())
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
pub fn basic_infos(page: &ExtractedPage, c: &Compiled, site: &str) -> Vec<LineInfo> {
    let html = page.format == crate::decode::Format::Html;
    let mut infos: Vec<LineInfo> = Vec::with_capacity(page.lines.len());
    for l in &page.lines {
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
            if let Some(segs) = split_glued_breadcrumb(text) {
                if segs[..segs.len() - 1]
                    .iter()
                    .all(|s| s.split_whitespace().count() <= 6)
                {
                    inf.crumb = true;
                    inf.glued_crumb = Some(segs);
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
