pub mod article;
pub mod enrich;
pub mod error;
pub mod extract;
pub mod index;
pub mod ingest;
pub mod pipeline;
pub mod search;
