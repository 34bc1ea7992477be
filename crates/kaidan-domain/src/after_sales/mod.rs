//! After-sales (售后, AFS-1..3): returns and exchanges, complaints, satisfaction surveys.

pub mod complaints;
pub mod returns;
pub mod surveys;

pub use complaints::*;
pub use returns::*;
pub use surveys::*;
