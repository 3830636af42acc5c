//! The page title: the markup's `h1` for HTML; in text dumps the heading line just
//! above the main content (skipping dates, labels and widgets), or the heading glued
//! onto the end of a breadcrumb line (`StartNyheterProjekt Vägar framåt`).

use super::normalize::compare_key;
use super::pipeline::LineInfo;
use crate::extract::{ExtractedPage, LineKind};

/// The chosen title and the line that shows it (`None` when it is glued to a breadcrumb
/// or only known from the markup).
#[derive(Debug, Clone, Default)]
pub struct Title {
    pub text: String,
    pub line: Option<usize>,
    pub glued: Option<usize>,
}

/// Did only a rule for the page edges match the line (`Nya regler för kakor`, a
/// heading about cookies), no furniture signal else?
fn soft_rule(info: &LineInfo) -> bool {
    info.rule_hit
        && info.truncate.is_none()
        && !info.widget
        && !info.crumb
        && !info.meta
        && !info.pruned
        && !info.repeated
        && info
            .rule
            .as_ref()
            .is_some_and(|r| r.0 == crate::clean::RuleAction::Drop && !r.2)
}

/// Can line `i` be a heading?
pub fn heading_shaped(info: &LineInfo, max_words: usize) -> bool {
    let s = &info.shape;
    !info.blank
        && (info.plain() || soft_rule(info))
        && s.words >= 1
        && s.words <= max_words
        && s.chars <= 250
        && !s.contact
        && !s.bullet
        && (!s.sentence_end || info.text_ends_with_question)
}

/// Is line `i` alone in its paragraph (blank lines or page edges around it)?
fn alone(infos: &[LineInfo], i: usize) -> bool {
    (i == 0 || infos[i - 1].blank) && (i + 1 >= infos.len() || infos[i + 1].blank)
}

pub fn choose(
    page: &ExtractedPage,
    infos: &[LineInfo],
    span_start: usize,
    max_words: usize,
    strong: u32,
    have_stats: bool,
) -> Title {
    // HTML: the markup knows.
    if let Some(t) = page.title.as_deref().filter(|t| !t.trim().is_empty()) {
        let key = compare_key(t);
        let line = page
            .lines
            .iter()
            .position(|l| l.pruned.is_none() && compare_key(&l.text) == key);
        return Title {
            text: t.trim().to_string(),
            line,
            glued: None,
        };
    }
    if let Some(i) = page
        .lines
        .iter()
        .position(|l| l.kind == LineKind::Heading(1) && l.pruned.is_none())
    {
        return Title {
            text: page.lines[i].text.trim().to_string(),
            line: Some(i),
            glued: None,
        };
    }
    let n = infos.len();
    let mut candidate = None;
    // A repeated heading may still be this page's own (overlapping extracts of one
    // source page): accepted when it stands alone and is not template-frequent.
    // A heading that an edge rule matched counts only right at the content.
    let just_above = (0..span_start.min(n)).rev().find(|&j| !infos[j].blank);
    let ok = |i: usize| {
        heading_shaped(&infos[i], max_words)
            && (infos[i].plain() || ((i == span_start || Some(i) == just_above) && alone(infos, i)))
            && (!infos[i].repeated || (alone(infos, i) && infos[i].count < strong))
    };
    if span_start < n && ok(span_start) {
        candidate = Some(span_start);
    }
    // A long first line of the content is a weak title: a short heading of its own
    // above it (over a block of metadata, say) is a better one.
    // Only with statistics: without them a site name or menu item is as unique.
    let weak_start = have_stats && candidate.is_some_and(|c| infos[c].shape.words > 12);
    let mut glued = None;
    let mut i = if candidate.is_some() {
        span_start
    } else {
        span_start.min(n)
    };
    let mut looked = 0;
    while i > 0 && looked < 25 {
        i -= 1;
        let inf = &infos[i];
        if inf.blank {
            continue;
        }
        if !inf.meta {
            looked += 1;
        }
        if let Some(segs) = &inf.glued_crumb {
            if segs.len() >= 2 && !inf.tail_repeated {
                glued = Some(i);
            }
            break;
        }
        if candidate.is_none() && ok(i) {
            candidate = Some(i);
            continue;
        }
        if weak_start
            && candidate == Some(span_start)
            && ok(i)
            && !inf.repeated
            && inf.shape.words <= 12
            && !inf.meta
        {
            candidate = Some(i);
            continue;
        }
        if inf.meta || inf.rule_hit || inf.widget || inf.repeated || inf.crumb || inf.pruned {
            continue;
        }
        break;
    }
    // A label right above the date line (`Pressmeddelande från …`, `Nyhet`) with a
    // heading of its own just above it: the upper one is the title.
    if let Some(c) = candidate {
        let adjacent_meta = c + 1 < n && infos[c + 1].meta;
        if adjacent_meta {
            let up = (c.saturating_sub(3)..c).rev().find(|&j| !infos[j].blank);
            if let Some(u) = up {
                if (u + 1 < c || infos[u + 1].blank || u + 1 == c)
                    && heading_shaped(&infos[u], max_words)
                    && !infos[u].repeated
                    && infos[u].glued_crumb.is_none()
                    && infos[u].shape.words > infos[c].shape.words
                {
                    candidate = Some(u);
                }
            }
        }
    }
    let tail = glued.and_then(|g| {
        infos[g]
            .glued_crumb
            .as_ref()
            .and_then(|s| s.last().cloned())
    });
    let tail_words = tail.as_deref().map_or(0, |t| t.split_whitespace().count());
    match (candidate, tail) {
        (Some(c), Some(t)) if infos[c].shape.words <= 1 && tail_words >= 2 => Title {
            text: t,
            line: None,
            glued,
        },
        (Some(c), _) => Title {
            text: page.lines[c].text.trim().to_string(),
            line: Some(c),
            glued: None,
        },
        (None, Some(t)) if tail_words >= 1 => Title {
            text: t,
            line: None,
            glued,
        },
        _ => Title::default(),
    }
}
