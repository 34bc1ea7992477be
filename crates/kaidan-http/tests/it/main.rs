//! The integration tests of kaidan-http, one module a former test file,
//! built as one test binary (one link step instead of one per file): the real
//! router in process over a real database (SQLite always, PostgreSQL when
//! KAIDAN_TEST_DATABASE_URL is set).

mod allocation_http;
mod api;
mod assessments_http;
mod bank_http;
mod collection_http;
mod commissions_http;
mod complaints_http;
mod contract_orders_http;
mod contracts_http;
mod customer_files_http;
mod customers_http;
mod expenses_http;
mod figures_http;
mod files_http;
mod finance_http;
mod fulfilment_http;
mod fuzz_api;
mod hardening_bounds;
mod hardening_edges;
mod history_http;
mod jobs_http;
mod order_lists_http;
mod order_pages;
mod points_http;
mod portal_http;
mod price_fields;
mod print_http;
mod purchasing;
mod returns_http;
mod search_http;
mod shipment_list_http;
mod shortages_http;
mod support;
mod surveys_http;
mod target_quantities_http;
mod targets_http;
mod visits_http;
mod webhooks_http;
