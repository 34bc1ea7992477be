//! Webhook signatures (issue 18, ADR 0034; how a receiver checks one:
//! `docs/events.md`). Each POST carries
//! `Kaidan-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the MAC of
//! `"<t>.<body>"` under the subscription's secret. The time inside the
//! signed text lets a receiver refuse an old request replayed at it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Kaidan-Signature";
/// How far from the receiver's clock a signature's time may be, by
/// default, in seconds.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length, so this cannot fail; `new_from_slice`
    // only returns an error for MACs with a fixed key size.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The value of the signature header for `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, timestamp, body).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(tag))
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the signature header is not 't=<seconds>,v1=<hex>'")]
    Malformed,
    #[error("the signature's time is {0} s away from now, more than allowed")]
    TooOld(i64),
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks a signature header against the body as received, the secret,
/// and the receiver's clock (`now`, unix seconds) within `tolerance`
/// seconds. Compares in constant time.
pub fn verify(
    secret: &str,
    header: &str,
    body: &[u8],
    now: i64,
    tolerance: i64,
) -> Result<(), VerifyError> {
    let mut timestamp = None;
    let mut tags = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => tags.push(hex::decode(v).map_err(|_| VerifyError::Malformed)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(VerifyError::Malformed)?;
    if tags.is_empty() {
        return Err(VerifyError::Malformed);
    }
    let off = now.saturating_sub(timestamp).saturating_abs();
    if off > tolerance {
        return Err(VerifyError::TooOld(off));
    }
    let expected = mac(secret, timestamp, body);
    if tags
        .iter()
        .any(|tag| expected.clone().verify_slice(tag).is_ok())
    {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_5_a_signature_verifies_and_a_tampered_body_or_secret_does_not() {
        let body = br#"{"id":1,"type":"order.approved"}"#;
        let header = sign("whsec_a", 1_765_000_000, body);
        assert!(header.starts_with("t=1765000000,v1="));
        assert_eq!(verify("whsec_a", &header, body, 1_765_000_010, 300), Ok(()));
        assert_eq!(
            verify(
                "whsec_a",
                &header,
                br#"{"id":2,"type":"order.approved"}"#,
                1_765_000_010,
                300
            ),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify("whsec_b", &header, body, 1_765_000_010, 300),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify("whsec_a", &header, body, 1_765_001_000, 300),
            Err(VerifyError::TooOld(1_000))
        );
        assert_eq!(
            verify("whsec_a", "v1=00", body, 0, 300),
            Err(VerifyError::Malformed)
        );
        // A known vector, computed apart (Python's hmac), so receivers in
        // other languages can check theirs: docs/events.md gives it too.
        assert_eq!(
            sign("whsec_test", 1_700_000_000, b"{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }
}
