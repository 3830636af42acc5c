//! The second phase of a search: the best candidates of the first phase (a flat union of
//! term clauses, pruned by `maxscore` or tantivy's block-max WAND) rescored with what needs
//! positions or the whole query — query words near each other, the pieces of a split
//! word in sequence, how much of the query a page covers — and with BM25's `k1`/`b` of
//! the body as configured, its idf partly taken from the candidates themselves. Only the
//! candidates' postings are read, by seeking.

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Score, Term};

use super::query::{Plan, PlanPhrase};
use super::stats::TermStats;
use crate::config::SearchConfig;

/// tantivy's BM25 constants (first phase).
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// Postings of `term` in the segment, with positions if `positions`.
fn postings(
    stats: &TermStats,
    ord: usize,
    term: &Term,
    positions: bool,
) -> tantivy::Result<Option<SegmentPostings>> {
    let option = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    let index = stats
        .searcher()
        .segment_reader(ord as u32)
        .inverted_index(term.field())?;
    Ok(match stats.term_info(ord, term) {
        Some(None) => None,
        Some(Some(info)) => Some(index.read_postings_from_terminfo(&info, option)?),
        None => index.read_postings(term, option)?,
    })
}

/// Whether `p` holds `doc` (postings are only ever moved forwards).
fn at(p: &mut Option<SegmentPostings>, doc: DocId) -> Option<&mut SegmentPostings> {
    let p = p.as_mut()?;
    if p.doc() < doc {
        p.seek(doc);
    }
    (p.doc() == doc).then_some(p)
}

/// How often the terms of `phrase` occur at their offsets within `slop` in one document
/// (tantivy's phrase counting: each position of the next term pairs with at most one of
/// the sequence so far). `fill(i, shift, out)` appends the positions of term `i` in the
/// document plus `shift`, and says whether the document holds the term.
fn phrase_count(
    phrase: &PlanPhrase,
    left: &mut Vec<u32>,
    right: &mut Vec<u32>,
    mut fill: impl FnMut(usize, u32, &mut Vec<u32>) -> bool,
) -> u32 {
    let max_offset = phrase.terms.iter().map(|t| t.0).max().unwrap_or(0) as u32;
    for (i, (offset, _)) in phrase.terms.iter().enumerate() {
        let shift = max_offset - *offset as u32;
        let out = if i == 0 { &mut *left } else { &mut *right };
        out.clear();
        if !fill(i, shift, out) {
            return 0;
        }
        if i > 0 && intersect(left, right, phrase.slop) == 0 {
            return 0;
        }
    }
    left.len() as u32
}

/// Keep in `left` the positions of `right` that lie within `slop` of one of `left`
/// (tantivy's `intersection_count_with_slop`).
fn intersect(left: &mut Vec<u32>, right: &[u32], slop: u32) -> usize {
    let (mut li, mut ri, mut count) = (0, 0, 0);
    while li < left.len() && ri < right.len() {
        let (l, r) = (left[li], right[ri]);
        if l.abs_diff(r) <= slop {
            while li + 1 < left.len() && left[li + 1] <= r {
                li += 1;
            }
            left[count] = r;
            count += 1;
            li += 1;
            ri += 1;
        } else if l < r {
            li += 1;
        } else {
            ri += 1;
        }
    }
    left.truncate(count);
    count
}

/// The largest weight of distinct query words found within `window` positions of each
/// other, `events` being `(position, word)` and `weights` the words' weights, and the
/// position of the first word of that passage (where the snippet goes).
fn best_window(
    events: &mut [(u32, usize)],
    window: u32,
    weights: &[f32],
    counts: &mut [u32],
) -> (f32, Option<u32>) {
    events.sort_unstable();
    counts.iter_mut().for_each(|c| *c = 0);
    let (mut best, mut cur, mut lo) = (0.0f32, 0.0f32, 0);
    let mut at = None;
    for hi in 0..events.len() {
        let (pos, w) = events[hi];
        while pos - events[lo].0 >= window {
            let lw = events[lo].1;
            counts[lw] -= 1;
            if counts[lw] == 0 {
                cur -= weights[lw];
            }
            lo += 1;
        }
        if counts[w] == 0 {
            cur += weights[w];
        }
        counts[w] += 1;
        if cur > best {
            best = cur;
            at = Some(events[lo].0);
        }
    }
    (best, at)
}

/// BM25 of a term frequency with the given constants.
fn bm25(idf: f32, tf: u32, norm: f32, avg: f32, k1: f32, b: f32) -> f32 {
    let tf = tf as f32;
    idf * (tf * (k1 + 1.0)) / (tf + k1 * (1.0 - b + b * norm / avg))
}

