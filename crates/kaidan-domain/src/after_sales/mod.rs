//! After-sales (售后, AFS-1..3): returns and exchanges, complaints.

pub mod complaints;
pub mod returns;

pub use complaints::*;
pub use returns::*;
