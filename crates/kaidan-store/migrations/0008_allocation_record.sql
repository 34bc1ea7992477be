-- A run's record (its engine input and result) is stored compressed: at a
-- million order lines the JSON is hundreds of megabytes, which costs more to
-- write than the run itself and would reach the engines' limit on one value.
-- `packing` says how `input_packed`/`result_packed` hold it ('lz4-json');
-- rows written before keep their JSON in `input`/`result` ('json').
ALTER TABLE allocation_runs ADD COLUMN packing TEXT NOT NULL DEFAULT 'json';
ALTER TABLE allocation_runs ADD COLUMN input_packed {{BYTES}};
ALTER TABLE allocation_runs ADD COLUMN result_packed {{BYTES}};
