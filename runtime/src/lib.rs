//! blankett-runtime: serves a kommun's e-services: the journey, drafts, durable submissions,
//! receipts and Mina sidor; signs them with e-ID and delivers them to the case system.
//!
//! The areas that answer HTTP each have a `router()` (`site`, `auth`, `journey`, `signing`,
//! `mina_sidor`, `admin`, `api`); they share `web` (pages, extractors) and `error`. Below them,
//! with no HTTP: `submission` (the service every area, the outbox and the mail use), `store`,
//! `outbox` (delivery), `shs` (the protocol), `mail`. See the handbook's architecture chapter.

pub mod admin;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod client;
pub mod config;
pub mod error;
pub mod journey;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod mina_sidor;
pub mod outbox;
pub mod registry;
pub mod security;
pub mod server;
pub mod session;
pub mod shs;
pub mod signing;
pub mod site;
pub mod store;
pub mod submission;
pub mod test_mailbox;
pub mod web;

pub use blankett_compiler as compiler;
