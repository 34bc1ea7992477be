//! How a committed run's record (ALC-10) is packed: the engine's input and
//! result as JSON, stored LZ4-compressed. Compression is the store's
//! business; the use cases hand over JSON and get JSON back through
//! `Store::pack_record` and `Store::unpack_record`. At a million order lines the JSON is some hundreds
//! of megabytes; compressed it is a tenth of that, and writing it costs less
//! than making it. The input is a scenario file as `kaidan allocate
//! --scenario` reads it, so a run can be replayed from its record.

use kaidan_app::ports::{PackedRecord, RecordPacking, StoreError};

/// Compresses a run's record (JSON). CPU-bound: the run calls it on a
/// blocking thread while it writes its rows.
pub fn pack(input: &[u8], result: &[u8]) -> PackedRecord {
    PackedRecord {
        packing: RecordPacking::Lz4Json,
        input: lz4_flex::compress_prepend_size(input),
        result: lz4_flex::compress_prepend_size(result),
    }
}

/// The JSON text of one part of a stored record.
pub fn unpack(packing: RecordPacking, bytes: &[u8]) -> Result<String, StoreError> {
    let json = match packing {
        RecordPacking::Json => bytes.to_vec(),
        RecordPacking::Lz4Json => lz4_flex::decompress_size_prepended(bytes).map_err(|e| {
            StoreError::Corrupt(format!("the allocation record cannot be unpacked: {e}"))
        })?,
    };
    String::from_utf8(json)
        .map_err(|e| StoreError::Corrupt(format!("the allocation record is not text: {e}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use kaidan_domain::allocation::RunInput;

    #[test]
    fn a_packed_record_unpacks_to_the_same_json() {
        let input: RunInput = serde_json::from_str(include_str!(
            "../../../examples/allocation/06-whole-run.json"
        ))
        .unwrap();
        let result = kaidan_domain::allocation::run(&input).unwrap();
        let packed = pack(
            &serde_json::to_vec(&input).unwrap(),
            &serde_json::to_vec(&result).unwrap(),
        );
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
