pub mod article;
pub mod budget;
pub mod enrich;
pub mod error;
pub mod index;
pub mod ingest;
pub mod pipeline;
pub mod search;
