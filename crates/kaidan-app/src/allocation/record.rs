//! A committed run's record (ALC-10): the engine's input and result as JSON,
//! stored LZ4-compressed. At a million order lines the JSON is some hundreds
//! of megabytes; compressed it is a tenth of that, and writing it costs less
//! than making it. The input is a scenario file as `kaidan allocate
//! --scenario` reads it, so a run can be replayed from its record.

use kaidan_domain::allocation::{RunInput, RunResult};

use crate::error::{AppError, AppResult};
use crate::ports::{RecordPacking, StoreError};

/// The record of one run, packed for storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedRecord {
    pub packing: RecordPacking,
    pub input: Vec<u8>,
    pub result: Vec<u8>,
}

/// Serialises and compresses a run's record. CPU-bound: the run does it on
/// a blocking thread while it writes its rows.
pub fn pack(input: &RunInput, result: &RunResult) -> AppResult<PackedRecord> {
    let input = serde_json::to_vec(input).map_err(crate::orders::store_other)?;
    let result = serde_json::to_vec(result).map_err(crate::orders::store_other)?;
    Ok(PackedRecord {
        packing: RecordPacking::Lz4Json,
        input: lz4_flex::compress_prepend_size(&input),
        result: lz4_flex::compress_prepend_size(&result),
    })
}

/// The JSON text of one part of a stored record.
pub fn unpack(packing: RecordPacking, bytes: &[u8]) -> AppResult<String> {
    let json = match packing {
        RecordPacking::Json => bytes.to_vec(),
        RecordPacking::Lz4Json => lz4_flex::decompress_size_prepended(bytes).map_err(|e| {
            AppError::Store(StoreError::Other(format!(
                "the stored allocation record cannot be unpacked: {e}"
            )))
        })?,
    };
    String::from_utf8(json).map_err(|e| {
        AppError::Store(StoreError::Other(format!(
            "the stored allocation record is not text: {e}"
        )))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_packed_record_unpacks_to_the_same_json() {
        let input: RunInput = serde_json::from_str(include_str!(
            "../../../../examples/allocation/06-whole-run.json"
        ))
        .unwrap();
        let result = kaidan_domain::allocation::run(&input).unwrap();
        let packed = pack(&input, &result).unwrap();
        assert_eq!(packed.packing, RecordPacking::Lz4Json);
        assert_eq!(
            unpack(packed.packing, &packed.input).unwrap(),
            serde_json::to_string(&input).unwrap()
        );
        assert_eq!(
            unpack(packed.packing, &packed.result).unwrap(),
            serde_json::to_string(&result).unwrap()
        );
        assert!(unpack(RecordPacking::Lz4Json, b"\x05\0\0\0garbage").is_err());
        assert_eq!(unpack(RecordPacking::Json, b"{}").unwrap(), "{}");
    }
}
