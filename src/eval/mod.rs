//! Quality measurement: cleaning against gold content lines ([`clean`]) and ranking
//! against judged queries ([`search`]), so every change of a rule or a weight is measured.

pub mod clean;
pub mod latency;
pub mod search;
