//! hitta: a search server for Swedish web pages.
//!
//! The pipeline is the architecture; data flows one way through one module per stage:
//! [`decode`] → [`extract`] → [`clean`] → [`analyze`] → [`index`] → [`search`] → [`http`].
//! [`import`] drives the first five over files; [`eval`] measures cleaning and ranking.

pub mod analyze;
pub mod clean;
pub mod cli;
pub mod config;
pub mod decode;
pub mod eval;
pub mod extract;
pub mod http;
pub mod import;
pub mod index;
pub mod search;
