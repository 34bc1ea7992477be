//! Sales orders: intake, pricing, review, credit, deadlines, numbering and
//! changes (ORD-1..8, CHG-1..3, FIN-5, FIN-6). Pure rules only.

pub mod status;

pub use status::{OrderEvent, OrderStatus, TransitionError};
