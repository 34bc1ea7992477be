//! Kaidan's use cases. Each one checks the actor's permission, validates its
//! input, changes the records through a store transaction and writes the
//! audit rows and outbox events of that change in the same transaction.

pub mod allocation_queries;
pub mod allocation_record;
pub mod allocation_run;
mod allocation_view;
mod app;
mod audit_trail;
mod auth;
pub mod calendar;
mod changes;
pub mod clock;
pub mod deadline_watch;
pub mod entity;
pub mod error;
pub mod fulfilment;
pub mod jobs;
pub mod master;
mod order_import;
pub mod orders;
pub mod ports;
pub mod purchasing;
mod region_priorities;
mod safety_stock;
mod stock;
pub mod stock_counts;
pub mod store_transfers;
pub mod time_format;
mod tracking_import;
pub mod transfer;
pub mod users;

pub use app::{App, AppConfig, Ctx};
pub use auth::NewSession;
pub use entity::MasterEntity;
pub use error::{AppError, AppResult};
pub use master::{Created, Idempotency, ListRequest, Page};
