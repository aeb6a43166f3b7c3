pub mod article;
pub mod enrich;
pub mod error;
pub mod index;
pub mod ingest;
