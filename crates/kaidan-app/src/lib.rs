//! Kaidan's use cases. Each one checks the actor's permission, validates its
//! input, changes the records through a store transaction and writes the
//! audit rows and outbox events of that change in the same transaction.
//!
//! One folder per feature, named with the same word as in the domain, store,
//! API and page modules (`orders`, `purchasing`, `fulfilment`, `allocation`,
//! `transfers`, ...); inside, one file per use case or group of use cases.
//! `docs/ARCHITECTURE.md` maps every feature to its files.

pub mod after_sales;
pub mod allocation;
mod app;
pub mod assessments;
pub mod audit;
pub mod calendar;
pub mod clock;
pub mod collection;
pub mod commissions;
pub mod confidential;
pub mod contracts;
pub mod customer_files;
pub mod error;
pub mod events;
pub mod expenses;
pub mod figures;
pub mod finance;
pub mod fulfilment;
pub mod import_export;
pub mod jobs;
pub mod list_params;
pub mod master;
pub mod orders;
pub mod points;
pub mod portal;
pub mod ports;
pub mod purchasing;
pub mod saved_filters;
pub mod search;
mod stock;
pub mod stock_counts;
pub mod targets;
pub mod transfers;
pub mod users;
pub mod visits;

pub use app::{App, AppConfig, Ctx};
pub use confidential::Confidential;
pub use error::{AppError, AppResult};
pub use master::entity::MasterEntity;
pub use master::{Created, Idempotency, ListRequest, Page};
pub use users::auth::NewSession;