/// A word's weight with `share` of it taken from how rare the word is among the
/// candidates (`found_in` of `candidates`) rather than in the whole index: words that
/// nearly every candidate holds (the topic of a group of similar pages, all retrieved
/// together) cannot tell the candidates apart, the rarer ones can.
fn mixed_idf(global: f32, found_in: u32, candidates: u32, share: f32) -> f32 {
    if share <= 0.0 {
        return global;
    }
    let local = super::query::idf(u64::from(found_in.min(candidates)), u64::from(candidates));
    (1.0 - share) * global + share * local
}

/// What the second phase found of one query word in one candidate.
#[derive(Clone, Copy, Default)]
struct WordHit {
    /// Some variant of the word is in the page.
    found: bool,
    /// Found through a variant of the body field (with positions).
    placed: bool,
    /// Frequency of the body stem (variants[0]), 0 if absent.
    tf: u32,
}

/// A candidate as the second phase leaves it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    /// The final score.
    pub score: Score,
    /// The page.
    pub addr: DocAddress,
    /// Body position of the first query word of the passage that holds the most of them
    /// (`coverage_window`), so the snippet is cut there without reading the whole page.
    pub passage: Option<u32>,
}

/// Rescore `top` (first-phase scores) with `plan`, best first. The hits at `passages`
/// of the result (the page of hits that gets snippets) carry their passage; the others
/// only where finding their score read the positions anyway.
pub fn rerank(
    stats: &TermStats,
    body: Field,
    plan: &Plan,
    cfg: &SearchConfig,
    top: Vec<(Score, DocAddress)>,
    passages: std::ops::Range<usize>,
) -> tantivy::Result<Vec<Ranked>> {
    if top.is_empty() {
        return Ok(Vec::new());
    }
    let phrase_weights: Vec<Bm25Weight> = plan
        .phrases
        .iter()
        .map(|p| {
            let terms: Vec<Term> = p.terms.iter().map(|t| t.1.clone()).collect();
            Bm25Weight::for_terms(stats, &terms).map(|w| w.boost_by(p.boost))
        })
        .collect::<tantivy::Result<_>>()?;
    let searcher = stats.searcher();
    let n = stats.num_docs().max(1);
    let avg = stats.total_num_tokens(body)? as f32 / n as f32;
    // The field whose lengths normalise each clause's term frequency, once per query.
    let length_fields: Vec<Field> = plan
        .clauses
        .iter()
        .map(|(t, _)| {
            if plan.body_length.contains(&t.field()) {
                body
            } else {
                t.field()
            }
        })
        .collect();
    let docs = stats.total_num_docs()?.max(1);
    let clause_weights: Vec<Bm25Weight> = plan
        .clauses
        .iter()
        .zip(&length_fields)
        .map(|((t, boost), &field)| {
            // Without tantivy's explanation: `for_terms` builds one, strings and all, for
            // every clause of every query.
            let avg = stats.total_num_tokens(field)? as f32 / docs as f32;
            let df = stats.doc_freq(t)?.min(docs);
            let w = Bm25Weight::for_one_term_without_explain(df, docs, avg);
            Ok(w.boost_by(*boost))
        })
        .collect::<tantivy::Result<_>>()?;
    let body_idf: Vec<f32> = plan
        .words
        .iter()
        .map(|w| Ok(super::query::idf(stats.doc_freq(&w.body)?.min(n), n)))
        .collect::<tantivy::Result<_>>()?;
    let nw = plan.words.len();
    let window = cfg.coverage_window;

    // For each phrase whose terms are all stems of query words (the proximity pairs, the
    // pieces of a split word), those words: with a coverage window their positions are
    // read anyway, so the phrase is counted from them.
    let phrase_words: Vec<Option<Vec<usize>>> = plan
        .phrases
        .iter()
        .map(|p| {
            p.terms
                .iter()
                .map(|(_, t)| plan.words.iter().position(|w| w.body == *t))
                .collect::<Option<Vec<usize>>>()
                .filter(|_| window > 0)
        })
        .collect();
    // Where in `events` the current candidate's positions of each word's stem are.
    let mut stem_at: Vec<(usize, usize)> = vec![(0, 0); nw];
    // First pass, candidate by candidate in index order (postings only move forwards):
    // the additive features, and what each query word's postings hold for the candidate.
    let mut order: Vec<usize> = (0..top.len()).collect();
    order.sort_by_key(|&i| (top[i].1.segment_ord, top[i].1.doc_id));
    let mut scores: Vec<Score> = top.iter().map(|t| t.0).collect();
    let mut hits: Vec<WordHit> = vec![WordHit::default(); top.len() * nw];
    let mut norms_of: Vec<f32> = vec![0.0; top.len()];
    // Positions of the words in each candidate: `events[spans[i].0..spans[i].1]`.
    let mut events: Vec<(u32, usize)> = Vec::new();
    let mut spans: Vec<(usize, usize)> = vec![(0, 0); top.len()];
    let (mut left, mut right) = (Vec::new(), Vec::new());
    // The (word, variant) pairs of the current candidate found in the body.
    let mut present: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let ord = top[order[start]].1.segment_ord;
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| top[i].1.segment_ord == ord)
                .count();
        let seg = searcher.segment_reader(ord);
        let norms = seg.get_fieldnorms_reader(body)?;
        let mut variants: Vec<Vec<Option<SegmentPostings>>> = plan
            .words
            .iter()
            .map(|w| {
                w.variants
                    .iter()
                    .map(|t| postings(stats, ord as usize, t, window > 0 && t.field() == body))
                    .collect()
            })
            .collect::<tantivy::Result<_>>()?;
        let mut clauses: Vec<Option<SegmentPostings>> = plan
            .clauses
            .iter()
            .map(|(t, _)| postings(stats, ord as usize, t, false))
            .collect::<tantivy::Result<_>>()?;
        // One fieldnorm reader per length field, and each clause's index into them.
        let mut norm_readers: Vec<(Field, tantivy::fieldnorm::FieldNormReader)> = Vec::new();
        let mut clause_norms: Vec<usize> = Vec::with_capacity(length_fields.len());
        for &f in &length_fields {
            let k = match norm_readers.iter().position(|(g, _)| *g == f) {
                Some(k) => k,
                None => {
                    norm_readers.push((f, seg.get_fieldnorms_reader(f)?));
                    norm_readers.len() - 1
                }
            };
            clause_norms.push(k);
        }
        // A phrase of the words' own stems reads their positions from the words' pass;
        // the others get postings of their own.
        let mut phrases: Vec<Vec<Option<SegmentPostings>>> = plan
            .phrases
            .iter()
            .zip(&phrase_words)
            .map(|(p, words)| match words {
                Some(_) => Ok(Vec::new()),
                None => p
                    .terms
                    .iter()
                    .map(|t| postings(stats, ord as usize, &t.1, true))
                    .collect(),
            })
            .collect::<tantivy::Result<_>>()?;
        for &i in &order[start..end] {
            let doc = top[i].1.doc_id;
            let norm_id = norms.fieldnorm_id(doc);
            norms_of[i] = norms.fieldnorm(doc) as f32;
            let mut s = scores[i];
            for ((p, w), &k) in clauses.iter_mut().zip(&clause_weights).zip(&clause_norms) {
                if let Some(p) = at(p, doc) {
                    let id = norm_readers[k].1.fieldnorm_id(doc);
                    s += w.score(id, p.term_freq());
                }
            }
            let from = events.len();
            let mut placed = 0;
            present.clear();
            for (wi, (word, posts)) in plan.words.iter().zip(&mut variants).enumerate() {
                let hit = &mut hits[i * nw + wi];
                stem_at[wi] = (0, 0);
                for (k, p) in posts.iter_mut().enumerate() {
                    let Some(p) = at(p, doc) else { continue };
                    hit.found = true;
                    if k == 0 {
                        // variants[0] is the body stem.
                        hit.tf = p.term_freq();
                    }
                    if window == 0 {
                        break;
                    }
                    if word.variants[k].field() == body {
                        placed += usize::from(!hit.placed);
                        hit.placed = true;
                        present.push((wi, k));
                    }
                }
            }
            // Positions change the score only where two query words can meet: in a
            // passage (two words placed) or in a phrase of the words' stems. A page with
            // one word placed covers it in any passage; its passage, the word's first
            // position, is found later, and only if the page gets a snippet.
            let meet = placed >= 2
                || phrase_words
                    .iter()
                    .flatten()
                    .any(|ws| ws.iter().all(|&w| hits[i * nw + w].tf > 0));
            if meet {
                for &(wi, k) in &present {
                    let Some(p) = variants[wi][k].as_mut() else {
                        continue;
                    };
                    left.clear();
                    p.positions(&mut left);
                    let at = events.len();
                    events.extend(left.iter().map(|&pos| (pos, wi)));
                    if k == 0 {
                        stem_at[wi] = (at, events.len());
                    }
                }
            }
            spans[i] = (from, events.len());
            let phrase_iter = plan.phrases.iter().zip(&mut phrases).zip(&phrase_weights);
            for (((phrase, posts), w), words) in phrase_iter.zip(&phrase_words) {
                let c = match words {
                    Some(words) => phrase_count(phrase, &mut left, &mut right, |t, shift, out| {
                        let (a, b) = stem_at[words[t]];
                        out.extend(events[a..b].iter().map(|&(pos, _)| pos + shift));
                        a < b
                    }),
                    None => phrase_count(phrase, &mut left, &mut right, |t, shift, out| {
                        let Some(p) = at(&mut posts[t], doc) else {
                            return false;
                        };
                        p.positions_with_offset(shift, out);
                        true
                    }),
                };
                if c > 0 {
                    s += w.score(norm_id, c);
                }
            }
            scores[i] = s;
        }
        start = end;
    }

    // The idf of the body's BM25, with the share `local_idf_body` of it taken from how
    // many candidates hold the word; coverage keeps the index's weights.
    let k = top.len() as u32;
    let found_in: Vec<u32> = (0..nw)
        .map(|wi| (0..top.len()).filter(|&i| hits[i * nw + wi].found).count() as u32)
        .collect();
    let cover_weights: Vec<f32> = plan.words.iter().map(|w| w.weight).collect();
    let total_weight: f32 = cover_weights.iter().sum();
    let score_idf: Vec<f32> = body_idf
        .iter()
        .zip(&found_in)
        .map(|(&g, &df)| mixed_idf(g, df, k, cfg.local_idf_body))
        .collect();
    let rescore_body = (cfg.bm25_k1 - K1).abs() > 1e-6
        || (cfg.bm25_b - B).abs() > 1e-6
        || cfg.local_idf_body > 0.0;
    let mut counts: Vec<u32> = vec![0; nw];
    let mut passages_of: Vec<Option<u32>> = vec![None; top.len()];
    // The word whose first position is the passage, for pages with one word placed.
    let mut unread: Vec<Option<usize>> = vec![None; top.len()];
    for (i, s) in scores.iter_mut().enumerate() {
        let word_hits = &hits[i * nw..(i + 1) * nw];
        let norm = norms_of[i];
        for (wi, (word, hit)) in plan.words.iter().zip(word_hits).enumerate() {
            if hit.tf > 0 && word.body_extra > 0.0 {
                *s += word.body_extra * bm25(body_idf[wi], hit.tf, norm, avg, K1, B);
            }
        }
        if rescore_body {
            // The first phase scored the body stem with tantivy's constants and the
            // index's idf, once per time the word is in the query.
            for (wi, (word, hit)) in plan.words.iter().zip(word_hits).enumerate() {
                if hit.tf > 0 {
                    let delta = bm25(score_idf[wi], hit.tf, norm, avg, cfg.bm25_k1, cfg.bm25_b)
                        - bm25(body_idf[wi], hit.tf, norm, avg, K1, B);
                    *s += delta * word.body_clauses as f32;
                }
            }
        }
        // Coverage: the weighted share of the query words the page holds; with a window,
        // those held within one passage of `coverage_window` words (a long page holds
        // many words of a question by chance, far apart). Words matched only in fields
        // without positions (compound parts, folded forms) count wherever they are.
        if cfg.coverage_exp > 0.0 && total_weight > 0.0 {
            let (mut covered, mut unplaced) = (0.0, 0.0);
            for (hit, w) in word_hits.iter().zip(&cover_weights) {
                if hit.found {
                    covered += w;
                    if !hit.placed {
                        unplaced += w;
                    }
                }
            }
            if window > 0 {
                let (from, to) = spans[i];
                let placed = if from == to {
                    // At most one word placed, its positions not read: any passage of
                    // the page covers it (what `best_window` finds of it alone).
                    let alone = word_hits.iter().position(|h| h.placed);
                    let w = alone.map_or(0.0, |w| cover_weights[w]);
                    if w > 0.0 {
                        unread[i] = alone;
                    }
                    w.max(0.0)
                } else {
                    let (placed, at) =
                        best_window(&mut events[from..to], window, &cover_weights, &mut counts);
                    passages_of[i] = at;
                    placed
                };
                covered = unplaced + placed;
            }
            *s *= (covered / total_weight).powf(cfg.coverage_exp);
        }
    }
    let mut out: Vec<(Ranked, usize)> = scores
        .into_iter()
        .zip(top)
        .zip(passages_of)
        .enumerate()
        .map(|(i, ((score, (_, addr)), passage))| {
            let ranked = Ranked {
                score,
                addr,
                passage,
            };
            (ranked, i)
        })
        .collect();
    // Stable: ties keep the first phase's order.
    out.sort_by(|a, b| b.0.score.total_cmp(&a.0.score));
    let end = passages.end.min(out.len());
    for (ranked, i) in out
        .get_mut(passages.start.min(end)..end)
        .unwrap_or_default()
    {
        if let Some(wi) = unread[*i] {
            ranked.passage = first_position(stats, body, &plan.words[wi].variants, ranked.addr)?;
        }
    }
    Ok(out.into_iter().map(|(r, _)| r).collect())
}

