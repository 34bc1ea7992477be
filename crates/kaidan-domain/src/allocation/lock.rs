//! Goods held for an unfunded franchisee (ALC-5): where a lock is.

use crate::access::string_enum;

string_enum!(
    /// Where a lock is.
    LockStatus {
        /// Goods reserved on the franchisee's line, not picked, until the
        /// lock's expiry.
        Active = "active",
        /// The franchisee paid in time: the goods are an allocation now.
        Converted = "converted",
        /// Unpaid at expiry: the goods went back to supply.
        Expired = "expired",
        /// The order was cancelled.
        Cancelled = "cancelled",
    }
);
