//! Black-box tests: each starts the real application on a random port with a fresh database
//! (a temporary SQLite file, or a fresh PostgreSQL schema when ADESAO_TEST_DATABASE_URL is set)
//! and talks to it over HTTP. One binary for all of them keeps link times down.

mod common;

mod admin_api;
mod admin_import;
mod admin_pages;
mod api_analysis;
mod api_auth;
mod api_lifecycle;
mod api_rules;
mod api_signing;
mod attachments;
mod csrf;
mod demo_data;
mod dsi_pdf;
mod dsi_signatures;
mod expiry;
mod health;
mod hostile_input;
mod html_lifecycle;
mod lifecycle_property;
mod list_totals;
mod login;
mod mail;
mod mail_servers;
mod mail_tls;
mod mail_workers;
mod migrations;
mod openapi;
mod outbox;
mod pages;
mod pdf_sandbox;
mod pdf_uploads;
mod races;
mod reports;
mod reports_pdf;
mod signing_ca;
mod snapshots;
mod ui_context;
mod validators;
