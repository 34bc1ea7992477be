//! The integration tests of `kaidan-io`, one test binary: files made to
//! break the readers (issue 16, item 3) and the fuzzing of the import reader
//! that keeps them from breaking again ("keep it so").

mod crafted;
mod fuzz_read;
mod xlsx_files;
