//! After-sales (售后, AFS-1..3): returns and exchanges.

pub mod returns;

pub use returns::*;
