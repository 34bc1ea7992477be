//! Allocation (分货, ALC-1..10): the real run over the database, its stored
//! record, what the pages and API read of a run, and the data an authorised
//! user edits for it (the seasonal region priority lists).

pub mod queries;
mod region_priorities;
pub mod run;
mod view;
