//! Scheduled work inside `kaidan serve` (notices, overdue flags), run exactly
//! once across nodes.
