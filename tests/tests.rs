//! The integration tests, in one binary (one link instead of one per file): the real
//! `newsidx` binary on temporary folders, hostile input, faults, properties and the
//! relevance set. Each module is a file beside this one; `util` holds the helpers.
//!
//! Run one part with a filter: `cargo test --test tests faults::`.

mod util;

mod api;
mod blend;
mod bounded_count;
mod browser;
mod cli;
mod enrich_stream;
mod export;
mod faults;
mod features;
mod forgiving;
mod hostile;
mod html;
mod meaning;
mod model;
mod proptests;
mod rare;
mod relevance;
mod skips;
mod sources_cjk;
mod stories;
mod tags_rules;
mod tags_tail;
mod trust_index;
mod trust_manifest;
mod trust_messages;
mod trust_readers;
mod trust_walk;
