//! The example scenarios in `examples/allocation/` run, and their results are
//! byte-for-byte the reviewed `*.expected.json` next to them (ALC-10: the same
//! inputs give byte-identical results).
//!
//! After a deliberate change, regenerate the expected files with
//! `KAIDAN_BLESS=1 cargo test -p kaidan-domain --test allocation_examples`
//! and review the diff.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use kaidan_domain::allocation::run_scenario_json;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/allocation")
}

/// Every scenario file (`*.json` but not `*.expected.json`), sorted.
fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(examples_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.ends_with(".json") && !name.ends_with(".expected.json")
        })
        .collect();
    v.sort();
    v
}

fn expected_path(scenario: &Path) -> PathBuf {
    let stem = scenario.file_stem().unwrap().to_string_lossy().into_owned();
    scenario.with_file_name(format!("{stem}.expected.json"))
}

#[test]
fn alc_10_example_scenarios_give_their_expected_results_byte_for_byte() {
    let bless = std::env::var_os("KAIDAN_BLESS").is_some();
    let all = scenarios();
    assert!(
        all.len() >= 5,
        "expected several example scenarios, found {}",
        all.len()
    );
    let mut failures = Vec::new();
    for scenario in &all {
        let text = fs::read_to_string(scenario).unwrap();
        let got =
            run_scenario_json(&text).unwrap_or_else(|e| panic!("{}: {e}", scenario.display()));
        let expected_file = expected_path(scenario);
        if bless {
            fs::write(&expected_file, &got).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_file)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_file.display()));
        if got != expected {
            failures.push(expected_file.display().to_string());
        }
    }
    assert!(
        failures.is_empty(),
        "results differ from {failures:?}; if the change is intended, rerun with KAIDAN_BLESS=1 and review the diff"
    );
}

#[test]
fn alc_10_every_expected_file_has_its_scenario() {
    for entry in fs::read_dir(examples_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".expected.json") {
            assert!(
                path.with_file_name(format!("{stem}.json")).exists(),
                "{name} has no scenario"
            );
        }
    }
}

#[test]
fn alc_10_running_an_example_twice_gives_identical_bytes() {
    for scenario in scenarios() {
        let text = fs::read_to_string(&scenario).unwrap();
        assert_eq!(
            run_scenario_json(&text).unwrap(),
            run_scenario_json(&text).unwrap()
        );
    }
}
