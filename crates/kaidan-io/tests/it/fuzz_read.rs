//! Fuzzing the import reader ("keep it so" of issue 16): random and mutated
//! CSV and .xlsx files go through `read_table`, the one function every
//! import (API, pages, command line) reads files with. It never panics and
//! answers either a table or an error that names the file and says what is
//! wrong. Fixed budget: the case counts below (recorded in the report of
//! issue 16) run in seconds in a debug build, so CI runs them every time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kaidan_io::{IoError, read_table};
use proptest::prelude::*;

use crate::xlsx_files::{corpus, unzip, zip};

/// Cases per property; `PROPTEST_CASES` raises them for a longer run.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The property: no panic escapes, and an error is one of the reader's own,
/// naming the file first.
fn reads_or_refuses_clearly(file: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let read = std::panic::catch_unwind(|| read_table(file, bytes));
    let Ok(read) = read else {
        return Err(TestCaseError::fail(format!("{file}: read_table panicked")));
    };
    match read {
        Ok(table) => {
            prop_assert!(!table.columns.is_empty());
            prop_assert!(table.rows.iter().all(|r| r.line >= 2));
        }
        Err(e) => {
            let message = e.to_string();
            prop_assert!(
                matches!(
                    e,
                    IoError::Unreadable { .. }
                        | IoError::NoHeader { .. }
                        | IoError::DuplicateColumn { .. }
                ),
                "{message}"
            );
            let prefix = format!("{file}: ");
            prop_assert!(message.starts_with(&prefix), "{message}");
            prop_assert!(message.len() > prefix.len() + 5, "{message}");
        }
    }
    Ok(())
}

/// One change to a byte string.
#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: usize,
        bits: u8,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Truncate {
        at: usize,
    },
    /// Replaces the run of digits nearest `at` by another number: indexes,
    /// sizes and cell positions are where readers trust the file.
    Number {
        at: usize,
        number: u64,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, bits)| Mutation::Flip { at, bits }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (
            any::<usize>(),
            prop_oneof![
                0u64..32,
                Just(u64::from(u32::MAX)),
                Just(u64::MAX),
                any::<u64>()
            ]
        )
            .prop_map(|(at, number)| Mutation::Number { at, number }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len().max(1);
    match m {
        Mutation::Flip { at, bits } => {
            if let Some(b) = bytes.get_mut(at % n) {
                *b ^= bits;
            }
        }
        Mutation::Insert { at, bytes: new } => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, new.iter().copied());
        }
        Mutation::Delete { at, len } => {
            let at = at % n;
            let end = (at + len).min(bytes.len());
            if at < end {
                bytes.drain(at..end);
            }
        }
        Mutation::Truncate { at } => bytes.truncate(at % n),
        Mutation::Number { at, number } => {
            let start = at % n;
            let Some(first) = (start..bytes.len()).find(|&i| bytes[i].is_ascii_digit()) else {
                return;
            };
            let end = (first..bytes.len())
                .find(|&i| !bytes[i].is_ascii_digit())
                .unwrap_or(bytes.len());
            bytes.splice(first..end, number.to_string().into_bytes());
        }
    }
}

/// Text that looks like CSV: separators, quotes, line ends, a BOM, Chinese.
fn csv_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just(",".to_string()),
            Just("\"".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("\u{feff}".to_string()),
            Just("sku".to_string()),
            Just("衬衫".to_string()),
            "[a-z0-9 .;\t-]{0,8}",
        ],
        0..64,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(config(2_000))]

    #[test]
    fn hardening_3_random_bytes_as_csv(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        reads_or_refuses_clearly("random.csv", &bytes)?;
    }

    #[test]
    fn hardening_3_csv_like_text(text in csv_like()) {
        reads_or_refuses_clearly("like.csv", text.as_bytes())?;
    }

    #[test]
    fn hardening_3_random_bytes_as_xlsx(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        reads_or_refuses_clearly("random.xlsx", &bytes)?;
    }
}

proptest! {
    #![proptest_config(config(2_000))]

    /// Raw mutations of a whole workbook: mostly a broken zip.
    #[test]
    fn hardening_3_mutated_xlsx_bytes(
        which in any::<prop::sample::Index>(),
        changes in prop::collection::vec(mutation(), 1..4),
    ) {
        let books = corpus();
        let mut bytes = which.get::<Vec<u8>>(books).clone();
        for m in &changes {
            apply(&mut bytes, m);
        }
        reads_or_refuses_clearly("mutated.xlsx", &bytes)?;
    }

}

proptest! {
    #![proptest_config(config(4_000))]

    /// Mutations inside one zip entry, zipped again: the XML parts reach
    /// the spreadsheet reader damaged but readable as a zip.
    #[test]
    fn hardening_3_mutated_xlsx_entries(
        which in any::<prop::sample::Index>(),
        entry in any::<prop::sample::Index>(),
        changes in prop::collection::vec(mutation(), 1..4),
    ) {
        let books = corpus();
        let mut entries = unzip(which.get::<Vec<u8>>(books));
        let i = entry.index(entries.len());
        for m in &changes {
            apply(&mut entries[i].1, m);
        }
        reads_or_refuses_clearly("entry.xlsx", &zip(&entries))?;
    }
}
