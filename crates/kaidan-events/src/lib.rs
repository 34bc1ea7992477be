//! The outbox relay (INT-5, issue 18; ADR 0034): inside `kaidan serve`, on
//! every node, a loop routes new outbox events to the webhook subscriptions
//! that want them and POSTs each due delivery, signed, to its receiver.
//! What is due, claimed and recorded is decided by the use cases
//! (`kaidan_app::events`); this crate is the IO: HTTP and signatures.

pub mod nats;
pub mod receiver;
mod relay;
pub mod signature;

pub use relay::{PassReport, Relay, RelayError, RelaySettings};
