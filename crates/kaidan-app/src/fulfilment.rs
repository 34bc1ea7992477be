//! The shipping plan, pick lists, shipments, tracking and proof of delivery
//! (SHP-1..3, DOC-2).