/// The first position in the body of `doc` of any of `variants` (those of one word).
fn first_position(
    stats: &TermStats,
    body: Field,
    variants: &[Term],
    addr: DocAddress,
) -> tantivy::Result<Option<u32>> {
    let mut first: Option<u32> = None;
    let mut positions = Vec::new();
    for t in variants.iter().filter(|t| t.field() == body) {
        let mut p = postings(stats, addr.segment_ord as usize, t, true)?;
        if let Some(p) = at(&mut p, addr.doc_id) {
            positions.clear();
            p.positions(&mut positions);
            if let Some(&pos) = positions.first() {
                first = Some(first.map_or(pos, |f| f.min(pos)));
            }
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersect_counts_positions_within_slop_once() {
        let mut left = vec![1, 5, 9];
        assert_eq!(intersect(&mut left, &[2, 6, 20], 1), 2);
        assert_eq!(left, vec![2, 6]);
        let mut left = vec![3];
        assert_eq!(intersect(&mut left, &[3], 0), 1);
        let mut left = vec![3];
        assert_eq!(intersect(&mut left, &[5], 1), 0);
    }

    #[test]
    fn phrases_count_from_positions_read_before() {
        let field = Field::from_field_id(0);
        let phrase = |slop| PlanPhrase {
            terms: vec![
                (0, Term::from_field_text(field, "a")),
                (1, Term::from_field_text(field, "b")),
            ],
            slop,
            boost: 1.0,
        };
        let a = [(1, 0), (5, 0), (9, 0)];
        let b = [(2, 1), (7, 1), (10, 1)];
        let (mut left, mut right) = (Vec::new(), Vec::new());
        let mut count = |p: &PlanPhrase, stems: [&[(u32, usize)]; 2]| {
            phrase_count(p, &mut left, &mut right, |t, shift, out| {
                out.extend(stems[t].iter().map(|&(pos, _)| pos + shift));
                !stems[t].is_empty()
            })
        };
        // "a b" at 1-2 and 9-10; within 3 of each other also 5 and 7.
        assert_eq!(count(&phrase(0), [&a, &b]), 2);
        assert_eq!(count(&phrase(3), [&a, &b]), 3);
        assert_eq!(count(&phrase(0), [&b, &a]), 0);
        assert_eq!(count(&phrase(3), [&a, &[]]), 0);
    }

    #[test]
    fn mixed_idf_lowers_words_every_candidate_holds() {
        assert_eq!(mixed_idf(3.0, 100, 100, 0.0), 3.0);
        let common = mixed_idf(3.0, 100, 100, 0.5);
        let rare = mixed_idf(3.0, 2, 100, 0.5);
        assert!(common < 1.6 && common > 1.5, "{common}");
        assert!(rare > 3.0, "{rare}");
    }

    #[test]
    fn best_window_counts_each_word_once_within_the_window() {
        let mut events = vec![(10, 1), (0, 0), (2, 0), (30, 2)];
        let mut counts = vec![0; 3];
        let w = [1.0, 2.0, 4.0];
        // The passage starts at its first word: 30 alone, or 10 and 30.
        assert_eq!(
            best_window(&mut events, 20, &w, &mut counts),
            (4.0, Some(30))
        );
        assert_eq!(
            best_window(&mut events, 21, &w, &mut counts),
            (6.0, Some(10))
        );
    }

    #[test]
    fn bm25_with_tantivy_constants_saturates() {
        let one = bm25(2.0, 1, 10.0, 10.0, K1, B);
        assert!((one - 2.0).abs() < 1e-6);
        assert!(bm25(2.0, 100, 10.0, 10.0, K1, B) < 2.0 * (K1 + 1.0));
    }
}
