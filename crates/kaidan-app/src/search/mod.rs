//! Finding by what a person types (issue 21): products as order entry
//! needs them, a pasted spreadsheet as order lines, what order entry shows
//! beside the form once a customer is chosen, and the search box that finds
//! documents, customers and products.

mod customer_overview;
mod everything;
mod products;

pub use customer_overview::{CustomerOverview, OpenOrder};
pub use everything::{MAX_SEARCH_CHARS, SearchHit};
pub use products::{MAX_PRODUCT_MATCHES, PasteResult, PastedMatch, ProductMatch};
