//! The allocation run (分货). See ../../../../docs/allocation.md.
