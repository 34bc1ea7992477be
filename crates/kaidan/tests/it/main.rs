//! The integration tests of the `kaidan` binary, one module a former test
//! file, built as one test binary (one link step instead of one per file):
//! end-to-end runs of the commands and the server, and the browser test.

mod browser;
mod e2e;
mod e2e_events;
mod e2e_fulfilment;
mod nodes;
mod restore;
mod support;
