//! Purchase orders to suppliers, their confirmation and receipt, and the
//! arrival plan (PUR-1..3, INV-2).
