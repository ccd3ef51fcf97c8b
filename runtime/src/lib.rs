//! blankett-runtime: serves a kommun's e-services: the journey, drafts, durable submissions,
//! receipts and Mina sidor.

pub mod admin;
pub mod app;
pub mod auth;
pub mod auth_dev;
pub mod config;
pub mod journey;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod mina_sidor;
pub mod outbox;
pub mod pages;
pub mod registry;
pub mod security;
pub mod session;
pub mod shs;
pub mod signing;
pub mod store;
pub mod submission;
pub mod upload;
pub mod web;

pub use blankett_compiler as compiler;
