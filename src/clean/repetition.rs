//! Site repetition: how many pages of a site carry each line. Lines are normalised
//! ([`count_key`]) and a `Key:` line is counted together with its value, so that a
//! repeated key does not drag its page-specific value into the boilerplate.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde::{Deserialize, Serialize};

use super::metadata::colon_key;
use super::normalize::{count_hash_with, count_key_with, hash_key, is_blank};
use super::pipeline::truncation_point;
use super::rules::Compiled;
use super::signals::split_glued_breadcrumb;

/// Counts of one site.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SiteCounts {
    /// Pages seen.
    pub pages: u32,
    /// Line key hash → number of pages with that line.
    pub lines: HashMap<u64, u32>,
}

impl SiteCounts {
    pub fn count(&self, h: u64) -> u32 {
        self.lines.get(&h).copied().unwrap_or(0)
    }
}

/// The host of `url`, lower-case, without `www.`, port or user; `None` when empty.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    let host = host.split(':').next().unwrap_or("").to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    (!host.is_empty()).then(|| host.to_string())
}

/// The hash each line is counted under (pairs share one), `None` for blank lines.
/// Also the hashes of glued-breadcrumb segments, counted separately. Digits are folded
/// (`0`) only in contact-shaped lines (`contact[i]`: phone numbers, postcodes), where
/// they vary by desk; elsewhere a number makes a line page-specific.
pub fn line_hashes(
    lines: &[&str],
    contact: &[bool],
    c: &Compiled,
    max_key_words: usize,
    glued: Option<&[Option<Vec<String>>]>,
) -> (Vec<Option<u64>>, Vec<(usize, u64)>) {
    let mut out = vec![None; lines.len()];
    let mut segs = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i];
        if is_blank(t) {
            i += 1;
            continue;
        }
        if i + 1 < lines.len()
            && !is_blank(lines[i + 1])
            && colon_key(t, c, max_key_words).is_some()
            && colon_key(lines[i + 1], c, max_key_words).is_none()
        {
            let fold = contact[i] || contact[i + 1];
            let h = count_hash_with(&format!("{t} {}", lines[i + 1]), fold);
            out[i] = Some(h);
            out[i + 1] = Some(h);
            i += 2;
            continue;
        }
        out[i] = Some(count_hash_with(t, contact[i]));
        if t.len() < 400 {
            // `glued`: the same split, done already for the line signals.
            let owned;
            let split = match glued {
                Some(g) => g[i].as_ref(),
                None => {
                    owned = split_glued_breadcrumb(t);
                    owned.as_ref()
                }
            };
            if let Some(s) = split {
                segs.extend(s.iter().map(|s| (i, seg_hash(s))));
            }
        }
        i += 1;
    }
    (out, segs)
}

/// Hash of a breadcrumb segment (kept apart from whole lines).
pub fn seg_hash(s: &str) -> u64 {
    hash_key(&format!("\u{1}seg {}", count_key_with(s, false)))
}

/// Line statistics over a set of pages, grouped by site.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stats {
    pub sites: HashMap<String, SiteCounts>,
}

impl Stats {
    /// Count a page from its precomputed signals.
    pub fn add_signals(&mut self, sig: &super::pipeline::Signals) {
        // Lines of "Relaterat" lists are titles of other pages: not counted, so that a
        // page's own heading is not boilerplate because other pages link to it.
        let end = truncation_point(&sig.infos).unwrap_or(sig.infos.len());
        let uniq: HashSet<u64> = sig.hashes[..end]
            .iter()
            .flatten()
            .copied()
            .chain(sig.segs.iter().filter(|s| s.0 < end).map(|s| s.1))
            .collect();
        let site = self.sites.entry(sig.site.clone()).or_default();
        site.pages += 1;
        for h in uniq {
            *site.lines.entry(h).or_insert(0) += 1;
        }
    }
}
